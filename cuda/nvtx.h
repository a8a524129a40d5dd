/* NVTX ranges for Nsight Systems: one range around every op of the CUDA backend (named like
 * "conv2d_fwd 64x56x56->64 k3 s1") and around the phases the training loop announces through
 * range_push / range_pop. NVTX 3 is header-only: without a profiler attached each call is a
 * cheap no-op. */
#ifndef SC_CUDA_NVTX_H
#define SC_CUDA_NVTX_H

#include <nvtx3/nvToolsExt.h>

static inline void sc_nvtx_push(const char *name) { nvtxRangePushA(name); }

static inline void sc_nvtx_pop(void) { nvtxRangePop(); }

#endif
