/* A synthetic in-memory dataset for the dataset and loader tests (see random_dataset.h). */
#include "random_dataset.h"

#include <check.h>
#include <stdlib.h>

#include "test_util.h"

void sc_test_random_dataset(sc_dataset *ds, int64_t count, int channels, int height, int width,
                            int classes, uint64_t seed) {
    sc_error err;
    ck_assert_int_eq(sc_dataset_alloc(ds, "synthetic", count, channels, height, width, classes,
                                      &err),
                     SC_OK);
    int64_t bytes = count * sc_dataset_image_bytes(ds);
    float *u = malloc((size_t)bytes * sizeof *u);
    sc_test_fill_uniform(u, (size_t)bytes, seed, 0.0f, 256.0f);
    for (int64_t i = 0; i < bytes; i++)
        ds->images[i] = (uint8_t)u[i];
    free(u);
    for (int64_t i = 0; i < count; i++)
        ds->labels[i] = (int32_t)(i % classes);
    for (int c = 0; c < channels; c++) {
        ds->mean[c] = 0.25f + 0.1f * (float)c;
        ds->std[c] = 0.5f - 0.05f * (float)c;
    }
}
