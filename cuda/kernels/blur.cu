/* Gaussian blur of every image channel (gaussian_blur, backend.h), bit-identical to the CPU:
 * the caller hands in the CPU's normalised 1-D weights (sc_gaussian_kernel1d, computed on the
 * host), each block copies them to shared memory, and each thread computes one output element
 * with sc_blur_pixel (host/core/metric_math.h): the same float tap products summed in the same
 * order, with reflect padding. */
#include <string.h>

#include "kernels.h"
#include "launch.cuh"

#include "../../host/core/metric_math.h"

/* The 1-D weights passed by value to the kernel. */
typedef struct blur_weights {
    float w[SC_BLUR_MAX_KERNEL];
} blur_weights;

/* x, out (planes, height, width), one thread per output element. */
__global__ void gaussian_blur_kernel(const float *__restrict__ x, float *__restrict__ out,
                                     int64_t planes, int64_t height, int64_t width,
                                     blur_weights weights, int kernel) {
    __shared__ float w[SC_BLUR_MAX_KERNEL];
    for (int t = threadIdx.x; t < kernel; t += blockDim.x)
        w[t] = weights.w[t];
    __syncthreads();
    const int64_t hw = height * width;
    SC_GRID_STRIDE_LOOP(i, planes * hw) {
        const int64_t plane = i / hw, h = (i % hw) / width, c = i % width;
        out[i] = sc_blur_pixel(x + plane * hw, h, c, height, width, w, kernel);
    }
}

extern "C" cudaError_t sc_launch_gaussian_blur(const float *x, float *out, int64_t planes,
                                               int64_t height, int64_t width, const float *weights,
                                               int kernel, cudaStream_t stream) {
    const int64_t total = planes * height * width;
    if (total <= 0)
        return cudaSuccess;
    if (kernel < 1 || kernel > SC_BLUR_MAX_KERNEL)
        return cudaErrorInvalidValue;
    blur_weights by_value;
    memset(&by_value, 0, sizeof by_value);
    memcpy(by_value.w, weights, (size_t)kernel * sizeof(float));
    gaussian_blur_kernel<<<sc_grid_blocks(total, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        x, out, planes, height, width, by_value, kernel);
    return cudaGetLastError();
}
