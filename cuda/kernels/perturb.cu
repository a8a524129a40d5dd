/* SCAAT's adversarial perturbation (backend.h) with the CPU's formulas (saliency_math.h):
 * the per-pixel budget against the sample's max (perturb_budget, one block per sample: the max
 * is fmaxf from -inf, exact in any order), the random start keyed by the flat NCHW index
 * (perturb_init, element-wise) and one signed step projected around the clean x
 * (perturb_step, one block per sample, which also sums the sample's |delta| * std in double
 * for stats). The budget of element (n, c, h, w) in normalised units is
 * e_c = budget[n, 0, h, w] / std[c], or eps / std[c] without a budget map. */
#include <math.h>

#include <cub/block/block_reduce.cuh>

#include "block.cuh"
#include "kernels.h"
#include "launch.cuh"
#include "sample_sum.cuh"

#include "../../host/core/rng.h"
#include "../../host/core/saliency_math.h"

#define SC_PERTURB_THREADS 256

/* e_c of the element at pixel (n * hw + h * W + w) of channel c; budget may be NULL. */
__device__ static inline float element_budget(const sc_perturb_params &p,
                                              const float *__restrict__ budget, int64_t pixel,
                                              int64_t c) {
    return (budget ? budget[pixel] : p.eps) / p.std[c];
}

typedef cub::BlockReduce<float, SC_PERTURB_THREADS> budget_reduce;

/* One block per sample of map, mask, budget (n, hw); mask may be NULL (all inside). */
__global__ void __launch_bounds__(SC_PERTURB_THREADS)
    perturb_budget_kernel(const float *__restrict__ map, const float *__restrict__ mask,
                          float *__restrict__ budget, int64_t n, int64_t hw, sc_budget_params p) {
    __shared__ budget_reduce::TempStorage storage;
    __shared__ float slot;
    SC_BLOCK_PER_SAMPLE_LOOP(s, n) {
        const float *values = map + s * hw; /* (hw) */
        float max_value = -INFINITY;
        SC_BLOCK_STRIDE_LOOP(i, hw) { max_value = fmaxf(max_value, values[i]); }
        max_value =
            sc_block_broadcast(budget_reduce(storage).Reduce(max_value, sc_fmax_op()), slot);
        SC_BLOCK_STRIDE_LOOP(i, hw) {
            const int inside = mask ? mask[s * hw + i] != 0.0f : 1;
            budget[s * hw + i] = sc_budget_elem(p.eps, p.gamma, values[i], max_value, inside);
        }
    }
}

/* One thread per element of x, xadv (n, channels, hw). */
__global__ void perturb_init_kernel(const float *__restrict__ x, const float *__restrict__ budget,
                                    float *__restrict__ xadv, int64_t n, int64_t channels,
                                    int64_t hw, sc_perturb_params p) {
    SC_GRID_STRIDE_LOOP(i, n * channels * hw) {
        const int64_t plane = i / hw, c = plane % channels;
        const int64_t pixel = (plane / channels) * hw + i % hw;
        const float e = element_budget(p, budget, pixel, c);
        xadv[i] =
            sc_perturb_init_elem(x[i], e, sc_rng_uniform(p.key, (uint64_t)i), p.lo[c], p.hi[c]);
    }
}

typedef cub::BlockReduce<double, SC_PERTURB_THREADS> step_reduce;

/* One block per sample of x, g, xadv (n, channels, hw), xadv in place; with sample_values,
 * sample_values[s] = mean over the sample's elements of |xadv - x| * std[c]. */
__global__ void __launch_bounds__(SC_PERTURB_THREADS)
    perturb_step_kernel(const float *__restrict__ x, const float *__restrict__ g,
                        const float *__restrict__ budget, float *__restrict__ xadv,
                        double *__restrict__ sample_values, int64_t n, int64_t channels, int64_t hw,
                        sc_perturb_params p) {
    __shared__ step_reduce::TempStorage storage;
    const int64_t elements = channels * hw;
    SC_BLOCK_PER_SAMPLE_LOOP(s, n) {
        double sum = 0.0;
        SC_BLOCK_STRIDE_LOOP(j, elements) {
            const int64_t c = j / hw, i = s * elements + j;
            const float e = element_budget(p, budget, s * hw + j % hw, c);
            const float moved =
                sc_perturb_step_elem(x[i], xadv[i], g[i], e, p.step_size, p.lo[c], p.hi[c]);
            xadv[i] = moved;
            sum += (double)fabsf(moved - x[i]) * (double)p.std[c];
        }
        if (sample_values) { /* uniform in the block */
            __syncthreads(); /* storage is reused across samples */
            sum = step_reduce(storage).Sum(sum);
            if (threadIdx.x == 0)
                sample_values[s] = sum / (double)elements;
        }
    }
}

extern "C" cudaError_t sc_launch_perturb_budget(const float *map, const float *mask, float *budget,
                                                int64_t n, int64_t hw, sc_budget_params p,
                                                cudaStream_t stream) {
    if (n * hw <= 0)
        return cudaSuccess;
    perturb_budget_kernel<<<sc_grid_blocks(n, 1), SC_PERTURB_THREADS, 0, stream>>>(
        map, mask, budget, n, hw, p);
    return cudaGetLastError();
}

extern "C" cudaError_t sc_launch_perturb_init(const float *x, const float *budget, float *xadv,
                                              int64_t n, int64_t channels, int64_t hw,
                                              sc_perturb_params p, cudaStream_t stream) {
    const int64_t total = n * channels * hw;
    if (total <= 0)
        return cudaSuccess;
    perturb_init_kernel<<<sc_grid_blocks(total, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        x, budget, xadv, n, channels, hw, p);
    return cudaGetLastError();
}

extern "C" cudaError_t sc_launch_perturb_step(const float *x, const float *g, const float *budget,
                                              float *xadv, float *stats, double *sample_values,
                                              int64_t n, int64_t channels, int64_t hw,
                                              sc_perturb_params p, cudaStream_t stream) {
    if (n * channels * hw <= 0)
        return cudaSuccess;
    if (stats && !sample_values)
        return cudaErrorInvalidValue;
    perturb_step_kernel<<<sc_grid_blocks(n, 1), SC_PERTURB_THREADS, 0, stream>>>(
        x, g, budget, xadv, stats ? sample_values : NULL, n, channels, hw, p);
    cudaError_t status = cudaGetLastError();
    if (status != cudaSuccess || !stats)
        return status;
    return sc_sample_sum(sample_values, n, 0, stats, stream);
}
