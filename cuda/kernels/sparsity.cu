/* Hoyer sparseness and entropy of saliency maps (map_sparsity, backend.h) with the CPU's
 * formulas (host/core/metric_math.h), one block per sample. Pass 1 over |s|: the NaN count,
 * max |s| (fmaxf from 0, exact in any order) and the l1 and squared l2 norms in double; a
 * degenerate map (sc_map_degenerate) gets NaN for both. Pass 2, only when the entropy is
 * wanted, sums sc_entropy_term in double. The double sums run in a fixed tree order (CUB's
 * block reduction), the CPU's in pixel order: the parity limit allows for that. */
#include <math.h>

#include <cub/block/block_reduce.cuh>

#include "block.cuh"
#include "kernels.h"
#include "launch.cuh"

#include "../../host/core/metric_math.h"

#define SC_SPARSITY_THREADS 256

typedef cub::BlockReduce<double, SC_SPARSITY_THREADS> sparsity_double_reduce;
typedef cub::BlockReduce<float, SC_SPARSITY_THREADS> sparsity_float_reduce;
typedef cub::BlockReduce<int, SC_SPARSITY_THREADS> sparsity_int_reduce;

/* One block per sample of map (n, hw) -> hoyer (n), entropy (n), either may be NULL. */
__global__ void __launch_bounds__(SC_SPARSITY_THREADS)
    map_sparsity_kernel(const float *__restrict__ map, float *__restrict__ hoyer,
                        float *__restrict__ entropy, int64_t n, int64_t hw) {
    __shared__ union {
        sparsity_double_reduce::TempStorage double_reduce;
        sparsity_float_reduce::TempStorage float_reduce;
        sparsity_int_reduce::TempStorage int_reduce;
    } storage;
    __shared__ double double_slot;
    __shared__ float float_slot;
    __shared__ int int_slot;
    SC_BLOCK_PER_SAMPLE_LOOP(s, n) {
        const float *values = map + s * hw; /* (hw) */
        int nan_count = 0;
        float max_abs = 0.0f;
        double l1 = 0.0, l2sq = 0.0;
        SC_BLOCK_STRIDE_LOOP(i, hw) {
            const float a = fabsf(values[i]);
            nan_count += isnan(a) ? 1 : 0;
            max_abs = fmaxf(max_abs, a);
            l1 += (double)a;
            l2sq += (double)a * (double)a;
        }
        nan_count =
            sc_block_broadcast(sparsity_int_reduce(storage.int_reduce).Sum(nan_count), int_slot);
        max_abs = sc_block_broadcast(
            sparsity_float_reduce(storage.float_reduce).Reduce(max_abs, sc_fmax_op()), float_slot);
        l1 = sc_block_broadcast(sparsity_double_reduce(storage.double_reduce).Sum(l1), double_slot);
        l2sq = sc_block_broadcast(sparsity_double_reduce(storage.double_reduce).Sum(l2sq),
                                  double_slot);
        double h = NAN, e = NAN;
        if (!sc_map_degenerate(nan_count > 0, max_abs)) { /* uniform in the block */
            h = sc_hoyer_finish(l1, l2sq, hw);
            if (entropy) {
                const double total = sc_entropy_total(l1, max_abs, hw);
                double terms = 0.0;
                SC_BLOCK_STRIDE_LOOP(i, hw) {
                    terms += sc_entropy_term(sc_sparsity_a(values[i], max_abs), total);
                }
                terms = sc_block_broadcast(sparsity_double_reduce(storage.double_reduce).Sum(terms),
                                           double_slot);
                e = sc_entropy_finish(terms);
            }
        }
        if (threadIdx.x == 0) {
            if (hoyer)
                hoyer[s] = (float)h;
            if (entropy)
                entropy[s] = (float)e;
        }
    }
}

extern "C" cudaError_t sc_launch_map_sparsity(const float *map, float *hoyer, float *entropy,
                                              int64_t n, int64_t hw, cudaStream_t stream) {
    if (n * hw <= 0 || (!hoyer && !entropy))
        return cudaSuccess;
    map_sparsity_kernel<<<sc_grid_blocks(n, 1), SC_SPARSITY_THREADS, 0, stream>>>(map, hoyer,
                                                                                  entropy, n, hw);
    return cudaGetLastError();
}
