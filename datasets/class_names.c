/* Class-name tables (see class_names.h). */
#include "class_names.h"

#include <stdio.h>
#include <string.h>

static const char *const fashion_mnist[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress",
                                              "Coat",        "Sandal",  "Shirt",    "Sneaker",
                                              "Bag",         "Ankle boot"};
static const char *const cifar10[10] = {"airplane", "automobile", "bird",  "cat",  "deer",
                                        "dog",      "frog",       "horse", "ship", "truck"};

const char *sc_class_name(const char *dataset, int cls, char *buf, size_t len) {
    const char *const *table = NULL;
    if (strcmp(dataset, "fashion-mnist") == 0)
        table = fashion_mnist;
    else if (strcmp(dataset, "cifar10") == 0)
        table = cifar10;
    if (table && cls >= 0 && cls < 10)
        snprintf(buf, len, "%s", table[cls]);
    else /* MNIST's classes are their digits */
        snprintf(buf, len, "%d", cls);
    return buf;
}
