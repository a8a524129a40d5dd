/* Saliency helpers: the channel reduction of an input gradient into a map (saliency_reduce),
 * the one-hot logits gradient that seeds a saliency backward pass (onehot) and the predicted
 * class (argmax). Each thread runs the formula the CPU backend runs (saliency_math.h,
 * metric_math.h), so both backends produce the same bits. */
#include "kernels.h"
#include "label_check.cuh"
#include "launch.cuh"

#include "../../host/core/metric_math.h"
#include "../../host/core/saliency_math.h"

/* One thread per pixel: sc_saliency_reduce_pixel over its channels. */
__global__ void saliency_reduce_kernel(const float *__restrict__ g, const float *__restrict__ x,
                                       float *__restrict__ map, int64_t n, int64_t channels,
                                       int64_t hw, sc_reduce_kind kind) {
    SC_GRID_STRIDE_LOOP(i, n * hw) {
        const int64_t first = (i / hw) * channels * hw + i % hw; /* (n, 0, h, w) */
        map[i] = sc_saliency_reduce_pixel((int)kind, g + first, x ? x + first : NULL, channels, hw);
    }
}

/* One thread per output element; the thread of column 0 checks the row's target. */
__global__ void onehot_kernel(const int32_t *__restrict__ targets, float *__restrict__ out,
                              int64_t rows, int64_t classes, float scale, sc_label_check check) {
    SC_GRID_STRIDE_LOOP(i, rows * classes) {
        const int64_t row = i / classes, column = i % classes;
        const int32_t target = targets[row];
        if (column == 0)
            (void)sc_label_ok(check, SC_OP_ONEHOT, row, target, classes);
        out[i] = column == (int64_t)target ? scale : 0.0f;
    }
}

/* One thread per row: sc_argmax_row, the first index of the maximum. */
__global__ void argmax_kernel(const float *__restrict__ logits, int32_t *__restrict__ out,
                              int64_t rows, int64_t classes) {
    SC_GRID_STRIDE_LOOP(n, rows) {
        out[n] = (int32_t)sc_argmax_row(logits + n * classes, (int)classes);
    }
}

extern "C" cudaError_t sc_launch_saliency_reduce(const float *g, const float *x, float *map,
                                                 int64_t n, int64_t channels, int64_t hw,
                                                 sc_reduce_kind kind, cudaStream_t stream) {
    if (n * hw <= 0)
        return cudaSuccess;
    saliency_reduce_kernel<<<sc_grid_blocks(n * hw, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0,
                             stream>>>(g, x, map, n, channels, hw, kind);
    return cudaGetLastError();
}

extern "C" cudaError_t sc_launch_onehot(const int32_t *targets, float *out, int64_t rows,
                                        int64_t classes, float scale, sc_label_check check,
                                        cudaStream_t stream) {
    if (rows * classes <= 0)
        return cudaSuccess;
    onehot_kernel<<<sc_grid_blocks(rows * classes, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0,
                    stream>>>(targets, out, rows, classes, scale, check);
    return cudaGetLastError();
}

extern "C" cudaError_t sc_launch_argmax(const float *logits, int32_t *out, int64_t rows,
                                        int64_t classes, cudaStream_t stream) {
    if (rows <= 0)
        return cudaSuccess;
    argmax_kernel<<<sc_grid_blocks(rows, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        logits, out, rows, classes);
    return cudaGetLastError();
}
