/* Formulas of the saliency-guided training ops, shared by the CPU backend and the CUDA kernels
 * (SC_HD, see hd.h): orderable keys for exact per-sample selection, the mask size, the
 * fixed-point mass of the tau-mass mask, SCAAT's per-pixel budget, the perturbation steps, the
 * fused softmax-KL row and the Gini index of a sorted map. Both sides compile these without
 * FP contraction, so identical inputs give identical outputs. */
#ifndef SC_SALIENCY_MATH_H
#define SC_SALIENCY_MATH_H

#include <math.h>
#include <stdint.h>

#include "hd.h"

/* The bits of a float. */
SC_HD static inline uint32_t sc_float_bits(float v) {
    union {
        float f;
        uint32_t u;
    } c;
    c.f = v;
    return c.u;
}

/* A uint32 that orders like the float (-inf < ... < -0 < +0 < ... < +inf < NaN for the
 * usual positive quiet NaN). */
SC_HD static inline uint32_t sc_float_order_bits(float v) {
    uint32_t b = sc_float_bits(v);
    return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

/* The total order of pixels used by every selection: by value ascending, ties by the lower
 * flat index. Keys are unique within a sample. */
SC_HD static inline uint64_t sc_saliency_sort_key(float v, uint32_t index) {
    return ((uint64_t)sc_float_order_bits(v) << 32) | (uint64_t)index;
}

/* The values of backend.h's sc_reduce_kind (this header does not depend on the backend; the CPU
 * backend asserts they agree). */
#define SC_HD_REDUCE_MEAN 0
#define SC_HD_REDUCE_MAX 1
#define SC_HD_REDUCE_SUM 2
#define SC_HD_REDUCE_SIGNED 3

/* saliency_reduce of one pixel from its C channel values at stride `plane` (x may be NULL:
 * v = g, else v = x * g). Accumulates over c = 0..C-1 in float, in that order; MEAN and SIGNED
 * divide the sum by (float)C; MAX is fmaxf over |v| starting from 0. */
SC_HD static inline float sc_saliency_reduce_pixel(int kind, const float *g, const float *x,
                                                   int64_t channels, int64_t plane) {
    float acc = 0.0f;
    for (int64_t c = 0; c < channels; c++) {
        float v = x ? x[c * plane] * g[c * plane] : g[c * plane];
        if (kind == SC_HD_REDUCE_SIGNED)
            acc += v;
        else if (kind == SC_HD_REDUCE_MAX)
            acc = fmaxf(acc, fabsf(v));
        else
            acc += fabsf(v);
    }
    return (kind == SC_HD_REDUCE_MEAN || kind == SC_HD_REDUCE_SIGNED) ? acc / (float)channels : acc;
}

/* floor(k * hw), clamped to [0, hw]; computed in double so every backend gets the same count. */
SC_HD static inline int64_t sc_mask_count(float k, int64_t hw) {
    double c = floor((double)k * (double)hw);
    if (c < 0.0)
        return 0;
    if (c > (double)hw)
        return hw;
    return (int64_t)c;
}

/* Fixed-point mass of a pixel for the tau-mass mask: v / max in units of 2^-40 (truncated),
 * 0 for v <= 0 or when the sample's max is <= 0 or not finite (an infinite max would make
 * v / max NaN). Sums of up to 2^23 pixels fit in int64 exactly, whatever the order. */
#define SC_MASS_ONE 1099511627776.0 /* 2^40 */
SC_HD static inline int64_t sc_mass_fixed(float v, float max_value) {
    if (!(v > 0.0f) || !(max_value > 0.0f) || !(max_value <= 3.40282347e38f))
        return 0;
    return (int64_t)((double)v / (double)max_value * SC_MASS_ONE);
}

/* Whether the top-m pixels' mass (sum of sc_mass_fixed) reaches tau of the total. */
SC_HD static inline int sc_mass_reached(int64_t top_mass, int64_t total_mass, float tau) {
    return (double)top_mass >= (double)tau * (double)total_mass;
}

/* Size of M for the tau-mass rule, given the size m of the salient set. */
SC_HD static inline int64_t sc_mass_mask_count(int64_t salient, int64_t hw, float k_min,
                                               float k_max) {
    int64_t count = hw - salient;
    int64_t lo = sc_mask_count(k_min, hw), hi = sc_mask_count(k_max, hw);
    if (count < lo)
        count = lo;
    if (count > hi)
        count = hi;
    return count;
}

SC_HD static inline float sc_clampf(float v, float lo, float hi) {
    return v < lo ? lo : (v > hi ? hi : v);
}

SC_HD static inline float sc_signf(float v) {
    return v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : 0.0f);
}

/* SCAAT's per-pixel budget in pixel units: eps * (1 - s / max)^gamma inside M, 0 outside;
 * s / max is 0 when the sample's max is <= 0. gamma 1 and 2 are exact products; other values
 * go through powf. */
SC_HD static inline float sc_budget_elem(float eps, float gamma, float s, float max_value,
                                         int inside) {
    if (!inside)
        return 0.0f;
    float shat = max_value > 0.0f ? s / max_value : 0.0f;
    float base = 1.0f - shat;
    float scale;
    if (gamma == 1.0f)
        scale = base;
    else if (gamma == 2.0f)
        scale = base * base;
    else if (gamma == 0.0f)
        scale = 1.0f;
    else
        scale = powf(base > 0.0f ? base : 0.0f, gamma);
    return eps * scale;
}

/* Random start: clip(x + (2u - 1) * e, lo, hi), u in [0, 1). */
SC_HD static inline float sc_perturb_init_elem(float x, float e, float u, float lo, float hi) {
    float d = (2.0f * u - 1.0f) * e;
    return sc_clampf(x + d, lo, hi);
}

/* One signed step projected around the clean x: d = clip(xadv - x + beta * e * sign(g), -e, e),
 * then clip(x + d, lo, hi). */
SC_HD static inline float sc_perturb_step_elem(float x, float xadv, float g, float e, float beta,
                                               float lo, float hi) {
    float d = xadv - x;
    d = d + beta * e * sc_signf(g);
    d = sc_clampf(d, -e, e);
    return sc_clampf(x + d, lo, hi);
}

/* SGT's uniform fill value: lo + (hi - lo) * u. */
SC_HD static inline float sc_fill_uniform_elem(float lo, float hi, float u) {
    return lo + (hi - lo) * u;
}

/* KL(softmax(a) || softmax(b)) of one row of k logits, with its gradients:
 * db_j = scale_over_n * (q_j - p_j), da_j = scale_over_n * p_j * (log p_j - log q_j - kl).
 * da / db may be NULL; with accumulate they are added to. Returns kl. */
SC_HD static inline float sc_kl_row(const float *a, const float *b, int k, float scale_over_n,
                                    float *da, float *db, int accumulate) {
    float max_a = a[0], max_b = b[0];
    for (int j = 1; j < k; j++) {
        max_a = a[j] > max_a ? a[j] : max_a;
        max_b = b[j] > max_b ? b[j] : max_b;
    }
    float sum_a = 0.0f, sum_b = 0.0f;
    for (int j = 0; j < k; j++) {
        sum_a += expf(a[j] - max_a);
        sum_b += expf(b[j] - max_b);
    }
    float lse_a = logf(sum_a) + max_a, lse_b = logf(sum_b) + max_b;
    float kl = 0.0f;
    for (int j = 0; j < k; j++) {
        float log_p = a[j] - lse_a, log_q = b[j] - lse_b;
        kl += expf(log_p) * (log_p - log_q);
    }
    for (int j = 0; j < k; j++) {
        float log_p = a[j] - lse_a, log_q = b[j] - lse_b;
        float p = expf(log_p), q = expf(log_q);
        if (db) {
            float g = scale_over_n * (q - p);
            db[j] = accumulate ? db[j] + g : g;
        }
        if (da) {
            float g = scale_over_n * (p * (log_p - log_q - kl));
            da[j] = accumulate ? da[j] + g : g;
        }
    }
    return kl;
}

/* Gini index (Chalasani et al. 2020, Quantus' Sparseness) of one term of the sorted sum:
 * a = v / max + 1e-7 for the i-th smallest |value| v (i from 1); the caller sums
 * (2i - n - 1) * a and a, in double, then calls sc_gini_finish. */
SC_HD static inline double sc_gini_term_a(float v, float max_value) {
    return (double)(v / max_value) + 1e-7;
}

SC_HD static inline double sc_gini_finish(double weighted_sum, double sum, int64_t n) {
    return weighted_sum / ((double)n * sum);
}

#endif
