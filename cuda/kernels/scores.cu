/* Per-sample scores and row statistics of the metrics (backend.h) with the CPU's formulas
 * (host/core/metric_math.h):
 *   target_score      one thread per row: sc_correct_row and the logit are exact; the
 *                     probability (sc_softmax_prob_row) goes through CUDA's expf. A target
 *                     outside [0, K) is recorded for the host's next stream wait (label_check.cuh,
 *                     the CPU's refusal) and scored NaN.
 *   curve_auc         one thread per row, the trapezoid terms summed in double in index order,
 *                     exactly as the CPU.
 *   pearson_rows      one block per row: NaN and constant rows (fminf / fmaxf, exact) get NaN;
 *                     means and centred sums in double.
 *   masked_sum        one block per sample, the sum in double.
 *   relative_distance one block per sample, both squared norms in double.
 * The block sums run in a fixed tree order (CUB's block reduction), the CPU's in index order:
 * the parity limits allow for that. */
#include <math.h>

#include <cub/block/block_reduce.cuh>

#include "block.cuh"
#include "kernels.h"
#include "label_check.cuh"
#include "launch.cuh"

#include "../../host/core/metric_math.h"

#define SC_SCORE_THREADS 256

typedef cub::BlockReduce<double, SC_SCORE_THREADS> score_double_reduce;
typedef cub::BlockReduce<float, SC_SCORE_THREADS> score_float_reduce;
typedef cub::BlockReduce<int, SC_SCORE_THREADS> score_int_reduce;

/* logits (rows, k), targets (rows) -> out[row, column] of out (rows, steps). */
__global__ void target_score_kernel(const float *__restrict__ logits,
                                    const int32_t *__restrict__ targets, float *__restrict__ out,
                                    int64_t rows, int k, int64_t steps, int column,
                                    sc_score_kind kind, sc_label_check check) {
    SC_GRID_STRIDE_LOOP(n, rows) {
        const float *row = logits + n * k; /* (k) */
        const int t = targets[n];
        float score = NAN;
        if (sc_label_ok(check, SC_OP_TARGET_SCORE, n, t, k)) {
            if (kind == SC_SCORE_PROB)
                score = sc_softmax_prob_row(row, k, t);
            else if (kind == SC_SCORE_LOGIT)
                score = row[t];
            else
                score = sc_correct_row(row, k, t);
        }
        out[n * steps + column] = score;
    }
}

/* curves (rows, points) -> auc (rows). */
__global__ void curve_auc_kernel(const float *__restrict__ curves, float *__restrict__ auc,
                                 int64_t rows, int64_t points) {
    SC_GRID_STRIDE_LOOP(n, rows) {
        const float *y = curves + n * points; /* (points) */
        double sum = 0.0;
        for (int64_t i = 0; i + 1 < points; i++)
            sum += sc_trapezoid_term(y[i], y[i + 1]);
        auc[n] = (float)sc_trapezoid_finish(sum, points);
    }
}

/* The block-wide sum of v in every thread (storage and slot reused: see sc_block_broadcast). */
__device__ static inline double block_sum(double v, score_double_reduce::TempStorage &storage,
                                          double &slot) {
    return sc_block_broadcast(score_double_reduce(storage).Sum(v), slot);
}

/* One block per row of a, b (rows, m) -> out (rows). */
__global__ void __launch_bounds__(SC_SCORE_THREADS)
    pearson_rows_kernel(const float *__restrict__ a, const float *__restrict__ b,
                        float *__restrict__ out, int64_t rows, int64_t m) {
    __shared__ union {
        score_double_reduce::TempStorage double_reduce;
        score_float_reduce::TempStorage float_reduce;
        score_int_reduce::TempStorage int_reduce;
    } storage;
    __shared__ double double_slot;
    __shared__ float float_slot;
    __shared__ int int_slot;
    SC_BLOCK_PER_SAMPLE_LOOP(row, rows) {
        const float *ra = a + row * m, *rb = b + row * m; /* (m) each */
        /* NaN is the identity of fminf / fmaxf: a thread without entries changes nothing. */
        float a_lo = NAN, a_hi = NAN, b_lo = NAN, b_hi = NAN;
        double sum_a = 0.0, sum_b = 0.0;
        int nan_count = 0;
        SC_BLOCK_STRIDE_LOOP(i, m) {
            nan_count += (isnan(ra[i]) || isnan(rb[i])) ? 1 : 0;
            a_lo = fminf(a_lo, ra[i]);
            a_hi = fmaxf(a_hi, ra[i]);
            b_lo = fminf(b_lo, rb[i]);
            b_hi = fmaxf(b_hi, rb[i]);
            sum_a += (double)ra[i];
            sum_b += (double)rb[i];
        }
        __syncthreads(); /* storage is reused across rows */
        nan_count =
            sc_block_broadcast(score_int_reduce(storage.int_reduce).Sum(nan_count), int_slot);
        score_float_reduce::TempStorage &fs = storage.float_reduce;
        a_lo = sc_block_broadcast(score_float_reduce(fs).Reduce(a_lo, sc_fmin_op()), float_slot);
        a_hi = sc_block_broadcast(score_float_reduce(fs).Reduce(a_hi, sc_fmax_op()), float_slot);
        b_lo = sc_block_broadcast(score_float_reduce(fs).Reduce(b_lo, sc_fmin_op()), float_slot);
        b_hi = sc_block_broadcast(score_float_reduce(fs).Reduce(b_hi, sc_fmax_op()), float_slot);
        double r = NAN;
        if (nan_count == 0 && a_lo != a_hi && b_lo != b_hi) { /* uniform in the block */
            const double mean_a = block_sum(sum_a, storage.double_reduce, double_slot) / (double)m;
            const double mean_b = block_sum(sum_b, storage.double_reduce, double_slot) / (double)m;
            double sab = 0.0, saa = 0.0, sbb = 0.0;
            SC_BLOCK_STRIDE_LOOP(i, m) {
                const double da = (double)ra[i] - mean_a, db = (double)rb[i] - mean_b;
                sab += da * db;
                saa += da * da;
                sbb += db * db;
            }
            sab = block_sum(sab, storage.double_reduce, double_slot);
            saa = block_sum(saa, storage.double_reduce, double_slot);
            sbb = block_sum(sbb, storage.double_reduce, double_slot);
            r = sc_pearson_finish(sab, saa, sbb);
        }
        if (threadIdx.x == 0)
            out[row] = (float)r;
    }
}

/* One block per sample of map, mask (n, hw), mask NULL (every pixel) -> out[s, column] of out
 * (n, steps). */
__global__ void __launch_bounds__(SC_SCORE_THREADS)
    masked_sum_kernel(const float *__restrict__ map, const float *__restrict__ mask,
                      float *__restrict__ out, int64_t n, int64_t hw, int64_t steps, int column) {
    __shared__ score_double_reduce::TempStorage storage;
    __shared__ double slot;
    SC_BLOCK_PER_SAMPLE_LOOP(s, n) {
        double sum = 0.0;
        SC_BLOCK_STRIDE_LOOP(i, hw) {
            const int64_t at = s * hw + i;
            if (!mask || mask[at] != 0.0f)
                sum += (double)map[at];
        }
        sum = block_sum(sum, storage, slot);
        if (threadIdx.x == 0)
            out[s * steps + column] = (float)sum;
    }
}

/* One block per sample of a, b (n, per_sample) -> out (n). */
__global__ void __launch_bounds__(SC_SCORE_THREADS)
    relative_distance_kernel(const float *__restrict__ a, const float *__restrict__ b,
                             float *__restrict__ out, int64_t n, int64_t per_sample) {
    __shared__ score_double_reduce::TempStorage storage;
    __shared__ double slot;
    SC_BLOCK_PER_SAMPLE_LOOP(s, n) {
        double diff_sq = 0.0, ref_sq = 0.0;
        SC_BLOCK_STRIDE_LOOP(i, per_sample) {
            const int64_t at = s * per_sample + i;
            diff_sq += sc_sq_diff(a[at], b[at]);
            ref_sq += sc_sq_diff(b[at], 0.0f);
        }
        diff_sq = block_sum(diff_sq, storage, slot);
        ref_sq = block_sum(ref_sq, storage, slot);
        if (threadIdx.x == 0)
            out[s] = (float)sc_relative_distance_finish(diff_sq, ref_sq);
    }
}

extern "C" cudaError_t sc_launch_target_score(const float *logits, const int32_t *targets,
                                              float *out, int64_t rows, int k, int64_t steps,
                                              int column, sc_score_kind kind,
                                              sc_label_check check, cudaStream_t stream) {
    if (rows <= 0)
        return cudaSuccess;
    target_score_kernel<<<sc_grid_blocks(rows, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        logits, targets, out, rows, k, steps, column, kind, check);
    return cudaGetLastError();
}

extern "C" cudaError_t sc_launch_curve_auc(const float *curves, float *auc, int64_t rows,
                                           int64_t points, cudaStream_t stream) {
    if (rows <= 0)
        return cudaSuccess;
    curve_auc_kernel<<<sc_grid_blocks(rows, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        curves, auc, rows, points);
    return cudaGetLastError();
}

extern "C" cudaError_t sc_launch_pearson_rows(const float *a, const float *b, float *out,
                                              int64_t rows, int64_t m, cudaStream_t stream) {
    if (rows * m <= 0)
        return cudaSuccess;
    pearson_rows_kernel<<<sc_grid_blocks(rows, 1), SC_SCORE_THREADS, 0, stream>>>(a, b, out, rows,
                                                                                  m);
    return cudaGetLastError();
}

extern "C" cudaError_t sc_launch_masked_sum(const float *map, const float *mask, float *out,
                                            int64_t n, int64_t hw, int64_t steps, int column,
                                            cudaStream_t stream) {
    if (n * hw <= 0)
        return cudaSuccess;
    masked_sum_kernel<<<sc_grid_blocks(n, 1), SC_SCORE_THREADS, 0, stream>>>(map, mask, out, n, hw,
                                                                             steps, column);
    return cudaGetLastError();
}

extern "C" cudaError_t sc_launch_relative_distance(const float *a, const float *b, float *out,
                                                   int64_t n, int64_t per_sample,
                                                   cudaStream_t stream) {
    if (n * per_sample <= 0)
        return cudaSuccess;
    relative_distance_kernel<<<sc_grid_blocks(n, 1), SC_SCORE_THREADS, 0, stream>>>(a, b, out, n,
                                                                                    per_sample);
    return cudaGetLastError();
}
