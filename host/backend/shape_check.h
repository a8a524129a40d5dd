/* Shape and dtype validation shared by every backend, so the CPU and CUDA implementations
 * reject exactly the same calls with the same message. Each returns SC_OK or SC_ERR_SHAPE /
 * SC_ERR_UNSUPPORTED with a message naming the op and the offending shapes. */
#ifndef SC_SHAPE_CHECK_H
#define SC_SHAPE_CHECK_H

#include "backend.h"

/* Output size of a convolution / pooling window along one axis (may be <= 0: invalid). */
static inline int64_t sc_window_out(int64_t in, int kernel, int stride, int pad) {
    return (in + 2 * pad - kernel) / stride + 1;
}

sc_status sc_check_f32(sc_error *err, sc_op op, const sc_tensor *t, const char *what);
sc_status sc_check_conv(sc_error *err, sc_op op, const sc_conv_params *p, const sc_tensor *x,
                        const sc_tensor *w, const sc_tensor *y);
/* x and y (N, C, H, W) with per-channel tensors (C); per_channel may contain NULLs. */
sc_status sc_check_bn(sc_error *err, sc_op op, const sc_bn_params *p, const sc_tensor *x,
                      const sc_tensor *y, const sc_tensor *const *per_channel, int n_per_channel);
sc_status sc_check_same(sc_error *err, sc_op op, const sc_tensor *a, const sc_tensor *b);
sc_status sc_check_pool(sc_error *err, sc_op op, const sc_pool_params *p, const sc_tensor *x,
                        const sc_tensor *y);
sc_status sc_check_gap(sc_error *err, sc_op op, const sc_tensor *x, const sc_tensor *y);
/* x (N, IN) (or (N, IN, 1, 1)), w (OUT, IN), b (OUT) or NULL, y (N, OUT). */
sc_status sc_check_linear(sc_error *err, sc_op op, const sc_tensor *x, const sc_tensor *w,
                          const sc_tensor *b, const sc_tensor *y);
/* logits (N, K) F32, labels (N) int32 with data, dlogits NULL or like logits, stats (2) F32,
 * label smoothing in [0, 1]. */
sc_status sc_check_xent(sc_error *err, const sc_xent_params *p, const sc_tensor *logits,
                        const sc_tensor *labels, const sc_tensor *dlogits, const sc_tensor *stats);

/* Rows and columns of a tensor seen as a matrix (first dim, product of the others). */
int64_t sc_rows(const sc_tensor *t);
int64_t sc_cols(const sc_tensor *t);

#endif
