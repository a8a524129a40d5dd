/* Launch geometry shared by the kernels: block size and the grid of grid-stride loops. */
#ifndef SC_CUDA_LAUNCH_CUH
#define SC_CUDA_LAUNCH_CUH

#include <stdint.h>

#define SC_BLOCK_THREADS 256
/* Grids are capped here; grid-stride loops cover larger counts. */
#define SC_MAX_BLOCKS 65535

/* Blocks for `items` work items at `per_block` items per block (at least 1). */
static inline unsigned int sc_grid_blocks(int64_t items, int64_t per_block) {
    int64_t blocks = (items + per_block - 1) / per_block;
    if (blocks < 1)
        blocks = 1;
    if (blocks > SC_MAX_BLOCKS)
        blocks = SC_MAX_BLOCKS;
    return (unsigned int)blocks;
}

/* First index and stride of a grid-stride loop over 64-bit indices. */
#define SC_GRID_STRIDE_LOOP(i, count)                                                              \
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < (count);                  \
         i += (int64_t)gridDim.x * blockDim.x)

#endif
