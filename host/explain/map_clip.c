/* The clipping scale of a heatmap (heatmap.h): the 99th percentile of |map|, found without a
 * copy or a sort by bisecting on the bit patterns of the non-negative floats, which order the
 * same way as their values. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "heatmap.h"

/* |v| as its IEEE bit pattern; non-finite values as 0 */
static uint32_t abs_bits(float v) {
    if (!isfinite(v))
        return 0;
    v = fabsf(v);
    uint32_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

static float bits_to_float(uint32_t b) {
    float v;
    memcpy(&v, &b, sizeof v);
    return v;
}

float sc_map_clip_scale(const float *map, int h, int w) {
    if (!map || h <= 0 || w <= 0)
        return 0.0f;
    size_t n = (size_t)h * (size_t)w;
    uint32_t max_bits = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t b = abs_bits(map[i]);
        max_bits = b > max_bits ? b : max_bits;
    }
    /* the smallest value with more than `rank` values at or below it is the rank-th smallest */
    size_t rank = (size_t)floor(0.99 * (double)(n - 1));
    uint32_t lo = 0, hi = max_bits;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        size_t at_or_below = 0;
        for (size_t i = 0; i < n; i++)
            at_or_below += abs_bits(map[i]) <= mid;
        if (at_or_below > rank)
            hi = mid;
        else
            lo = mid + 1;
    }
    return bits_to_float(lo > 0 ? lo : max_bits);
}
