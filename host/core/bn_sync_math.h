/* Element math of the split batch-norm backward (bn_bwd_sums / bn_bwd_apply, used by
 * --sync-bn), shared by the CPU backend and the CUDA kernels so both round alike. */
#ifndef SC_BN_SYNC_MATH_H
#define SC_BN_SYNC_MATH_H

#include "hd.h"

/* xhat = (x - mean) * invstd, the normalised input. */
SC_HD static inline float sc_bn_xhat(float x, float mean, float invstd) {
    return (x - mean) * invstd;
}

/* One element of dx: scale * (dy - mean_dy - xhat * mean_dy_xhat), scale = gamma * invstd,
 * mean_dy and mean_dy_xhat the per-channel sums divided by the count they cover. */
SC_HD static inline float sc_bn_apply_dx(float dy, float x, float mean, float invstd, float scale,
                                         float mean_dy, float mean_dy_xhat) {
    return scale * (dy - mean_dy - sc_bn_xhat(x, mean, invstd) * mean_dy_xhat);
}

#endif
