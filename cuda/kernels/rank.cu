/* Rankings of the metric ops (backend.h), exactly the CPU's, through the per-sample sort of
 * segment_sort.cuh (CUB's segmented radix sort on all 64 key bits, in the caller's scratch).
 * rank_pixels: every pixel gets sc_salient_first_key(value, index within its sample)
 * (host/core/metric_math.h; unique within a sample), and ranks[pixel] = its position in its
 * sample's ascending keys (0 = most salient). rank_rows: every entry gets
 * sc_saliency_sort_key(value, column); after the sort one block per row gives each run of
 * equal values (==, so -0 ties with +0) its average rank sc_average_rank(first, end): a forward
 * max-scan over the row's positions finds each position's run start `first`, a backward
 * min-scan the next run start `end`, both carried across tiles of the block. A row holding a
 * NaN gets NaN everywhere. */
#include <math.h>

#include <cub/block/block_reduce.cuh>
#include <cub/block/block_scan.cuh>

#include "block.cuh"
#include "kernels.h"
#include "launch.cuh"
#include "segment_sort.cuh"

#include "../../host/core/metric_math.h"

#define SC_RANK_THREADS 256

/* ---- rank_pixels ------------------------------------------------------------------------ */

/* The salient-first key of pixel i, its index taken within its sample. */
struct salient_key {
    const float *map;
    int64_t hw;
    __device__ uint64_t operator()(int64_t i) const {
        return sc_salient_first_key(map[i], (uint32_t)(i % hw));
    }
};

/* One thread per sorted position: ranks (n, hw) of the pixel holding it. sorted (n, hw). */
__global__ void rank_scatter_kernel(const uint64_t *__restrict__ sorted,
                                    int32_t *__restrict__ ranks, int64_t total, int64_t hw) {
    SC_GRID_STRIDE_LOOP(i, total) {
        const int64_t s = i / hw;
        ranks[s * hw + (uint32_t)sorted[i]] = (int32_t)(i - s * hw);
    }
}

extern "C" cudaError_t sc_rank_pixels_scratch_bytes(int64_t n, int64_t hw, size_t *bytes) {
    return sc_scratch_size(sc_segment_sort_take<uint64_t>, n, hw, bytes);
}

extern "C" cudaError_t sc_launch_rank_pixels(const float *map, int32_t *ranks, int64_t n,
                                             int64_t hw, void *scratch, size_t scratch_bytes,
                                             cudaStream_t stream) {
    const int64_t total = n * hw;
    if (total <= 0)
        return cudaSuccess;
    sc_segment_sort<uint64_t> sort;
    cudaError_t status = sc_scratch_carve(sc_segment_sort_take<uint64_t>, n, hw, scratch,
                                          scratch_bytes, &sort);
    if (status != cudaSuccess)
        return status;
    uint64_t *sorted = NULL;
    if ((status = sc_segment_sort_keys(&sort, salient_key{map, hw}, stream, &sorted)) !=
        cudaSuccess)
        return status;
    rank_scatter_kernel<<<sc_grid_blocks(total, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        sorted, ranks, total, hw);
    return cudaGetLastError();
}

/* ---- rank_rows -------------------------------------------------------------------------- */

/* The buffers of one rank_rows call within the scratch. */
typedef struct rank_rows_scratch {
    int32_t *first; /* (n, m): the first sorted position of each position's run of ties */
    sc_segment_sort<uint64_t> sort;
} rank_rows_scratch;

static cudaError_t rank_rows_scratch_take(sc_scratch_layout *l, int64_t n, int64_t m,
                                          rank_rows_scratch *r) {
    r->first = (int32_t *)sc_scratch_take(l, (size_t)(n * m) * sizeof(int32_t));
    return sc_segment_sort_take(l, n, m, &r->sort);
}

/* The ascending key of entry i, its index taken within its row. */
struct row_key {
    const float *in;
    int64_t m;
    __device__ uint64_t operator()(int64_t i) const {
        return sc_saliency_sort_key(in[i], (uint32_t)(i % m));
    }
};

struct rank_max_op {
    __device__ int64_t operator()(int64_t a, int64_t b) const { return a > b ? a : b; }
};

struct rank_min_op {
    __device__ int64_t operator()(int64_t a, int64_t b) const { return a < b ? a : b; }
};

/* Whether sorted position p of a row starts a run of equal values. */
__device__ static inline int run_starts(const float *values, const uint64_t *keys, int64_t p) {
    return p == 0 || values[(uint32_t)keys[p]] != values[(uint32_t)keys[p - 1]];
}

typedef cub::BlockScan<int64_t, SC_RANK_THREADS> rank_scan;
typedef cub::BlockReduce<int, SC_RANK_THREADS> rank_reduce;

/* One block per row of in, out (n, m) with the row's sorted keys (n, m); first (n, m) is the
 * kernel's own scratch. */
__global__ void __launch_bounds__(SC_RANK_THREADS)
    rank_rows_kernel(const float *__restrict__ in, const uint64_t *__restrict__ sorted,
                     int32_t *__restrict__ first, float *__restrict__ out, int64_t n, int64_t m) {
    __shared__ union {
        rank_scan::TempStorage scan;
        rank_reduce::TempStorage reduce;
    } storage;
    __shared__ int nan_slot;
    SC_BLOCK_PER_SAMPLE_LOOP(row, n) {
        const float *values = in + row * m;      /* (m) */
        const uint64_t *keys = sorted + row * m; /* (m) ascending */
        int32_t *row_first = first + row * m;    /* (m) by sorted position */
        float *row_out = out + row * m;          /* (m) */
        int nan_count = 0;
        SC_BLOCK_STRIDE_LOOP(i, m) { nan_count += isnan(values[i]) ? 1 : 0; }
        __syncthreads(); /* storage is reused across rows */
        nan_count = sc_block_broadcast(rank_reduce(storage.reduce).Sum(nan_count), nan_slot);
        if (nan_count > 0) { /* uniform in the block */
            SC_BLOCK_STRIDE_LOOP(i, m) { row_out[i] = NAN; }
            continue;
        }
        /* Forward: first[p] = the largest run start <= p (0 is one). */
        int64_t carry = 0;
        for (int64_t base = 0; base < m; base += SC_RANK_THREADS) {
            const int64_t p = base + threadIdx.x;
            const int64_t start = p < m && run_starts(values, keys, p) ? p : 0;
            int64_t running, tile_max;
            __syncthreads(); /* storage is reused */
            rank_scan(storage.scan).InclusiveScan(start, running, rank_max_op(), tile_max);
            if (p < m)
                row_first[p] = (int32_t)(running > carry ? running : carry);
            carry = tile_max > carry ? tile_max : carry;
        }
        /* Backward, thread order running down the positions: end = the smallest run start
         * above p, or m. */
        int64_t next = m;
        for (int64_t top = m; top > 0; top -= SC_RANK_THREADS) {
            const int64_t p = top - 1 - threadIdx.x;
            const int64_t start = p >= 0 && run_starts(values, keys, p) ? p : m;
            int64_t end, tile_min;
            __syncthreads(); /* storage is reused; row_first is written */
            rank_scan(storage.scan).ExclusiveScan(start, end, next, rank_min_op(), tile_min);
            if (p >= 0)
                row_out[(uint32_t)keys[p]] = (float)sc_average_rank(row_first[p], end);
            next = tile_min < next ? tile_min : next;
        }
    }
}

extern "C" cudaError_t sc_rank_rows_scratch_bytes(int64_t n, int64_t m, size_t *bytes) {
    return sc_scratch_size(rank_rows_scratch_take, n, m, bytes);
}

extern "C" cudaError_t sc_launch_rank_rows(const float *in, float *out, int64_t n, int64_t m,
                                           void *scratch, size_t scratch_bytes,
                                           cudaStream_t stream) {
    const int64_t total = n * m;
    if (total <= 0)
        return cudaSuccess;
    rank_rows_scratch r;
    cudaError_t status = sc_scratch_carve(rank_rows_scratch_take, n, m, scratch, scratch_bytes, &r);
    if (status != cudaSuccess)
        return status;
    uint64_t *sorted = NULL;
    if ((status = sc_segment_sort_keys(&r.sort, row_key{in, m}, stream, &sorted)) != cudaSuccess)
        return status;
    rank_rows_kernel<<<sc_grid_blocks(n, 1), SC_RANK_THREADS, 0, stream>>>(in, sorted, r.first, out,
                                                                           n, m);
    return cudaGetLastError();
}
