/* The per-sample pixel ranking of the saliency and metric ops on the CPU: every pixel gets
 * the key sc_saliency_sort_key(value, flat index) (saliency_math.h; mask_select, map_gini,
 * rank_rows) or sc_salient_first_key (metric_math.h; rank_pixels), and the keys are sorted
 * ascending, the order every backend uses. The keys are built in index order, so a stable LSD
 * radix sort over the value half (4 passes of 8 bits) leaves equal values in index order: the
 * keys end up fully sorted without sorting the index half. */
#include <string.h>

#include "../core/metric_math.h"
#include "../core/saliency_math.h"
#include "cpu_internal.h"

#define RADIX_BITS 8
#define RADIX_BUCKETS (1 << RADIX_BITS)
#define RADIX_PASSES (32 / RADIX_BITS) /* even: the result lands back in keys */

/* One stable counting-sort pass of n keys from src to dst on bits [shift, shift + 8). */
static void radix_pass(const uint64_t *src, uint64_t *dst, int64_t n, int shift) {
    size_t start[RADIX_BUCKETS];
    memset(start, 0, sizeof start);
    for (int64_t i = 0; i < n; i++)
        start[(src[i] >> shift) & (RADIX_BUCKETS - 1)]++;
    size_t offset = 0;
    for (int b = 0; b < RADIX_BUCKETS; b++) {
        size_t count = start[b];
        start[b] = offset;
        offset += count;
    }
    for (int64_t i = 0; i < n; i++)
        dst[start[(src[i] >> shift) & (RADIX_BUCKETS - 1)]++] = src[i];
}

/* Sorts n keys built in index order by their value half; tmp holds n keys of scratch. */
static void sort_value_half(uint64_t *keys, uint64_t *tmp, int64_t n) {
    uint64_t *src = keys, *dst = tmp;
    for (int pass = 0; pass < RADIX_PASSES; pass++) {
        radix_pass(src, dst, n, 32 + pass * RADIX_BITS);
        uint64_t *swap = src;
        src = dst;
        dst = swap;
    }
}

void sc_cpu_sort_pixels(const float *values, int64_t n, int absolute, uint64_t *keys,
                        uint64_t *tmp) {
    for (int64_t i = 0; i < n; i++)
        keys[i] = sc_saliency_sort_key(absolute ? fabsf(values[i]) : values[i], (uint32_t)i);
    sort_value_half(keys, tmp, n);
}

void sc_cpu_sort_salient_first(const float *values, int64_t n, uint64_t *keys, uint64_t *tmp) {
    for (int64_t i = 0; i < n; i++)
        keys[i] = sc_salient_first_key(values[i], (uint32_t)i);
    sort_value_half(keys, tmp, n);
}
