/* Synthetic, linearly separable image-classification data for end-to-end tests: class k is a
 * bright square at position k of a grid on a noisy background, written as MNIST-style IDX
 * files so the real loaders read it; the training configuration of a small run on it, a hook
 * that interrupts it; and the metadata of a checkpoint trained on it. */
#ifndef SC_TEST_SYNTHETIC_DATA_H
#define SC_TEST_SYNTHETIC_DATA_H

#include <stdint.h>

#include "host/train/checkpoint.h"
#include "host/train/train_config.h"

/* Pixels of sample i of class (i % classes): (size, size) uint8. */
void sc_synthetic_image(uint64_t seed, int64_t i, int classes, int size, uint8_t *pixels);

/* Write train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
 * t10k-labels-idx1-ubyte (uncompressed) into dir. Returns 0 on success. */
int sc_synthetic_write_idx(const char *dir, int64_t n_train, int64_t n_test, int classes,
                           int size, uint64_t seed);

/* The training configuration of a short CPU run on such data of size 28, read as "mnist" from
 * data_dir, writing into out_dir: the defaults with resnet8, batch 32, evaluation batch 64,
 * learning rate 0.05 and the given seed, resolved for 28 x 28 images. The caller sets epochs,
 * log_every and any other field it needs after it. */
void sc_synthetic_train_config(sc_train_config *cfg, const char *data_dir, const char *out_dir,
                               uint64_t seed);

/* A should_stop hook (sc_train_hooks) that interrupts a run once `limit` steps have been
 * taken; `calls` counts the hook's calls and starts at 0. */
typedef struct sc_stop_after {
    int calls, limit;
} sc_stop_after;

int sc_stop_after_steps(void *stop_after);

/* The metadata of a checkpoint for such data: a resnet8 (CIFAR stem) on 1 x size x size images
 * of `classes` classes, dataset "mnist" with MNIST's normalisation (mean 0.1307, std 0.3081),
 * training mode `mode` (NULL: left empty), everything else 0. */
sc_checkpoint_meta sc_synthetic_checkpoint_meta(int classes, int size, const char *mode);

#endif
