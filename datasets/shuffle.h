/* Epoch order of a dataset: a Fisher-Yates permutation of [0, count) drawn from Philox keyed
 * by (seed, epoch, SC_RNG_SHUFFLE), so the order of any epoch is recomputed exactly on resume.
 * Draw i (for i = count-1 down to 1) is sc_rng_below(key, i, i + 1). */
#ifndef SC_SHUFFLE_H
#define SC_SHUFFLE_H

#include <stdint.h>

/* order (count) = 0, 1, ..., count-1. */
void sc_order_identity(int32_t *order, int64_t count);

/* order (count) = the permutation of epoch `epoch`; count <= INT32_MAX. */
void sc_order_shuffle(int32_t *order, int64_t count, uint64_t seed, uint32_t epoch);

#endif
