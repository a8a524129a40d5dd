/* A synthetic in-memory dataset for the dataset and loader tests. */
#ifndef SC_TEST_RANDOM_DATASET_H
#define SC_TEST_RANDOM_DATASET_H

#include <stdint.h>

#include "datasets/dataset.h"

/* A dataset of `count` images (channels, height, width): pixel bytes from Philox, label of
 * sample i = i % classes. mean 0.25..., std 0.5... per channel. */
void sc_test_random_dataset(sc_dataset *ds, int64_t count, int channels, int height, int width,
                            int classes, uint64_t seed);

#endif
