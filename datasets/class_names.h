/* Human-readable class names of the datasets the engine knows (for heatmap grids and reports):
 * Fashion-MNIST's garments, MNIST's digits, CIFAR-10's objects. Other datasets (CIFAR-100)
 * get the class number. Image folders have their class folder names, carried in checkpoints
 * as one '\n'-separated list (sc_class_names_join / sc_class_name_in_list). */
#ifndef SC_CLASS_NAMES_H
#define SC_CLASS_NAMES_H

#include <stddef.h>

#include "dataset.h"

/* The name of class cls of dataset `dataset` (canonical name, e.g. "fashion-mnist") into buf;
 * returns buf. Unknown datasets and classes give the number ("42"). */
const char *sc_class_name(const char *dataset, int cls, char *buf, size_t len);

/* names (count) joined with '\n' into buf; returns 0, or -1 (buf "") when they do not fit or a
 * name holds a '\n'. */
int sc_class_names_join(const char *const *names, int count, char *buf, size_t len);

/* The name of class cls of an in-memory dataset: its own list, else sc_class_name. */
const char *sc_dataset_class_name(const sc_dataset *ds, int cls, char *buf, size_t len);

/* Name cls of a joined list into buf, or the number when the list is shorter; returns buf. */
const char *sc_class_name_in_list(const char *joined, int cls, char *buf, size_t len);

#endif
