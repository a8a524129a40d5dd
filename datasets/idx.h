/* Reader of IDX files (MNIST, Fashion-MNIST), gzip-compressed or plain.
 *
 * A directory holds train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte
 * and t10k-labels-idx1-ubyte, each with or without a .gz suffix (the .gz one is preferred).
 * Images: magic 0x00000803, then count, rows, cols as big-endian uint32, then count*rows*cols
 * pixels. Labels: magic 0x00000801, then count, then count bytes, each < 10.
 * Every check failure names the file and says what is wrong and what was expected. */
#ifndef SC_IDX_H
#define SC_IDX_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "host/core/status.h"

#define SC_IDX_IMAGES_MAGIC 0x00000803u
#define SC_IDX_LABELS_MAGIC 0x00000801u
#define SC_IDX_NUM_CLASSES 10

/* Load the train (train != 0) or test split from dir into out: images (count, 1, rows, cols),
 * labels, 10 classes, the given name, mean 0 and std 1 (the caller sets the normalisation). */
sc_status sc_idx_load(const char *dir, int train, const char *name, sc_dataset *out,
                      sc_error *err);

/* dir/base.gz if it exists, else dir/base; SC_ERR_IO when neither exists. */
sc_status sc_idx_find_file(const char *dir, const char *base, char *path, size_t len,
                           sc_error *err);

/* One IDX image file: *pixels (count, rows, cols), malloc'd, owned by the caller. */
sc_status sc_idx_read_images(const char *path, uint8_t **pixels, int64_t *count, int *rows,
                             int *cols, sc_error *err);

/* One IDX label file: *labels (count), malloc'd, owned by the caller, each < num_classes. */
sc_status sc_idx_read_labels(const char *path, int num_classes, uint8_t **labels,
                             int64_t *count, sc_error *err);

#endif
