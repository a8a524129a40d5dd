/* ROAD's noisy linear imputation (impute_linear, backend.h), bit-identical to the CPU: out and
 * a spare buffer of the same size both start as x with the masked pixels at 0; each Jacobi
 * sweep is one launch in which every masked pixel of the destination takes sc_impute_pixel of
 * the source (host/core/metric_math.h: the same float sums in the same neighbour order), and
 * the two buffers swap roles, so a sweep reads only the previous iterate whatever the thread
 * order; known pixels are never written after the start. A final pass writes the last
 * iterate to out, masked element i (flat NCHW) + noise * sc_rng_normal(key, i). */
#include "kernels.h"
#include "launch.cuh"

#include "../../host/core/metric_math.h"
#include "../../host/core/rng.h"

/* x, out, spare (n, channels, hw); mask (n, hw). */
__global__ void impute_start_kernel(const float *__restrict__ x, const float *__restrict__ mask,
                                    float *__restrict__ out, float *__restrict__ spare,
                                    int64_t total, int64_t channels, int64_t hw) {
    SC_GRID_STRIDE_LOOP(i, total) {
        const float v = mask[(i / hw / channels) * hw + i % hw] != 0.0f ? 0.0f : x[i];
        out[i] = v;
        spare[i] = v;
    }
}

/* One sweep: every masked pixel of dst from its neighbours in src; src, dst (planes, height,
 * width) distinct buffers. */
__global__ void impute_sweep_kernel(const float *__restrict__ src, const float *__restrict__ mask,
                                    float *__restrict__ dst, int64_t total, int64_t channels,
                                    int64_t height, int64_t width) {
    const int64_t hw = height * width;
    SC_GRID_STRIDE_LOOP(i, total) {
        const int64_t plane = i / hw, pixel = i % hw;
        if (mask[(plane / channels) * hw + pixel] != 0.0f)
            dst[i] = sc_impute_pixel(src + plane * hw, pixel / width, pixel % width, height, width);
    }
}

/* out = the last iterate (may be out itself), masked elements plus their noise. */
__global__ void impute_noise_kernel(const float *last, const float *__restrict__ mask, float *out,
                                    int64_t total, int64_t channels, int64_t hw,
                                    sc_impute_params p) {
    SC_GRID_STRIDE_LOOP(i, total) {
        if (mask[(i / hw / channels) * hw + i % hw] != 0.0f)
            out[i] = sc_impute_noise_elem(last[i], p.noise, sc_rng_normal(p.key, (uint64_t)i));
        else
            out[i] = last[i];
    }
}

extern "C" cudaError_t sc_launch_impute_linear(const float *x, const float *mask, float *out,
                                               float *spare, int64_t n, int64_t channels,
                                               int64_t height, int64_t width, sc_impute_params p,
                                               cudaStream_t stream) {
    const int64_t hw = height * width, total = n * channels * hw;
    if (total <= 0)
        return cudaSuccess;
    const unsigned int blocks = sc_grid_blocks(total, SC_BLOCK_THREADS);
    impute_start_kernel<<<blocks, SC_BLOCK_THREADS, 0, stream>>>(x, mask, out, spare, total,
                                                                 channels, hw);
    cudaError_t status = cudaGetLastError();
    float *src = out, *dst = spare;
    for (int sweep = 0; sweep < p.iterations && status == cudaSuccess; sweep++) {
        impute_sweep_kernel<<<blocks, SC_BLOCK_THREADS, 0, stream>>>(src, mask, dst, total,
                                                                     channels, height, width);
        status = cudaGetLastError();
        float *swap = src;
        src = dst;
        dst = swap;
    }
    if (status != cudaSuccess)
        return status;
    impute_noise_kernel<<<blocks, SC_BLOCK_THREADS, 0, stream>>>(src, mask, out, total, channels,
                                                                 hw, p);
    return cudaGetLastError();
}
