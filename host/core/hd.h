/* SC_HD: marks functions shared by the CPU backend (C) and CUDA kernels (nvcc).
 *
 * Element-wise formulas (Philox, SGD update, loss terms, ...) live in headers as
 * `SC_HD static inline` functions so both backends compute the same expression. Under nvcc
 * SC_HD is __host__ __device__; in plain C it is empty. Both sides are compiled without
 * floating-point contraction (gcc -ffp-contract=off, nvcc --fmad=false) so that the same
 * expression rounds the same way on both. */
#ifndef SC_HD_H
#define SC_HD_H

#ifdef __CUDACC__
#define SC_HD __host__ __device__
#else
#define SC_HD
#endif

#endif
