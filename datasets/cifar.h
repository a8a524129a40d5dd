/* Reader of the CIFAR-10 and CIFAR-100 binary versions.
 *
 * CIFAR-10 (cifar-10-batches-bin): data_batch_1.bin .. data_batch_5.bin (train) and
 * test_batch.bin (test); each record is 1 label byte (< 10) then 3072 pixel bytes in
 * (3, 32, 32) order (all red, then green, then blue; rows top to bottom).
 * CIFAR-100 (cifar-100-binary): train.bin and test.bin; each record is a coarse label byte
 * (< 20), a fine label byte (< 100) and 3072 pixel bytes; the dataset keeps the fine label.
 * Checks: every file exists, is non-empty and is a whole number of records; labels in range. */
#ifndef SC_CIFAR_H
#define SC_CIFAR_H

#include "dataset.h"
#include "host/core/status.h"

#define SC_CIFAR_SIDE 32
#define SC_CIFAR_CHANNELS 3
#define SC_CIFAR_IMAGE_BYTES (SC_CIFAR_CHANNELS * SC_CIFAR_SIDE * SC_CIFAR_SIDE)

/* Load the train (train != 0) or test split: images (count, 3, 32, 32), name "cifar10" or
 * "cifar100", mean 0 and std 1 (the caller sets the normalisation). */
sc_status sc_cifar10_load(const char *dir, int train, sc_dataset *out, sc_error *err);
sc_status sc_cifar100_load(const char *dir, int train, sc_dataset *out, sc_error *err);

#endif
