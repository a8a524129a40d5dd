/* Pooling kernels: max pooling (forward and a deterministic gather backward) and global
 * average pooling. The max-pool tie rule is the contract's: the FIRST maximum of a window in
 * row-major order wins, padding never takes part. */
#include <math.h>

#include "kernels.h"
#include "launch.cuh"

/* Index (ih * w + iw) within the plane of the first maximum of window (o_h, o_w), as the CPU
 * backend finds it: start at the window's first real element with -inf as the best value and
 * take strictly greater values only (so NaN never wins; an all-NaN or all -inf window yields its
 * first element). Every window holds a real element because pad <= kernel / 2. */
__device__ static int window_first_max(const float *plane, const sc_pool_geometry &g, int o_h,
                                       int o_w) {
    const int h0 = o_h * g.stride - g.pad;
    const int w0 = o_w * g.stride - g.pad;
    const int h_lo = max(h0, 0);
    const int w_lo = max(w0, 0);
    const int h_hi = min(h0 + g.kernel, g.h);
    const int w_hi = min(w0 + g.kernel, g.w);
    int best = h_lo * g.w + w_lo;
    float best_value = -INFINITY;
    for (int ih = h_lo; ih < h_hi; ih++) {
        for (int iw = w_lo; iw < w_hi; iw++) {
            float v = plane[ih * g.w + iw];
            if (v > best_value) {
                best_value = v;
                best = ih * g.w + iw;
            }
        }
    }
    return best;
}

/* One thread per output element. */
__global__ void maxpool_fwd_kernel(const float *__restrict__ x, float *__restrict__ y,
                                   sc_pool_geometry g) {
    const int64_t out_plane = (int64_t)g.oh * g.ow;
    const int64_t in_plane = (int64_t)g.h * g.w;
    SC_GRID_STRIDE_LOOP(i, g.planes * out_plane) {
        int64_t plane = i / out_plane;
        int rem = (int)(i - plane * out_plane);
        const float *x_plane = x + plane * in_plane;
        y[i] = x_plane[window_first_max(x_plane, g, rem / g.ow, rem % g.ow)];
    }
}

/* One thread per input element: visit the windows that contain it, in row-major order of the
 * output, and add dy of each window whose first maximum it is. Starting from dx (accumulate)
 * or 0 gives the same rounding as the CPU's scatter in output order. */
__global__ void maxpool_bwd_kernel(const float *__restrict__ x, const float *__restrict__ dy,
                                   float *__restrict__ dx, sc_pool_geometry g, int accumulate) {
    const int64_t out_plane = (int64_t)g.oh * g.ow;
    const int64_t in_plane = (int64_t)g.h * g.w;
    SC_GRID_STRIDE_LOOP(i, g.planes * in_plane) {
        int64_t plane = i / in_plane;
        int rem = (int)(i - plane * in_plane);
        int ih = rem / g.w;
        int iw = rem % g.w;
        /* Windows o with o * stride - pad <= i < o * stride - pad + kernel. */
        int oh_lo = ih + g.pad < g.kernel ? 0 : (ih + g.pad - g.kernel) / g.stride + 1;
        int oh_hi = min((ih + g.pad) / g.stride, g.oh - 1);
        int ow_lo = iw + g.pad < g.kernel ? 0 : (iw + g.pad - g.kernel) / g.stride + 1;
        int ow_hi = min((iw + g.pad) / g.stride, g.ow - 1);
        const float *x_plane = x + plane * in_plane;
        const float *dy_plane = dy + plane * out_plane;
        float acc = accumulate ? dx[i] : 0.0f;
        for (int o_h = oh_lo; o_h <= oh_hi; o_h++) {
            for (int o_w = ow_lo; o_w <= ow_hi; o_w++) {
                if (window_first_max(x_plane, g, o_h, o_w) == rem)
                    acc += dy_plane[o_h * g.ow + o_w];
            }
        }
        dx[i] = acc;
    }
}

/* One warp per plane: lanes sum strided elements, then a shuffle reduction. */
__global__ void gap_fwd_kernel(const float *__restrict__ x, float *__restrict__ y, int64_t planes,
                               int64_t hw) {
    const int lane = threadIdx.x & 31;
    const int64_t first_warp = ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    const int64_t warps = ((int64_t)gridDim.x * blockDim.x) >> 5;
    for (int64_t p = first_warp; p < planes; p += warps) {
        const float *row = x + p * hw;
        float sum = 0.0f;
        for (int64_t j = lane; j < hw; j += 32)
            sum += row[j];
        for (int offset = 16; offset > 0; offset >>= 1)
            sum += __shfl_down_sync(0xffffffffu, sum, offset);
        if (lane == 0)
            y[p] = sum / (float)hw;
    }
}

__global__ void gap_bwd_kernel(const float *__restrict__ dy, float *__restrict__ dx, int64_t planes,
                               int64_t hw, int accumulate) {
    SC_GRID_STRIDE_LOOP(i, planes * hw) {
        float g = dy[i / hw] / (float)hw;
        dx[i] = accumulate ? dx[i] + g : g;
    }
}

extern "C" cudaError_t sc_launch_maxpool_fwd(const float *x, float *y, sc_pool_geometry g,
                                             cudaStream_t stream) {
    int64_t n = g.planes * g.oh * g.ow;
    if (n <= 0)
        return cudaSuccess;
    maxpool_fwd_kernel<<<sc_grid_blocks(n, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(x, y,
                                                                                             g);
    return cudaGetLastError();
}

extern "C" cudaError_t sc_launch_maxpool_bwd(const float *x, const float *dy, float *dx,
                                             sc_pool_geometry g, int accumulate,
                                             cudaStream_t stream) {
    int64_t n = g.planes * g.h * g.w;
    if (n <= 0)
        return cudaSuccess;
    maxpool_bwd_kernel<<<sc_grid_blocks(n, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        x, dy, dx, g, accumulate);
    return cudaGetLastError();
}

extern "C" cudaError_t sc_launch_gap_fwd(const float *x, float *y, int64_t planes, int64_t hw,
                                         cudaStream_t stream) {
    if (planes <= 0)
        return cudaSuccess;
    /* SC_BLOCK_THREADS / 32 warps, so planes per block. */
    gap_fwd_kernel<<<sc_grid_blocks(planes, SC_BLOCK_THREADS / 32), SC_BLOCK_THREADS, 0, stream>>>(
        x, y, planes, hw);
    return cudaGetLastError();
}

extern "C" cudaError_t sc_launch_gap_bwd(const float *dy, float *dx, int64_t planes, int64_t hw,
                                         int accumulate, cudaStream_t stream) {
    int64_t n = planes * hw;
    if (n <= 0)
        return cudaSuccess;
    gap_bwd_kernel<<<sc_grid_blocks(n, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        dy, dx, planes, hw, accumulate);
    return cudaGetLastError();
}
