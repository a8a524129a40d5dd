/* Grad-CAM and the bilinear resize that brings its map to the image size (backend.h), with the
 * CPU's formulas (host/core/metric_math.h). gradcam: one block per (sample, channel) plane sums
 * the gradient in double (a fixed tree order, the CPU's is the pixel order: the parity limit
 * allows for it) into alpha = sc_gradcam_weight; then one thread per map pixel sums
 * alpha * act over the channels in ascending order in double, as the CPU. resize_bilinear: one
 * thread per output element from its four source values (sc_bilinear_*), bit-identical to the
 * CPU. */
#include <cub/block/block_reduce.cuh>

#include "block.cuh"
#include "kernels.h"
#include "launch.cuh"

#include "../../host/core/metric_math.h"

#define SC_GRADCAM_THREADS 128

typedef cub::BlockReduce<double, SC_GRADCAM_THREADS> gradcam_reduce;

/* One block per plane of grad (planes, hw) -> alpha (planes). */
__global__ void __launch_bounds__(SC_GRADCAM_THREADS)
    gradcam_weight_kernel(const float *__restrict__ grad, double *__restrict__ alpha,
                          int64_t planes, int64_t hw) {
    __shared__ gradcam_reduce::TempStorage storage;
    SC_BLOCK_PER_SAMPLE_LOOP(plane, planes) {
        const float *g = grad + plane * hw; /* (h, w) */
        double sum = 0.0;
        SC_BLOCK_STRIDE_LOOP(i, hw) { sum += (double)g[i]; }
        __syncthreads(); /* storage is reused across planes */
        sum = gradcam_reduce(storage).Sum(sum);
        if (threadIdx.x == 0)
            alpha[plane] = sc_gradcam_weight(sum, hw);
    }
}

/* act (n, channels, hw), alpha (n, channels) -> map (n, hw), one thread per pixel. */
__global__ void gradcam_map_kernel(const float *__restrict__ act, const double *__restrict__ alpha,
                                   float *__restrict__ map, int64_t n, int64_t channels,
                                   int64_t hw) {
    SC_GRID_STRIDE_LOOP(p, n * hw) {
        const int64_t s = p / hw, i = p % hw;
        const float *a = act + s * channels * hw + i; /* (channels) at stride hw */
        double acc = 0.0;
        for (int64_t k = 0; k < channels; k++)
            acc += alpha[s * channels + k] * (double)a[k * hw];
        map[p] = sc_gradcam_finish(acc);
    }
}

/* in (planes, in_h, in_w) -> out (planes, out_h, out_w), one thread per output element. */
__global__ void resize_bilinear_kernel(const float *__restrict__ in, float *__restrict__ out,
                                       int64_t planes, int64_t in_h, int64_t in_w, int64_t out_h,
                                       int64_t out_w, float scale_h, float scale_w) {
    const int64_t out_plane = out_h * out_w;
    SC_GRID_STRIDE_LOOP(i, planes * out_plane) {
        const int64_t plane = i / out_plane, y = (i % out_plane) / out_w, x = i % out_w;
        const float *src = in + plane * in_h * in_w; /* (in_h, in_w) */
        const sc_lerp_index hl = sc_bilinear_source(y, scale_h, in_h);
        const sc_lerp_index wl = sc_bilinear_source(x, scale_w, in_w);
        out[i] = sc_bilinear_elem(hl, wl, src[hl.i0 * in_w + wl.i0], src[hl.i0 * in_w + wl.i1],
                                  src[hl.i1 * in_w + wl.i0], src[hl.i1 * in_w + wl.i1]);
    }
}

extern "C" cudaError_t sc_launch_gradcam(const float *act, const float *grad, float *map,
                                         double *alpha, int64_t n, int64_t channels, int64_t hw,
                                         cudaStream_t stream) {
    const int64_t planes = n * channels;
    if (planes * hw <= 0)
        return cudaSuccess;
    gradcam_weight_kernel<<<sc_grid_blocks(planes, 1), SC_GRADCAM_THREADS, 0, stream>>>(grad, alpha,
                                                                                        planes, hw);
    cudaError_t status = cudaGetLastError();
    if (status != cudaSuccess)
        return status;
    gradcam_map_kernel<<<sc_grid_blocks(n * hw, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        act, alpha, map, n, channels, hw);
    return cudaGetLastError();
}

extern "C" cudaError_t sc_launch_resize_bilinear(const float *in, float *out, int64_t planes,
                                                 int64_t in_h, int64_t in_w, int64_t out_h,
                                                 int64_t out_w, cudaStream_t stream) {
    const int64_t total = planes * out_h * out_w;
    if (total <= 0 || in_h * in_w <= 0)
        return cudaSuccess;
    resize_bilinear_kernel<<<sc_grid_blocks(total, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0,
                             stream>>>(in, out, planes, in_h, in_w, out_h, out_w,
                                       sc_bilinear_scale(in_h, out_h),
                                       sc_bilinear_scale(in_w, out_w));
    return cudaGetLastError();
}
