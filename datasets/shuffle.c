/* Epoch order: identity or a Philox-driven Fisher-Yates shuffle (see shuffle.h). */
#include "shuffle.h"

#include "host/core/rng.h"

void sc_order_identity(int32_t *order, int64_t count) {
    for (int64_t i = 0; i < count; i++)
        order[i] = (int32_t)i;
}

void sc_order_shuffle(int32_t *order, int64_t count, uint64_t seed, uint32_t epoch) {
    sc_order_identity(order, count);
    sc_rng_key key = sc_rng_key_make(seed, epoch, SC_RNG_SHUFFLE);
    for (int64_t i = count - 1; i > 0; i--) {
        int64_t j = sc_rng_below(key, (uint64_t)i, (uint32_t)(i + 1));
        int32_t held = order[i];
        order[i] = order[j];
        order[j] = held;
    }
}
