/* Per-sample sorting of mask.cu, gini.cu and rank.cu inside a scratch the caller provides
 * (nothing is allocated): n segments of hw keys each, filled by a key functor of the flat index,
 * every segment sorted ascending on all key bits by CUB's segmented radix sort, ping-ponging
 * between two key buffers. Also the layout of such a scratch: sub-buffers taken one after
 * another, each aligned, so one take function sizes the scratch (sc_scratch_size) and carves it
 * (sc_scratch_carve) the same way. */
#ifndef SC_CUDA_SEGMENT_SORT_CUH
#define SC_CUDA_SEGMENT_SORT_CUH

#include <stddef.h>
#include <stdint.h>

#include <cub/device/device_segmented_radix_sort.cuh>

#include "launch.cuh"

#define SC_SCRATCH_ALIGN 256

typedef struct sc_scratch_layout {
    char *base;  /* NULL: only sizes are computed */
    size_t used; /* bytes taken so far */
} sc_scratch_layout;

/* The next `bytes` of the scratch (NULL while sizing). */
static inline void *sc_scratch_take(sc_scratch_layout *l, size_t bytes) {
    size_t at = (l->used + SC_SCRATCH_ALIGN - 1) / SC_SCRATCH_ALIGN * SC_SCRATCH_ALIGN;
    l->used = at + bytes;
    return l->base ? l->base + at : NULL;
}

/* A take function: places a call's buffers (n samples of hw values) in the layout. */
template <typename Buffers>
using sc_scratch_take_fn = cudaError_t (*)(sc_scratch_layout *l, int64_t n, int64_t hw, Buffers *b);

/* The bytes of scratch take needs. */
template <typename Buffers>
static cudaError_t sc_scratch_size(sc_scratch_take_fn<Buffers> take, int64_t n, int64_t hw,
                                   size_t *bytes) {
    sc_scratch_layout l = {NULL, 0};
    Buffers b;
    cudaError_t status = take(&l, n, hw, &b);
    *bytes = l.used;
    return status;
}

/* Carves the caller's scratch (scratch_bytes long) into *b with take; cudaErrorInvalidValue when
 * it is too small. */
template <typename Buffers>
static cudaError_t sc_scratch_carve(sc_scratch_take_fn<Buffers> take, int64_t n, int64_t hw,
                                    void *scratch, size_t scratch_bytes, Buffers *b) {
    sc_scratch_layout l = {(char *)scratch, 0};
    cudaError_t status = take(&l, n, hw, b);
    if (status != cudaSuccess)
        return status;
    return l.used > scratch_bytes ? cudaErrorInvalidValue : cudaSuccess;
}

template <typename Key> struct sc_segment_sort {
    int n, hw;    /* segments and keys per segment (n * hw fits an int: CUB's offsets) */
    int *offsets; /* (n + 1): offsets[s] = s * hw, segment s is [offsets[s], offsets[s + 1]) */
    Key *keys[2]; /* (n * hw) each; the caller fills keys[0], the sort overwrites both */
    void *temp;   /* CUB's temporary storage */
    size_t temp_bytes;
};

/* Takes the sort's buffers from l for n segments of hw keys (n * hw <= INT_MAX). */
template <typename Key>
static cudaError_t sc_segment_sort_take(sc_scratch_layout *l, int64_t n, int64_t hw,
                                        sc_segment_sort<Key> *s) {
    s->n = (int)n;
    s->hw = (int)hw;
    s->offsets = (int *)sc_scratch_take(l, (size_t)(n + 1) * sizeof(int));
    s->keys[0] = (Key *)sc_scratch_take(l, (size_t)(n * hw) * sizeof(Key));
    s->keys[1] = (Key *)sc_scratch_take(l, (size_t)(n * hw) * sizeof(Key));
    s->temp_bytes = 0;
    cub::DoubleBuffer<Key> keys(s->keys[0], s->keys[1]);
    const int *begin = s->offsets, *end = s->offsets ? s->offsets + 1 : NULL;
    cudaError_t status = cub::DeviceSegmentedRadixSort::SortKeys(
        NULL, s->temp_bytes, keys, s->n * s->hw, s->n, begin, end, 0, (int)(8 * sizeof(Key)));
    s->temp = sc_scratch_take(l, s->temp_bytes);
    return status;
}

static __global__ void segment_offsets_kernel(int *__restrict__ offsets, int n, int hw) {
    SC_GRID_STRIDE_LOOP(s, (int64_t)n + 1) { offsets[s] = (int)s * hw; }
}

/* keys[i] = key_of(i) for every flat index i. */
template <typename Key, typename KeyOf>
static __global__ void segment_keys_kernel(Key *__restrict__ keys, int64_t total, KeyOf key_of) {
    SC_GRID_STRIDE_LOOP(i, total) { keys[i] = key_of(i); }
}

/* Sorts every segment of keys[0]; *sorted is the buffer that holds the result. */
template <typename Key>
static cudaError_t sc_segment_sort_run(const sc_segment_sort<Key> *s, cudaStream_t stream,
                                       Key **sorted) {
    segment_offsets_kernel<<<sc_grid_blocks((int64_t)s->n + 1, SC_BLOCK_THREADS), SC_BLOCK_THREADS,
                             0, stream>>>(s->offsets, s->n, s->hw);
    cudaError_t status = cudaGetLastError();
    if (status != cudaSuccess)
        return status;
    cub::DoubleBuffer<Key> keys(s->keys[0], s->keys[1]);
    size_t temp_bytes = s->temp_bytes;
    const int *begin = s->offsets, *end = s->offsets + 1; /* the types of the size query */
    status = cub::DeviceSegmentedRadixSort::SortKeys(s->temp, temp_bytes, keys, s->n * s->hw, s->n,
                                                     begin, end, 0, (int)(8 * sizeof(Key)), stream);
    *sorted = keys.Current();
    return status;
}

/* Fills keys[0] with key_of(i), a device functor of the flat index i (sample i / hw, position
 * i % hw), then sorts every segment as sc_segment_sort_run. */
template <typename Key, typename KeyOf>
static cudaError_t sc_segment_sort_keys(const sc_segment_sort<Key> *s, KeyOf key_of,
                                        cudaStream_t stream, Key **sorted) {
    const int64_t total = (int64_t)s->n * s->hw;
    segment_keys_kernel<<<sc_grid_blocks(total, SC_BLOCK_THREADS), SC_BLOCK_THREADS, 0, stream>>>(
        s->keys[0], total, key_of);
    cudaError_t status = cudaGetLastError();
    if (status != cudaSuccess)
        return status;
    return sc_segment_sort_run(s, stream, sorted);
}

#endif
