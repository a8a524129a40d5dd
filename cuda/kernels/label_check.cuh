/* The device side of the label check (kernels.h, sc_label_fault): a thread that finds a label
 * outside [0, classes) records it. The first launch to find one takes the record (atomicCAS on
 * its launch number; launches on one stream run one after another, so a later launch sees the
 * owner and leaves the record alone); within that launch the lowest sample wins (atomicMax on
 * the inverted (sample, label) key). */
#ifndef SC_CUDA_LABEL_CHECK_CUH
#define SC_CUDA_LABEL_CHECK_CUH

#include <stdint.h>

#include "kernels.h"

/* Whether label is a class of [0, classes); records it in check when it is not. */
static __device__ inline int sc_label_ok(sc_label_check check, int op, int64_t sample,
                                         int32_t label, int64_t classes) {
    if (label >= 0 && (int64_t)label < classes)
        return 1;
    sc_label_fault *fault = check.fault;
    const unsigned int owner = atomicCAS(&fault->launch, 0u, check.launch);
    if (owner != 0u && owner != check.launch)
        return 0;
    fault->op = op;
    fault->classes = (long long)classes;
    const unsigned long long key =
        ((unsigned long long)(uint32_t)sample << 32) | (unsigned long long)(uint32_t)label;
    atomicMax(&fault->inverted_key, ~key);
    return 0;
}

#endif
