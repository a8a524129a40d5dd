/* Formulas of the saliency-method and metric ops (backend.h, "saliency-method and metric ops"),
 * shared by the CPU backend and the CUDA kernels (SC_HD, see hd.h): every per-element,
 * per-pixel and per-sample expression those ops evaluate lives here, so both backends compute
 * the same thing in the same order. Both sides compile these without FP contraction.
 *
 * Reductions: where a comment says "in double", the caller sums the given terms in double
 * (any order; the CPU sums in index order) and finishes with the matching *_finish function.
 * Per-pixel loops written here (blur, imputation) fix their own order and precision. */
#ifndef SC_METRIC_MATH_H
#define SC_METRIC_MATH_H

#include <math.h>
#include <stdint.h>

#include "hd.h"
#include "saliency_math.h"

/* ---- blends and noise ------------------------------------------------------------------- */

/* y = alpha * x + beta * y; beta == 0 does not read y (as BLAS), so y may hold anything. */
SC_HD static inline float sc_axpby_elem(float alpha, float x, float beta, float y) {
    return beta == 0.0f ? alpha * x : alpha * x + beta * y;
}

/* SmoothGrad's copy: x + scale * range * z, range = max - min of the image (float, fminf /
 * fmaxf over its C*H*W elements, so NaN is ignored), z = sc_rng_normal(key, i). */
SC_HD static inline float sc_noise_normal_range_elem(float x, float scale, float range, float z) {
    return x + scale * range * z;
}

/* Max-sensitivity's copy: x + scale * (2u - 1), u = sc_rng_uniform(key, i) in [0, 1). */
SC_HD static inline float sc_noise_uniform_elem(float x, float scale, float u) {
    return x + scale * (2.0f * u - 1.0f);
}

/* ---- Grad-CAM and bilinear resize ------------------------------------------------------- */

/* alpha_k = the spatial mean of grad[n, k] from its sum over hw pixels in double. */
SC_HD static inline double sc_gradcam_weight(double grad_sum, int64_t hw) {
    return grad_sum / (double)hw;
}

/* A map pixel from sum over k (ascending, in double) of alpha_k * (double)act[n, k, pixel]:
 * the ReLU of the sum, as float (NaN gives 0). */
SC_HD static inline float sc_gradcam_finish(double weighted_sum) {
    return weighted_sum > 0.0 ? (float)weighted_sum : 0.0f;
}

/* Source position of an output index along one axis of torch's bilinear interpolate with
 * align_corners=False: src = scale * (dst + 0.5) - 0.5 in float, scale = in / out in float,
 * clamped at 0; the two source indices (i1 = i0 + 1 except at the last input index) and
 * their weights l0 = 1 - l1, l1 = src - i0. */
typedef struct sc_lerp_index {
    int64_t i0, i1;
    float l0, l1;
} sc_lerp_index;

SC_HD static inline float sc_bilinear_scale(int64_t in_size, int64_t out_size) {
    return (float)in_size / (float)out_size;
}

SC_HD static inline sc_lerp_index sc_bilinear_source(int64_t dst, float scale, int64_t in_size) {
    float src = scale * ((float)dst + 0.5f) - 0.5f;
    if (src < 0.0f)
        src = 0.0f;
    sc_lerp_index r;
    r.i0 = (int64_t)src;
    if (r.i0 > in_size - 1)
        r.i0 = in_size - 1;
    r.i1 = r.i0 < in_size - 1 ? r.i0 + 1 : r.i0;
    r.l1 = src - (float)r.i0;
    r.l0 = 1.0f - r.l1;
    return r;
}

/* One output value from the four source values v[row][col] (rows h0, h1; columns w0, w1):
 * h.l0 * (w.l0 * v00 + w.l1 * v01) + h.l1 * (w.l0 * v10 + w.l1 * v11), torch's CPU order. */
SC_HD static inline float sc_bilinear_elem(sc_lerp_index h, sc_lerp_index w, float v00, float v01,
                                           float v10, float v11) {
    return h.l0 * (w.l0 * v00 + w.l1 * v01) + h.l1 * (w.l0 * v10 + w.l1 * v11);
}

/* ---- sparsity (map_sparsity) -------------------------------------------------------------
 * Pass 1 over |s|: any NaN, max |s|, l1 = sum |s| and l2sq = sum s^2 (both in double). Pass 2
 * (entropy only): sum of sc_entropy_term over the pixels in double. */

/* A map is degenerate (NaN metrics) when it holds a NaN or its max |s| is 0 or infinite. */
SC_HD static inline int sc_map_degenerate(int has_nan, float max_abs) {
    return has_nan || !(max_abs > 0.0f) || isinf(max_abs);
}

/* Hoyer sparseness (sqrt(n) - l1 / l2) / (sqrt(n) - 1); NaN for n < 2. */
SC_HD static inline double sc_hoyer_finish(double l1, double l2sq, int64_t n) {
    if (n < 2)
        return NAN;
    const double root_n = sqrt((double)n);
    return (root_n - l1 / sqrt(l2sq)) / (root_n - 1.0);
}

/* a = |s| / max|s| + 1e-7 in double. */
SC_HD static inline double sc_sparsity_a(float v, float max_abs) {
    return (double)fabsf(v) / (double)max_abs + 1e-7;
}

/* sum a over the n pixels, from pass 1: l1 / max + n * 1e-7 (the same sum, without a pass). */
SC_HD static inline double sc_entropy_total(double l1, float max_abs, int64_t n) {
    return l1 / (double)max_abs + (double)n * 1e-7;
}

/* One term q ln(q + 1e-12) of the entropy, q = a / total; entropy = -(sum of the terms). */
SC_HD static inline double sc_entropy_term(double a, double total) {
    const double q = a / total;
    return q * log(q + 1e-12);
}

SC_HD static inline double sc_entropy_finish(double term_sum) { return -term_sum; }

/* ---- ranking -------------------------------------------------------------------------------
 * rank_pixels sorts these keys ascending: value descending, ties by the lower flat index, any
 * NaN after every number (least salient); -0 ties with +0. Keys are unique within a sample. */
SC_HD static inline uint64_t sc_salient_first_key(float v, uint32_t index) {
    const uint32_t order = v != v ? 0xFFFFFFFFu : ~sc_float_order_bits(v == 0.0f ? 0.0f : v);
    return ((uint64_t)order << 32) | (uint64_t)index;
}

/* Whether ranked_replace replaces a pixel of this rank (0 = most salient) among hw pixels. */
SC_HD static inline int sc_ranked_selected(int32_t rank, int64_t count, int64_t hw,
                                           int from_least) {
    return from_least ? (int64_t)rank >= hw - count : (int64_t)rank < count;
}

/* rank_rows: the 1-based average rank of a run of equal values that occupies the sorted
 * positions [first, end) (0-based), as scipy's rankdata: (first + 1 + end) / 2. A row with a
 * NaN gets NaN everywhere (scipy's nan_policy="propagate"). */
SC_HD static inline double sc_average_rank(int64_t first, int64_t end) {
    return 0.5 * (double)(first + 1 + end);
}

/* ---- Gaussian blur ---------------------------------------------------------------------------
 * torchvision's gaussian_blur: the 1-D kernel w_t = g_t / sum g (t = 0..kernel-1), g_t =
 * exp(-0.5 (x_t / sigma)^2), x_t = t - (kernel - 1) / 2; the 2-D weight of tap (i, j) is the
 * float product w_i * w_j; reflect padding. */
#define SC_BLUR_MAX_KERNEL 127

/* The normalised 1-D kernel into w (kernel floats): taps and their sum in double. */
SC_HD static inline void sc_gaussian_kernel1d(int kernel, float sigma, float *w) {
    const double half = 0.5 * (double)(kernel - 1);
    double sum = 0.0;
    for (int t = 0; t < kernel; t++) {
        const double x = ((double)t - half) / (double)sigma;
        sum += exp(-0.5 * x * x);
    }
    for (int t = 0; t < kernel; t++) {
        const double x = ((double)t - half) / (double)sigma;
        w[t] = (float)(exp(-0.5 * x * x) / sum);
    }
}

/* Reflect padding without repeating the edge (torch's "reflect": -1 -> 1, n -> n - 2),
 * repeated for offsets beyond one image width (where torch refuses); 0 when n == 1. */
SC_HD static inline int64_t sc_reflect_index(int64_t i, int64_t n) {
    if (n == 1)
        return 0;
    const int64_t period = 2 * (n - 1);
    i = i < 0 ? -i : i;
    i = i % period;
    return i < n ? i : period - i;
}

/* One blurred pixel (h, w) of a plane (height, width): sum over taps i (rows), then j
 * (columns), of (w_i * w_j) * plane[reflect(h + i - r), reflect(w + j - r)], r = kernel / 2,
 * accumulated in float in that order. */
SC_HD static inline float sc_blur_pixel(const float *plane, int64_t h, int64_t w, int64_t height,
                                        int64_t width, const float *weights, int kernel) {
    const int radius = kernel / 2;
    float acc = 0.0f;
    for (int i = 0; i < kernel; i++) {
        const float *row = plane + sc_reflect_index(h + i - radius, height) * width;
        for (int j = 0; j < kernel; j++)
            acc += (weights[i] * weights[j]) * row[sc_reflect_index(w + j - radius, width)];
    }
    return acc;
}

/* ---- scores and curves ------------------------------------------------------------------- */

/* First index of the maximum of a row of k values. */
SC_HD static inline int sc_argmax_row(const float *row, int k) {
    int best = 0;
    for (int j = 1; j < k; j++)
        if (row[j] > row[best])
            best = j;
    return best;
}

/* Softmax probability of class t of a row of k logits, in float: exp(l_t - max) / sum_j
 * exp(l_j - max), the sum in j order. */
SC_HD static inline float sc_softmax_prob_row(const float *row, int k, int t) {
    float max_logit = row[0];
    for (int j = 1; j < k; j++)
        max_logit = row[j] > max_logit ? row[j] : max_logit;
    float sum = 0.0f;
    for (int j = 0; j < k; j++)
        sum += expf(row[j] - max_logit);
    return expf(row[t] - max_logit) / sum;
}

/* target_score's CORRECT: 1 when the row's first argmax is the target, else 0. */
SC_HD static inline float sc_correct_row(const float *row, int k, int t) {
    return sc_argmax_row(row, k) == t ? 1.0f : 0.0f;
}

/* Trapezoid rule on S points equally spaced on [0, 1]: sum in double of the S - 1 terms
 * (y_i + y_{i+1}) / 2, divided by S - 1. */
SC_HD static inline double sc_trapezoid_term(float left, float right) {
    return 0.5 * ((double)left + (double)right);
}

SC_HD static inline double sc_trapezoid_finish(double term_sum, int64_t points) {
    return term_sum / (double)(points - 1);
}

/* Pearson correlation from the centred sums in double, sab = sum (a - mean a)(b - mean b),
 * saa, sbb likewise (means from a first pass in double), clamped to [-1, 1]; NaN when a
 * variance is not > 0. The caller also gives NaN for a row that is constant (all entries
 * equal, tested exactly: a rounded mean would leave a tiny variance) or holds a NaN. */
SC_HD static inline double sc_pearson_finish(double sab, double saa, double sbb) {
    if (!(saa > 0.0) || !(sbb > 0.0))
        return NAN;
    const double r = sab / sqrt(saa * sbb);
    return r > 1.0 ? 1.0 : (r < -1.0 ? -1.0 : r);
}

/* relative_distance: (a - b)^2 in double, summed with b^2 (sc_sq_diff(b, 0)) per sample;
 * sqrt(diff_sq) / sqrt(ref_sq), NaN where ref_sq is not > 0. */
SC_HD static inline double sc_sq_diff(float a, float b) {
    const double d = (double)a - (double)b;
    return d * d;
}

SC_HD static inline double sc_relative_distance_finish(double diff_sq, double ref_sq) {
    return ref_sq > 0.0 ? sqrt(diff_sq) / sqrt(ref_sq) : NAN;
}

/* ---- noisy linear imputation (ROAD) ---------------------------------------------------------
 * Per image plane: out starts as x with every masked pixel set to 0; each Jacobi sweep sets
 * every masked pixel to sc_impute_pixel of the previous sweep's plane (known pixels fixed);
 * after the sweeps, masked element i (flat NCHW) gets sc_impute_noise_elem with
 * z = sc_rng_normal(key, i). */

/* Weight of neighbour (dy, dx), dy, dx in {-1, 0, 1}: 2 direct, 1 diagonal, 0 the pixel. */
SC_HD static inline float sc_impute_weight(int dy, int dx) {
    if (dy == 0 && dx == 0)
        return 0.0f;
    return (dy == 0 || dx == 0) ? 2.0f : 1.0f;
}

/* The weighted mean of the in-image neighbours of pixel (h, w) in src (height, width): the
 * weighted values and the weights summed in float, dy then dx from -1 to 1; the pixel's own
 * value when it has no neighbour (a 1x1 plane). */
SC_HD static inline float sc_impute_pixel(const float *src, int64_t h, int64_t w, int64_t height,
                                          int64_t width) {
    float acc = 0.0f, weight_sum = 0.0f;
    for (int dy = -1; dy <= 1; dy++) {
        const int64_t y = h + dy;
        if (y < 0 || y >= height)
            continue;
        for (int dx = -1; dx <= 1; dx++) {
            const int64_t x = w + dx;
            if (x < 0 || x >= width || (dy == 0 && dx == 0))
                continue;
            const float weight = sc_impute_weight(dy, dx);
            acc += weight * src[y * width + x];
            weight_sum += weight;
        }
    }
    return weight_sum > 0.0f ? acc / weight_sum : src[h * width + w];
}

SC_HD static inline float sc_impute_noise_elem(float v, float noise, float z) {
    return v + noise * z;
}

#endif
