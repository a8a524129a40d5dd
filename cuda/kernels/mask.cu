/* The per-sample constraint mask M (mask_select, backend.h), selecting exactly the CPU's
 * pixels. Every pixel gets the key sc_saliency_sort_key(value, flat index) (unique within a
 * sample), the keys of each sample are sorted ascending with CUB's segmented radix sort on all
 * 64 bits (segment_sort.cuh), and M is the lowest |M_n| keys of the sample:
 *   LOWEST  |M_n| = sc_mask_count(k, hw);
 *   MASS    the salient set grows from the highest key until its mass (sc_mass_fixed against
 *           the sample's max |value|, summed in int64: exact whatever the order) reaches tau of
 *           the total; |M_n| = sc_mass_mask_count(salient, ...). One block per sample counts
 *           salient as the number of top-j prefixes (j = 0 .. hw-1) that have not reached tau,
 *           which equals the CPU's smallest m since the prefix mass only grows.
 * The block also records the sample's bound, the first key outside M (UINT64_MAX, which no key
 * reaches, when M is every pixel), and an element-wise pass writes mask = (key < bound). */
#include <math.h>

#include <cub/block/block_reduce.cuh>
#include <cub/block/block_scan.cuh>

#include "block.cuh"
#include "kernels.h"
#include "launch.cuh"
#include "sample_sum.cuh"
#include "segment_sort.cuh"

#include "../../host/core/saliency_math.h"

#define SC_MASK_THREADS 256

/* The buffers of one mask_select call within the scratch. */
typedef struct mask_scratch {
    double *fractions; /* (n): |M_n| / hw */
    uint64_t *bounds;  /* (n): the lowest key outside M_n */
    sc_segment_sort<uint64_t> sort;
} mask_scratch;

static cudaError_t mask_scratch_take(sc_scratch_layout *l, int64_t n, int64_t hw, mask_scratch *m) {
    m->fractions = (double *)sc_scratch_take(l, (size_t)n * sizeof(double));
    m->bounds = (uint64_t *)sc_scratch_take(l, (size_t)n * sizeof(uint64_t));
    return sc_segment_sort_take(l, n, hw, &m->sort);
}

/* The sort key of pixel i, its index taken within its sample. */
struct mask_key {
    const float *map;
    int64_t hw;
    __device__ uint64_t operator()(int64_t i) const {
        return sc_saliency_sort_key(map[i], (uint32_t)(i % hw));
    }
};

typedef cub::BlockReduce<float, SC_MASK_THREADS> mask_float_reduce;
typedef cub::BlockReduce<int64_t, SC_MASK_THREADS> mask_int_reduce;
typedef cub::BlockScan<int64_t, SC_MASK_THREADS> mask_int_scan;

typedef union mask_block_storage {
    mask_float_reduce::TempStorage float_reduce;
    mask_int_reduce::TempStorage int_reduce;
    mask_int_scan::TempStorage int_scan;
} mask_block_storage;

/* |M| of one sample under the mass rule, computed by the whole block: values (hw) the
 * sample's map, keys (hw) its sorted keys. */
__device__ static int64_t mass_mask_count(const float *values, const uint64_t *keys, int64_t hw,
                                          const sc_mask_params &p, mask_block_storage &storage) {
    __shared__ float max_slot;
    __shared__ int64_t int_slot;
    float max_abs = 0.0f; /* the CPU's fmaxf from 0: NaN never wins */
    SC_BLOCK_STRIDE_LOOP(j, hw) { max_abs = fmaxf(max_abs, fabsf(values[j])); }
    max_abs = sc_block_broadcast(
        mask_float_reduce(storage.float_reduce).Reduce(max_abs, sc_fmax_op()), max_slot);
    int64_t part = 0;
    SC_BLOCK_STRIDE_LOOP(j, hw) { part += sc_mass_fixed(values[j], max_abs); }
    const int64_t total =
        sc_block_broadcast(mask_int_reduce(storage.int_reduce).Sum(part), int_slot);
    /* Tiles of the keys from the top: thread t holds rank j = base + t from the top, whose
     * exclusive prefix is the mass of the j highest pixels. */
    int64_t above = 0, not_reached = 0;
    for (int64_t base = 0; base < hw; base += SC_MASK_THREADS) {
        const int64_t j = base + threadIdx.x;
        const int64_t mass =
            j < hw ? sc_mass_fixed(values[(uint32_t)keys[hw - 1 - j]], max_abs) : 0;
        int64_t prefix, tile_mass;
        __syncthreads(); /* storage is reused */
        mask_int_scan(storage.int_scan).ExclusiveSum(mass, prefix, tile_mass);
        if (j < hw && !sc_mass_reached(above + prefix, total, p.tau))
            not_reached++;
        above += tile_mass; /* the same in every thread */
        if (sc_mass_reached(above, total, p.tau))
            break; /* every later prefix has reached tau too */
    }
    __syncthreads();
    const int64_t salient =
        sc_block_broadcast(mask_int_reduce(storage.int_reduce).Sum(not_reached), int_slot);
    return sc_mass_mask_count(salient, hw, p.k_min, p.k_max);
}

/* One block per sample: bounds[s] = the lowest key outside M_s and fractions[s] = |M_s| / hw.
 * sorted (n, hw). */
__global__ void __launch_bounds__(SC_MASK_THREADS)
    mask_count_kernel(const float *__restrict__ map, const uint64_t *__restrict__ sorted,
                      uint64_t *__restrict__ bounds, double *__restrict__ fractions, int64_t n,
                      int64_t hw, sc_mask_params p) {
    __shared__ mask_block_storage storage;
    SC_BLOCK_PER_SAMPLE_LOOP(s, n) {
        const int64_t count = p.kind == SC_MASK_LOWEST
                                  ? sc_mask_count(p.k, hw)
                                  : mass_mask_count(map + s * hw, sorted + s * hw, hw, p, storage);
        if (threadIdx.x == 0) {
            bounds[s] = count < hw ? sorted[s * hw + count] : UINT64_MAX;
            fractions[s] = (double)count / (double)hw;
        }
    }
}

/* One thread per pixel: inside M when its key is below its sample's bound. */
__global__ void mask_write_kernel(const float *__restrict__ map,
                                  const uint64_t *__restrict__ bounds, float *__restrict__ mask,
                                  int64_t total, int64_t hw) {
    SC_GRID_STRIDE_LOOP(i, total) {
        const int64_t s = i / hw;
        const uint64_t key = sc_saliency_sort_key(map[i], (uint32_t)(i - s * hw));
        mask[i] = key < bounds[s] ? 1.0f : 0.0f;
    }
}

extern "C" cudaError_t sc_mask_select_scratch_bytes(int64_t n, int64_t hw, size_t *bytes) {
    return sc_scratch_size(mask_scratch_take, n, hw, bytes);
}

extern "C" cudaError_t sc_launch_mask_select(const float *map, float *mask, float *stats, int64_t n,
                                             int64_t hw, sc_mask_params p, void *scratch,
                                             size_t scratch_bytes, cudaStream_t stream) {
    const int64_t total = n * hw;
    if (total <= 0)
        return cudaSuccess;
    mask_scratch m;
    cudaError_t status = sc_scratch_carve(mask_scratch_take, n, hw, scratch, scratch_bytes, &m);
    if (status != cudaSuccess)
        return status;
    uint64_t *sorted = NULL;
    if ((status = sc_segment_sort_keys(&m.sort, mask_key{map, hw}, stream, &sorted)) != cudaSuccess)
        return status;
    mask_count_kernel<<<sc_grid_blocks(n, 1), SC_MASK_THREADS, 0, stream>>>(map, sorted, m.bounds,
                                                                            m.fractions, n, hw, p);
    if ((status = cudaGetLastError()) != cudaSuccess)
        return status;
    mask_write_kernel<<<sc_grid_blocks(total, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        map, m.bounds, mask, total, hw);
    if ((status = cudaGetLastError()) != cudaSuccess)
        return status;
    return stats ? sc_sample_sum(m.fractions, n, 0, stats, stream) : cudaSuccess;
}
