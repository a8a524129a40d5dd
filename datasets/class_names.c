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

const char *sc_dataset_class_name(const sc_dataset *ds, int cls, char *buf, size_t len) {
    if (ds->class_names)
        return sc_class_name_in_list(ds->class_names, cls, buf, len);
    return sc_class_name(ds->name, cls, buf, len);
}

int sc_class_names_join(const char *const *names, int count, char *buf, size_t len) {
    size_t used = 0;
    for (int i = 0; i < count; i++) {
        size_t n = strlen(names[i]);
        if (strchr(names[i], '\n') || used + n + 2 > len) {
            if (len > 0)
                buf[0] = '\0';
            return -1;
        }
        if (i > 0)
            buf[used++] = '\n';
        memcpy(buf + used, names[i], n);
        used += n;
    }
    if (len > 0)
        buf[used] = '\0';
    return 0;
}

const char *sc_class_name_in_list(const char *joined, int cls, char *buf, size_t len) {
    const char *at = joined;
    for (int i = 0; i < cls && at; i++) {
        at = strchr(at, '\n');
        at = at ? at + 1 : NULL;
    }
    if (!at || !*joined || cls < 0) {
        snprintf(buf, len, "%d", cls);
        return buf;
    }
    size_t n = strcspn(at, "\n");
    snprintf(buf, len, "%.*s", (int)n, at);
    return buf;
}
