/* Human-readable class names of the datasets the engine knows (for heatmap grids and reports):
 * Fashion-MNIST's garments, MNIST's digits, CIFAR-10's objects. Other datasets (CIFAR-100)
 * get the class number. */
#ifndef SC_CLASS_NAMES_H
#define SC_CLASS_NAMES_H

#include <stddef.h>

/* The name of class cls of dataset `dataset` (canonical name, e.g. "fashion-mnist") into buf;
 * returns buf. Unknown datasets and classes give the number ("42"). */
const char *sc_class_name(const char *dataset, int cls, char *buf, size_t len);

#endif
