/* The Gini index of saliency maps (map_gini, backend.h; Chalasani et al. 2020, Quantus'
 * Sparseness). The |values| of each sample are sorted ascending with CUB's segmented radix sort
 * (as uint32 bits, which order like the non-negative floats they are, NaN last), then one block
 * per sample sums a_i = sc_gini_term_a(|v|_(i), max) and (2i - n - 1) a_i in double (a fixed
 * tree order, not the CPU's sequential one: the parity limit allows for that) and applies
 * sc_gini_finish. A map whose largest |value| is zero, infinite or NaN (any NaN sorts last) is
 * degenerate: NaN, left out of stats as on the CPU. */
#include <math.h>

#include <cub/block/block_reduce.cuh>

#include "block.cuh"
#include "kernels.h"
#include "launch.cuh"
#include "sample_sum.cuh"
#include "segment_sort.cuh"

#include "../../host/core/saliency_math.h"

#define SC_GINI_THREADS 256

/* The buffers of one map_gini call within the scratch. */
typedef struct gini_scratch {
    double *ginis; /* (n), NaN where degenerate */
    sc_segment_sort<uint32_t> sort;
} gini_scratch;

static cudaError_t gini_scratch_take(sc_scratch_layout *l, int64_t n, int64_t hw, gini_scratch *g) {
    g->ginis = (double *)sc_scratch_take(l, (size_t)n * sizeof(double));
    return sc_segment_sort_take(l, n, hw, &g->sort);
}

/* The sort key of element i: the bits of |map[i]|. */
struct gini_key {
    const float *map;
    __device__ uint32_t operator()(int64_t i) const { return sc_float_bits(fabsf(map[i])); }
};

typedef cub::BlockReduce<double, SC_GINI_THREADS> gini_reduce;

/* One block per sample over its sorted |values| (n, hw). */
__global__ void __launch_bounds__(SC_GINI_THREADS)
    gini_kernel(const uint32_t *__restrict__ sorted, double *__restrict__ ginis,
                float *__restrict__ gini_out, int64_t n, int64_t hw) {
    __shared__ gini_reduce::TempStorage storage;
    __shared__ double slot;
    SC_BLOCK_PER_SAMPLE_LOOP(s, n) {
        const uint32_t *bits = sorted + s * hw; /* (hw) ascending */
        const float max_abs = __uint_as_float(bits[hw - 1]);
        double gini = NAN;
        if (max_abs > 0.0f && !isinf(max_abs)) { /* uniform in the block */
            double weighted = 0.0, sum = 0.0;
            SC_BLOCK_STRIDE_LOOP(j, hw) {
                const int64_t i = j + 1; /* rank from 1 */
                const double a = sc_gini_term_a(__uint_as_float(bits[j]), max_abs);
                weighted += (double)(2 * i - hw - 1) * a;
                sum += a;
            }
            weighted = sc_block_broadcast(gini_reduce(storage).Sum(weighted), slot);
            sum = sc_block_broadcast(gini_reduce(storage).Sum(sum), slot);
            gini = sc_gini_finish(weighted, sum, hw);
        }
        if (threadIdx.x == 0) {
            ginis[s] = gini;
            if (gini_out)
                gini_out[s] = (float)gini;
        }
    }
}

extern "C" cudaError_t sc_map_gini_scratch_bytes(int64_t n, int64_t hw, size_t *bytes) {
    return sc_scratch_size(gini_scratch_take, n, hw, bytes);
}

extern "C" cudaError_t sc_launch_map_gini(const float *map, float *gini, float *stats, int64_t n,
                                          int64_t hw, void *scratch, size_t scratch_bytes,
                                          cudaStream_t stream) {
    const int64_t total = n * hw;
    if (total <= 0)
        return cudaSuccess;
    gini_scratch g;
    cudaError_t status = sc_scratch_carve(gini_scratch_take, n, hw, scratch, scratch_bytes, &g);
    if (status != cudaSuccess)
        return status;
    uint32_t *sorted = NULL;
    if ((status = sc_segment_sort_keys(&g.sort, gini_key{map}, stream, &sorted)) != cudaSuccess)
        return status;
    gini_kernel<<<sc_grid_blocks(n, 1), SC_GINI_THREADS, 0, stream>>>(sorted, g.ginis, gini, n, hw);
    if ((status = cudaGetLastError()) != cudaSuccess)
        return status;
    return stats ? sc_sample_sum(g.ginis, n, 1, stats, stream) : cudaSuccess;
}
