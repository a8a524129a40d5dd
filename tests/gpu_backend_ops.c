/* Backend parity, op by op, in the manner of ggml's test-backend-ops: every op of the backend
 * table (forward and backward, both accumulate modes, batch norm with and without a running-
 * statistics update, input-gradient-only batch norm, the saliency-guided training ops) runs on
 * identical random inputs through the CPU backend (the reference) and the CUDA backend, and the
 * outputs are compared with a normalised error, max |cuda - cpu| / max |cpu|, against a limit
 * per op (TF32 off).
 *
 * Shapes cover batch 1, odd H and W, stride 2 with padding, 1x1 projections, the 7x7 stride-2
 * stem, channel counts that are not multiples of 8, ResNet-18/50 layer shapes at batch 2, and
 * MNIST, CIFAR and ImageNet batches for the saliency ops, whose cases live in
 * tests/common/parity_saliency.c (maps with ties, constant, zero and NaN values, both mask
 * rules, every optional argument left out once) and for the saliency-method and metric ops,
 * whose cases live in tests/common/parity_metrics*.c (rankings with ties and NaN, blur, curves,
 * imputation, every optional argument left out once). Every tensor has guard elements on both
 * sides (tests/common/backend_parity.h): a write outside a tensor fails the case, and a read
 * outside one pulls in NaN. Inputs must come back bit-unchanged, any NaN or Inf in an output fails
 * (except a degenerate map's Gini, NaN on both sides), the element-wise ops, max pooling, SGD,
 * the RNG fills, the mask selection, fills and perturbation steps must match bit for bit
 * (limit 0), and a case the CUDA backend rejects as
 * unsupported is reported as "not supported", never as a pass. A few calls with shapes that
 * disagree must be refused by both backends with the same status, writing nothing.
 *
 *   gpu_backend_ops [--op NAME] [--list] [--backend cuda|cpu] [--timed-algorithms]
 *
 * The CUDA backend runs with --deterministic's configuration (cuDNN algorithms chosen by
 * heuristics among the deterministic ones); --timed-algorithms chooses them by timing instead
 * (cudnnFind*, the default of a training run), to check those algorithms too.
 *
 * --backend cpu tests a one-thread CPU backend against the all-cores one instead of CUDA: the
 * harness itself checked on any machine (the convolution filter gradient's reduction order
 * differs with the thread count, everything else must match exactly).
 *
 * Exit status: 0 when every case passes, 1 on any failure, 77 (skipped) without a GPU or in a
 * build without the CUDA backend. A standalone program (no Check), so it builds and runs on
 * the GPU machine. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/backend/backend.h"
#include "host/backend/shape_check.h"
#include "host/core/rng.h"
#include "tests/common/backend_parity.h"
#include "tests/common/gpu_skip.h"
#include "tests/common/parity_cases.h"
#include "tests/common/parity_labels.h"
#include "tests/common/parity_metrics.h"
#include "tests/common/parity_bn_split.h"
#include "tests/common/parity_saliency.h"

/* ---- host-side helpers ------------------------------------------------------------------- */

/* Per-channel batch mean and 1/sqrt(biased var + eps) of x (N, C, H, W), in double. */
static void host_bn_stats(const float *x, const op_case *c, float eps, float *mean, float *invstd) {
    int64_t hw = (int64_t)c->h * c->w;
    double count = (double)c->n * (double)hw;
    for (int ch = 0; ch < c->c; ch++) {
        double sum = 0.0, sq = 0.0;
        for (int n = 0; n < c->n; n++)
            for (int64_t i = 0; i < hw; i++)
                sum += x[((int64_t)n * c->c + ch) * hw + i];
        double m = sum / count;
        for (int n = 0; n < c->n; n++)
            for (int64_t i = 0; i < hw; i++) {
                double d = x[((int64_t)n * c->c + ch) * hw + i] - m;
                sq += d * d;
            }
        mean[ch] = (float)m;
        invstd[ch] = (float)(1.0 / sqrt(sq / count + (double)eps));
    }
}

/* Max pooling forward of x (planes, H, W) into y (planes, OH, OW), padding excluded. */
static void host_maxpool(const float *x, float *y, int64_t planes, const op_case *c, int oh,
                         int ow) {
    for (int64_t p = 0; p < planes; p++)
        for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++) {
                float best = -INFINITY;
                for (int a = 0; a < c->r; a++)
                    for (int b = 0; b < c->r; b++) {
                        int ih = i * c->stride - c->pad + a, iw = j * c->stride - c->pad + b;
                        if (ih >= 0 && ih < c->h && iw >= 0 && iw < c->w &&
                            x[(p * c->h + ih) * c->w + iw] > best)
                            best = x[(p * c->h + ih) * c->w + iw];
                    }
                y[(p * oh + i) * ow + j] = best;
            }
}

/* ---- the cases of each op family --------------------------------------------------------- */

/* Limits of the normalised error. Convolutions: cuDNN's GEMM, FFT and Winograd algorithms
 * against im2col + OpenBLAS (fp32 Winograd F(6x6, 3x3) alone is about 2e-5; TF32 would be
 * about 3e-4, so the limit also catches TF32 leaking in). */
#define CONV_LIMIT      1e-4
#define BN_LIMIT        1e-4
#define GEMM_LIMIT      1e-5
#define REDUCTION_LIMIT 1e-6 /* sums in another order or precision */
#define EXACT           0.0

static void run_conv(sc_parity_run *r, const op_case *c) {
    const sc_conv_params p = {c->stride, c->pad};
    const int64_t oh = sc_window_out(c->h, c->r, c->stride, c->pad);
    const int64_t ow = sc_window_out(c->w, c->r, c->stride, c->pad);
    const int64_t xs[4] = {c->n, c->c, c->h, c->w}, ws[4] = {c->k, c->c, c->r, c->r};
    const int64_t ys[4] = {c->n, c->k, oh, ow};
    if (!(c->flags & FLAG_UNPREPARED)) {
        /* prepare sees shapes only: NULL data */
        const sc_tensor tx = sc_tensor_make(NULL, SC_F32, 4, xs);
        const sc_tensor tw = sc_tensor_make(NULL, SC_F32, 4, ws);
        const sc_tensor ty = sc_tensor_make(NULL, SC_F32, 4, ys);
        SC_PARITY_ON_BOTH(r, be->ops->conv2d_prepare(be, &p, &tx, &tw, &ty));
    }
    if (c->op == SC_OP_CONV2D_FWD) {
        sc_parity_tensor *x = sc_parity_input(r, "x", 4, xs, -1, 1);
        sc_parity_tensor *w = sc_parity_input(r, "w", 4, ws, -1, 1);
        sc_parity_tensor *y = sc_parity_output(r, "y", 4, ys, CONV_LIMIT, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_ON_BOTH(r, be->ops->conv2d_fwd(be, &p, &x->t[side], &w->t[side], &y->t[side]));
    } else if (c->op == SC_OP_CONV2D_BWD_DATA) {
        sc_parity_tensor *dy = sc_parity_input(r, "dy", 4, ys, -1, 1);
        sc_parity_tensor *w = sc_parity_input(r, "w", 4, ws, -1, 1);
        sc_parity_tensor *dx = sc_parity_output(r, "dx", 4, xs, CONV_LIMIT, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_ON_BOTH(r, be->ops->conv2d_bwd_data(be, &p, &dy->t[side], &w->t[side],
                                                      &dx->t[side], c->accumulate));
    } else {
        sc_parity_tensor *x = sc_parity_input(r, "x", 4, xs, -1, 1);
        sc_parity_tensor *dy = sc_parity_input(r, "dy", 4, ys, -1, 1);
        sc_parity_tensor *dw = sc_parity_output(r, "dw", 4, ws, CONV_LIMIT, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_ON_BOTH(
            r, be->ops->conv2d_bwd_filter(be, &p, &x->t[side], &dy->t[side], &dw->t[side]));
    }
}

static void run_bn(sc_parity_run *r, const op_case *c) {
    const sc_bn_params p = {1e-5f, c->param};
    const int64_t xs[4] = {c->n, c->c, c->h, c->w}, cs[1] = {c->c};
    if (c->op == SC_OP_BN_TRAIN_FWD) {
        const int updates = c->param > 0.0f;
        /* momentum 0: the running statistics are inputs, bit-unchanged */
        const sc_parity_role running_role = updates ? SC_PARITY_OUTPUT : SC_PARITY_INPUT;
        sc_parity_tensor *x = sc_parity_input(r, "x", 4, xs, -2, 3);
        sc_parity_tensor *gamma = sc_parity_input(r, "gamma", 1, cs, 0.5f, 1.5f);
        sc_parity_tensor *beta = sc_parity_input(r, "beta", 1, cs, -0.5f, 0.5f);
        sc_parity_tensor *rm = sc_parity_tensor_new(r, "running_mean", SC_F32, 1, cs, running_role,
                                                    BN_LIMIT, -0.5f, 0.5f);
        sc_parity_tensor *rv = sc_parity_tensor_new(r, "running_var", SC_F32, 1, cs, running_role,
                                                    BN_LIMIT, 0.5f, 1.5f);
        sc_parity_tensor *sm = sc_parity_output(r, "save_mean", 1, cs, BN_LIMIT, -1, 1);
        sc_parity_tensor *si = sc_parity_output(r, "save_invstd", 1, cs, BN_LIMIT, -1, 1);
        sc_parity_tensor *y = sc_parity_output(r, "y", 4, xs, BN_LIMIT, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_ON_BOTH(r, be->ops->bn_train_fwd(be, &p, &x->t[side], &gamma->t[side],
                                                   &beta->t[side], &rm->t[side], &rv->t[side],
                                                   &sm->t[side], &si->t[side], &y->t[side]));
    } else if (c->op == SC_OP_BN_INFER_FWD) {
        sc_parity_tensor *x = sc_parity_input(r, "x", 4, xs, -2, 3);
        sc_parity_tensor *gamma = sc_parity_input(r, "gamma", 1, cs, 0.5f, 1.5f);
        sc_parity_tensor *beta = sc_parity_input(r, "beta", 1, cs, -0.5f, 0.5f);
        sc_parity_tensor *rm = sc_parity_input(r, "running_mean", 1, cs, -0.5f, 0.5f);
        sc_parity_tensor *rv = sc_parity_input(r, "running_var", 1, cs, 0.5f, 1.5f);
        sc_parity_tensor *y = sc_parity_output(r, "y", 4, xs, 1e-5, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_ON_BOTH(r, be->ops->bn_infer_fwd(be, &p, &x->t[side], &gamma->t[side],
                                                   &beta->t[side], &rm->t[side], &rv->t[side],
                                                   &y->t[side]));
    } else if (c->op == SC_OP_BN_TRAIN_BWD) {
        const int no_param_grads = (c->flags & FLAG_NULL_PARAM_GRADS) != 0;
        sc_parity_tensor *x = sc_parity_input(r, "x", 4, xs, -2, 3);
        sc_parity_tensor *dy = sc_parity_input(r, "dy", 4, xs, -1, 1);
        sc_parity_tensor *gamma = sc_parity_input(r, "gamma", 1, cs, 0.5f, 1.5f);
        sc_parity_tensor *sm = sc_parity_input(r, "save_mean", 1, cs, 0, 0);
        sc_parity_tensor *si = sc_parity_input(r, "save_invstd", 1, cs, 0, 0);
        sc_parity_tensor *dx = sc_parity_output(r, "dx", 4, xs, BN_LIMIT, -1, 1);
        sc_parity_tensor *dgamma =
            no_param_grads ? NULL : sc_parity_output(r, "dgamma", 1, cs, BN_LIMIT, -1, 1);
        sc_parity_tensor *dbeta =
            no_param_grads ? NULL : sc_parity_output(r, "dbeta", 1, cs, BN_LIMIT, -1, 1);
        if (r->failed)
            return;
        /* the saved statistics of x, as a forward pass would leave them */
        host_bn_stats(sc_parity_values(x), c, p.eps, sc_parity_values(sm), sc_parity_values(si));
        sc_parity_upload(r, sm);
        sc_parity_upload(r, si);
        if (r->failed)
            return;
        SC_PARITY_ON_BOTH(r, be->ops->bn_train_bwd(be, &p, &x->t[side], &dy->t[side],
                                                   &gamma->t[side], &sm->t[side], &si->t[side],
                                                   &dx->t[side], dgamma ? &dgamma->t[side] : NULL,
                                                   dbeta ? &dbeta->t[side] : NULL, c->accumulate));
    } else {
        sc_parity_tensor *dy = sc_parity_input(r, "dy", 4, xs, -1, 1);
        sc_parity_tensor *gamma = sc_parity_input(r, "gamma", 1, cs, -1.5f, 1.5f);
        sc_parity_tensor *rv = sc_parity_input(r, "running_var", 1, cs, 0.1f, 2.0f);
        sc_parity_tensor *dx = sc_parity_output(r, "dx", 4, xs, REDUCTION_LIMIT, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_ON_BOTH(r, be->ops->bn_infer_bwd(be, &p, &dy->t[side], &gamma->t[side],
                                                   &rv->t[side], &dx->t[side], c->accumulate));
    }
}

static void run_elementwise(sc_parity_run *r, const op_case *c) {
    const int64_t xs[4] = {c->n, c->c, c->h, c->w};
    const int in_place = (c->flags & FLAG_IN_PLACE) != 0;
    if (c->op == SC_OP_RELU_FWD) {
        sc_parity_tensor *x = in_place ? sc_parity_output(r, "x", 4, xs, EXACT, -1, 1)
                                       : sc_parity_input(r, "x", 4, xs, -1, 1);
        sc_parity_tensor *y = in_place ? x : sc_parity_output(r, "y", 4, xs, EXACT, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_ON_BOTH(r, be->ops->relu_fwd(be, &x->t[side], &y->t[side]));
    } else if (c->op == SC_OP_RELU_BWD) {
        sc_parity_tensor *y = sc_parity_input(r, "y", 4, xs, -1, 1);
        sc_parity_tensor *dy = sc_parity_input(r, "dy", 4, xs, -1, 1);
        sc_parity_tensor *dx = sc_parity_output(r, "dx", 4, xs, EXACT, -1, 1);
        if (r->failed)
            return;
        float *yv = sc_parity_values(y); /* a ReLU output: about half exact zeros */
        for (int64_t i = 0; i < y->n; i++)
            yv[i] = yv[i] > 0.0f ? yv[i] : 0.0f;
        sc_parity_upload(r, y);
        if (r->failed)
            return;
        SC_PARITY_ON_BOTH(
            r, be->ops->relu_bwd(be, &y->t[side], &dy->t[side], &dx->t[side], c->accumulate));
    } else if (c->op == SC_OP_ADD_FWD) {
        sc_parity_tensor *a = in_place ? sc_parity_output(r, "a", 4, xs, EXACT, -1, 1)
                                       : sc_parity_input(r, "a", 4, xs, -1, 1);
        sc_parity_tensor *b = sc_parity_input(r, "b", 4, xs, -1, 1);
        sc_parity_tensor *y = in_place ? a : sc_parity_output(r, "y", 4, xs, EXACT, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_ON_BOTH(r, be->ops->add_fwd(be, &a->t[side], &b->t[side], &y->t[side]));
    } else {
        sc_parity_tensor *dy = sc_parity_input(r, "dy", 4, xs, -1, 1);
        sc_parity_tensor *dx = sc_parity_output(r, "dx", 4, xs, EXACT, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_ON_BOTH(r, be->ops->add_bwd(be, &dy->t[side], &dx->t[side], c->accumulate));
    }
}

static void run_pool(sc_parity_run *r, const op_case *c) {
    const int64_t xs[4] = {c->n, c->c, c->h, c->w};
    if (c->op == SC_OP_GAP_FWD || c->op == SC_OP_GAP_BWD) {
        const int64_t ys[4] = {c->n, c->c, 1, 1};
        if (c->op == SC_OP_GAP_FWD) {
            sc_parity_tensor *x = sc_parity_input(r, "x", 4, xs, -1, 1);
            sc_parity_tensor *y = sc_parity_output(r, "y", 4, ys, REDUCTION_LIMIT, -1, 1);
            if (r->failed)
                return;
            SC_PARITY_ON_BOTH(r, be->ops->gap_fwd(be, &x->t[side], &y->t[side]));
        } else {
            sc_parity_tensor *dy = sc_parity_input(r, "dy", 4, ys, -1, 1);
            sc_parity_tensor *dx = sc_parity_output(r, "dx", 4, xs, REDUCTION_LIMIT, -1, 1);
            if (r->failed)
                return;
            SC_PARITY_ON_BOTH(r, be->ops->gap_bwd(be, &dy->t[side], &dx->t[side], c->accumulate));
        }
        return;
    }
    const sc_pool_params p = {c->r, c->stride, c->pad};
    const int oh = (int)sc_window_out(c->h, c->r, c->stride, c->pad);
    const int ow = (int)sc_window_out(c->w, c->r, c->stride, c->pad);
    const int64_t ys[4] = {c->n, c->c, oh, ow};
    const float lo = (c->flags & FLAG_NEGATIVE) ? -2.0f : -1.0f;
    const float hi = (c->flags & FLAG_NEGATIVE) ? -1.0f : 1.0f;
    sc_parity_tensor *x = sc_parity_input(r, "x", 4, xs, lo, hi);
    if (r->failed)
        return;
    if (c->flags & FLAG_TIES) {
        float *xv = sc_parity_values(x); /* {-1, 0, 1}: most windows hold several maxima */
        for (int64_t i = 0; i < x->n; i++)
            xv[i] = xv[i] < -0.33f ? -1.0f : (xv[i] < 0.33f ? 0.0f : 1.0f);
        sc_parity_upload(r, x);
    }
    if (c->op == SC_OP_MAXPOOL_FWD) {
        sc_parity_tensor *y = sc_parity_output(r, "y", 4, ys, EXACT, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_ON_BOTH(r, be->ops->maxpool_fwd(be, &p, &x->t[side], &y->t[side]));
    } else {
        sc_parity_tensor *y = sc_parity_input(r, "y", 4, ys, -1, 1);
        sc_parity_tensor *dy = sc_parity_input(r, "dy", 4, ys, -1, 1);
        sc_parity_tensor *dx = sc_parity_output(r, "dx", 4, xs, EXACT, -1, 1);
        if (r->failed)
            return;
        host_maxpool(sc_parity_values(x), sc_parity_values(y), (int64_t)c->n * c->c, c, oh, ow);
        sc_parity_upload(r, y);
        if (r->failed)
            return;
        SC_PARITY_ON_BOTH(r, be->ops->maxpool_bwd(be, &p, &x->t[side], &y->t[side], &dy->t[side],
                                                  &dx->t[side], c->accumulate));
    }
}

static void run_linear(sc_parity_run *r, const op_case *c) {
    const int x4d = (c->flags & FLAG_X_4D) != 0;
    const int has_bias = !(c->flags & FLAG_NO_BIAS);
    const int64_t xs[4] = {c->n, c->c, 1, 1}, ws[2] = {c->k, c->c}, ys[2] = {c->n, c->k};
    const int64_t bs[1] = {c->k};
    const int x_dims = x4d ? 4 : 2;
    if (c->op == SC_OP_LINEAR_FWD) {
        sc_parity_tensor *x = sc_parity_input(r, "x", x_dims, xs, -1, 1);
        sc_parity_tensor *w = sc_parity_input(r, "w", 2, ws, -1, 1);
        sc_parity_tensor *b = has_bias ? sc_parity_input(r, "b", 1, bs, -1, 1) : NULL;
        sc_parity_tensor *y = sc_parity_output(r, "y", 2, ys, GEMM_LIMIT, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_ON_BOTH(r, be->ops->linear_fwd(be, &x->t[side], &w->t[side],
                                                 b ? &b->t[side] : NULL, &y->t[side]));
    } else if (c->op == SC_OP_LINEAR_BWD_DATA) {
        sc_parity_tensor *dy = sc_parity_input(r, "dy", 2, ys, -1, 1);
        sc_parity_tensor *w = sc_parity_input(r, "w", 2, ws, -1, 1);
        sc_parity_tensor *dx = sc_parity_output(r, "dx", x_dims, xs, GEMM_LIMIT, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_ON_BOTH(r, be->ops->linear_bwd_data(be, &dy->t[side], &w->t[side], &dx->t[side],
                                                      c->accumulate));
    } else {
        sc_parity_tensor *x = sc_parity_input(r, "x", x_dims, xs, -1, 1);
        sc_parity_tensor *dy = sc_parity_input(r, "dy", 2, ys, -1, 1);
        sc_parity_tensor *dw = sc_parity_output(r, "dw", 2, ws, GEMM_LIMIT, -1, 1);
        sc_parity_tensor *db =
            has_bias ? sc_parity_output(r, "db", 1, bs, REDUCTION_LIMIT, -1, 1) : NULL;
        if (r->failed)
            return;
        SC_PARITY_ON_BOTH(r, be->ops->linear_bwd_weight(be, &x->t[side], &dy->t[side], &dw->t[side],
                                                        db ? &db->t[side] : NULL));
    }
}

static void run_softmax_xent(sc_parity_run *r, const op_case *c) {
    const sc_xent_params p = {c->param, 0.75f};
    const int64_t ls[2] = {c->n, c->c}, ns[1] = {c->n}, ss[1] = {2};
    sc_parity_tensor *logits = sc_parity_input(r, "logits", 2, ls, -4, 4);
    sc_parity_tensor *labels =
        sc_parity_tensor_new(r, "labels", SC_I32, 1, ns, SC_PARITY_INPUT, 0.0, 0, 0);
    sc_parity_tensor *dlogits =
        (c->flags & FLAG_NO_DLOGITS) ? NULL : sc_parity_output(r, "dlogits", 2, ls, 1e-5, -1, 1);
    /* stats start non-zero (they accumulate); a wrong correct count moves them by >= 1 */
    sc_parity_tensor *stats = sc_parity_output(r, "stats", 1, ss, 1e-5, 1, 3);
    if (r->failed)
        return;
    sc_rng_key key = sc_rng_key_make(r->seed++, 1, SC_RNG_TEST);
    for (int64_t i = 0; i < labels->n; i++)
        labels->init[i] = sc_rng_below(key, (uint64_t)i, (uint32_t)c->c);
    sc_parity_upload(r, labels);
    if (r->failed)
        return;
    SC_PARITY_ON_BOTH(r,
                      be->ops->softmax_xent(be, &p, &logits->t[side], &labels->t[side],
                                            dlogits ? &dlogits->t[side] : NULL, &stats->t[side]));
}

static void run_sgd(sc_parity_run *r, const op_case *c) {
    const sc_sgd_params p = {0.1f, c->param, c->param > 0.0f ? 5e-4f : 0.0f,
                             (c->flags & FLAG_NESTEROV) != 0};
    const int64_t ns[1] = {c->n};
    sc_parity_tensor *param = sc_parity_output(r, "param", 1, ns, EXACT, -1, 1);
    sc_parity_tensor *grad = sc_parity_input(r, "grad", 1, ns, -1, 1);
    sc_parity_tensor *buf = sc_parity_output(r, "momentum_buf", 1, ns, EXACT, -1, 1);
    if (r->failed)
        return;
    SC_PARITY_ON_BOTH(r,
                      be->ops->sgd_update(be, &p, &param->t[side], &grad->t[side], &buf->t[side]));
}

static void run_rng(sc_parity_run *r, const op_case *c) {
    const int64_t ns[1] = {c->n};
    const sc_rng_key key = sc_rng_key_make(0x5CAA7ull + (uint64_t)c->n, 7, SC_RNG_FILL);
    sc_parity_tensor *out = sc_parity_output(r, "out", 1, ns, EXACT, -1, 1);
    if (r->failed)
        return;
    if (c->op == SC_OP_RNG_UNIFORM) {
        SC_PARITY_ON_BOTH(r, be->ops->rng_uniform(be, key, -0.5f, 2.0f, &out->t[side]));
    } else {
        SC_PARITY_ON_BOTH(r, be->ops->rng_normal(be, key, 0.25f, 2.0f, &out->t[side]));
    }
}

/* One shape off by one in each call; both backends must refuse it with the same status and
 * leave every tensor (all inputs here) untouched. */
static void run_rejected(sc_parity_run *r, const op_case *c) {
    const int64_t xs[4] = {c->n, c->c, c->h, c->w}, cs[1] = {c->c}, bad_cs[1] = {c->c + 1};
    const int64_t oh = sc_window_out(c->h, c->r, c->stride, c->pad);
    sc_parity_tensor *x = sc_parity_input(r, "x", 4, xs, -1, 1);
    if (r->failed)
        return;
    if (c->op == SC_OP_CONV2D_FWD) {
        const sc_conv_params p = {c->stride, c->pad};
        const int64_t ws[4] = {c->k, c->c, c->r, c->r}, ys[4] = {c->n, c->k + 1, oh, oh};
        sc_parity_tensor *w = sc_parity_input(r, "w", 4, ws, -1, 1);
        sc_parity_tensor *y = sc_parity_input(r, "y", 4, ys, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(
            r, be->ops->conv2d_fwd(be, &p, &x->t[side], &w->t[side], &y->t[side]));
    } else if (c->op == SC_OP_BN_TRAIN_FWD) {
        const sc_bn_params p = {1e-5f, 0.1f};
        sc_parity_tensor *gamma = sc_parity_input(r, "gamma", 1, bad_cs, 0.5f, 1.5f);
        sc_parity_tensor *beta = sc_parity_input(r, "beta", 1, cs, -1, 1);
        sc_parity_tensor *rm = sc_parity_input(r, "running_mean", 1, cs, -1, 1);
        sc_parity_tensor *rv = sc_parity_input(r, "running_var", 1, cs, 0.5f, 1.5f);
        sc_parity_tensor *sm = sc_parity_input(r, "save_mean", 1, cs, -1, 1);
        sc_parity_tensor *si = sc_parity_input(r, "save_invstd", 1, cs, -1, 1);
        sc_parity_tensor *y = sc_parity_input(r, "y", 4, xs, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(r,
                                  be->ops->bn_train_fwd(be, &p, &x->t[side], &gamma->t[side],
                                                        &beta->t[side], &rm->t[side], &rv->t[side],
                                                        &sm->t[side], &si->t[side], &y->t[side]));
    } else if (c->op == SC_OP_RELU_FWD) {
        const int64_t ys[4] = {c->n, c->c, c->h, c->w + 1};
        sc_parity_tensor *y = sc_parity_input(r, "y", 4, ys, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(r, be->ops->relu_fwd(be, &x->t[side], &y->t[side]));
    } else if (c->op == SC_OP_MAXPOOL_FWD) {
        const sc_pool_params p = {c->r, c->stride, c->pad};
        const int64_t ys[4] = {c->n, c->c, oh + 1, oh};
        sc_parity_tensor *y = sc_parity_input(r, "y", 4, ys, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(r, be->ops->maxpool_fwd(be, &p, &x->t[side], &y->t[side]));
    } else if (c->op == SC_OP_LINEAR_FWD) {
        const int64_t in = (int64_t)c->c * c->h * c->w;
        const int64_t ws[2] = {c->k, in + 1}, bs[1] = {c->k}, ys[2] = {c->n, c->k};
        sc_parity_tensor *w = sc_parity_input(r, "w", 2, ws, -1, 1);
        sc_parity_tensor *b = sc_parity_input(r, "b", 1, bs, -1, 1);
        sc_parity_tensor *y = sc_parity_input(r, "y", 2, ys, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(
            r, be->ops->linear_fwd(be, &x->t[side], &w->t[side], &b->t[side], &y->t[side]));
    } else if (c->op == SC_OP_SOFTMAX_XENT) {
        const sc_xent_params p = {0.0f, 1.0f};
        const int64_t ls[2] = {c->n, c->k}, ns[1] = {c->n + 1}, ss[1] = {2};
        sc_parity_tensor *logits = sc_parity_input(r, "logits", 2, ls, -1, 1);
        sc_parity_tensor *labels =
            sc_parity_tensor_new(r, "labels", SC_I32, 1, ns, SC_PARITY_INPUT, 0.0, 0, 0);
        sc_parity_tensor *stats = sc_parity_input(r, "stats", 1, ss, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(r,
                                  be->ops->softmax_xent(be, &p, &logits->t[side], &labels->t[side],
                                                        NULL, &stats->t[side]));
    } else {
        const sc_sgd_params p = {0.1f, 0.9f, 0.0f, 0};
        const int64_t ns[1] = {c->n}, bad_ns[1] = {c->n + 1};
        sc_parity_tensor *param = sc_parity_input(r, "param", 1, ns, -1, 1);
        sc_parity_tensor *grad = sc_parity_input(r, "grad", 1, bad_ns, -1, 1);
        sc_parity_tensor *buf = sc_parity_input(r, "momentum_buf", 1, ns, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_EXPECT_REJECTED(
            r, be->ops->sgd_update(be, &p, &param->t[side], &grad->t[side], &buf->t[side]));
    }
}

static void run_case_ops(sc_parity_run *r, const op_case *c) {
    if (c->flags & FLAG_BAD_LABEL) {
        sc_parity_run_bad_label(r, c);
        return;
    }
    if (sc_parity_saliency_op(c->op)) {
        sc_parity_run_saliency(r, c);
        return;
    }
    if (sc_parity_bn_split_op(c->op)) {
        sc_parity_run_bn_split(r, c);
        return;
    }
    if (sc_parity_metrics_op(c->op)) {
        sc_parity_run_metrics(r, c);
        return;
    }
    if (c->flags & FLAG_REJECTED) {
        run_rejected(r, c);
        return;
    }
    switch (c->op) {
    case SC_OP_CONV2D_FWD:
    case SC_OP_CONV2D_BWD_DATA:
    case SC_OP_CONV2D_BWD_FILTER: run_conv(r, c); break;
    case SC_OP_BN_TRAIN_FWD:
    case SC_OP_BN_INFER_FWD:
    case SC_OP_BN_TRAIN_BWD:
    case SC_OP_BN_INFER_BWD: run_bn(r, c); break;
    case SC_OP_RELU_FWD:
    case SC_OP_RELU_BWD:
    case SC_OP_ADD_FWD:
    case SC_OP_ADD_BWD: run_elementwise(r, c); break;
    case SC_OP_MAXPOOL_FWD:
    case SC_OP_MAXPOOL_BWD:
    case SC_OP_GAP_FWD:
    case SC_OP_GAP_BWD: run_pool(r, c); break;
    case SC_OP_LINEAR_FWD:
    case SC_OP_LINEAR_BWD_DATA:
    case SC_OP_LINEAR_BWD_WEIGHT: run_linear(r, c); break;
    case SC_OP_SOFTMAX_XENT: run_softmax_xent(r, c); break;
    case SC_OP_SGD_UPDATE: run_sgd(r, c); break;
    case SC_OP_RNG_UNIFORM:
    case SC_OP_RNG_NORMAL: run_rng(r, c); break;
    default: sc_parity_fail(r, "test bug: no case runner for op %d", (int)c->op); break;
    }
}

enum case_result { CASE_OK, CASE_FAIL, CASE_UNSUPPORTED };

/* One case: run it on both backends, verify every buffer, release them, print the line. */
static int run_case(sc_backend *reference, sc_backend *tested, const op_case *c, uint64_t seed) {
    sc_parity_run r;
    sc_parity_begin(&r, reference, tested, seed);
    run_case_ops(&r, c);
    if (!r.failed && !r.unsupported)
        sc_parity_verify(&r);
    sc_parity_end(&r);
    char name[192];
    sc_parity_case_name(c, name, sizeof name);
    if (r.unsupported) {
        printf("  %s: not supported (%s)\n", name, r.why);
        return CASE_UNSUPPORTED;
    }
    if (r.failed) {
        printf("  %s: FAIL err=%.2g (%s)\n", name, r.err, r.why);
        return CASE_FAIL;
    }
    printf("  %s: OK err=%.2g\n", name, r.err);
    return CASE_OK;
}

static int known_op(const char *name) {
    for (int op = 0; op < SC_OP_COUNT; op++)
        if (strcmp(name, sc_op_name((sc_op)op)) == 0)
            return 1;
    return 0;
}

static int usage(const char *argv0) {
    fprintf(stderr,
            "usage: %s [--op NAME] [--list] [--backend cuda|cpu] [--timed-algorithms]\n"
            "  --op NAME       run only the cases of op NAME (conv2d_fwd, bn_train_bwd, ...)\n"
            "  --list          print the case names and exit\n"
            "  --backend cpu   test a one-thread CPU backend against the all-cores one\n"
            "                  instead of CUDA (checks this harness without a GPU)\n"
            "  --timed-algorithms  cuDNN algorithms chosen by timing, not by --deterministic's\n"
            "                  heuristics\n",
            argv0);
    return 2;
}

/* Whether every entry of the backend's op table is set: a table that misses an entry added to
 * backend.h would crash the first caller instead of failing here. The table holds function
 * pointers only, so it is read as a sequence of them. */
static int ops_table_complete(const sc_backend *be) {
    typedef void (*any_fn)(void);
    const unsigned char *bytes = (const unsigned char *)be->ops;
    int complete = 1;
    for (size_t at = 0; at + sizeof(any_fn) <= sizeof(sc_backend_ops); at += sizeof(any_fn)) {
        any_fn fn;
        memcpy(&fn, bytes + at, sizeof fn);
        if (!fn) {
            printf("  %s: op table entry %zu of %zu is NULL\n", be->name, at / sizeof(any_fn),
                   sizeof(sc_backend_ops) / sizeof(any_fn));
            complete = 0;
        }
    }
    return complete;
}

/* The reference CPU backend and the backend under test, both with TF32 off; returns 0, or
 * the exit status (77 when the CUDA backend is absent). */
static int create_backends(const char *tested_name, int timed_algorithms, sc_backend **reference,
                           sc_backend **tested) {
    sc_backend_config config = sc_backend_config_default();
    config.tf32 = 0;       /* parity in true fp32 */
    config.debug_sync = 1; /* an asynchronous fault is reported by the op that caused it */
    config.deterministic = !timed_algorithms; /* deterministic: the default of every GPU test */
    if (strcmp(tested_name, "cuda") == 0)
        return sc_test_gpu_backends(&config, reference, tested);
    sc_error err = {0};
    if (sc_backend_create("cpu", &config, reference, &err) != SC_OK) {
        fprintf(stderr, "error: creating the reference cpu backend: %s\n", err.msg);
        return 1;
    }
    config.threads = 1; /* other reduction orders than the reference's team */
    if (sc_backend_create("cpu", &config, tested, &err) != SC_OK) {
        fprintf(stderr, "error: creating the tested cpu backend: %s\n", err.msg);
        sc_backend_destroy(*reference);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    const char *only = NULL;
    const char *tested_name = "cuda";
    int list = 0, timed_algorithms = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--op") == 0 && i + 1 < argc) {
            only = argv[++i];
            if (!known_op(only)) {
                fprintf(stderr, "error: --op %s: unknown op\n", only);
                return 2;
            }
        } else if (strcmp(argv[i], "--timed-algorithms") == 0) {
            timed_algorithms = 1;
        } else if (strcmp(argv[i], "--list") == 0) {
            list = 1;
        } else if (strcmp(argv[i], "--backend") == 0 && i + 1 < argc &&
                   (strcmp(argv[i + 1], "cuda") == 0 || strcmp(argv[i + 1], "cpu") == 0)) {
            tested_name = argv[++i];
        } else {
            return usage(argv[0]);
        }
    }
    static case_list cases;
    sc_parity_build_cases(&cases);
    if (list) {
        for (int i = 0; i < cases.count; i++) {
            if (only && strcmp(only, sc_op_name(cases.items[i].op)) != 0)
                continue;
            char name[192];
            sc_parity_case_name(&cases.items[i], name, sizeof name);
            printf("%s\n", name);
        }
        return 0;
    }

    sc_backend *reference, *tested;
    int ready = create_backends(tested_name, timed_algorithms, &reference, &tested);
    if (ready != 0)
        return ready;
    _Static_assert(sizeof(sc_backend_ops) % sizeof(void (*)(void)) == 0,
                   "sc_backend_ops holds function pointers only");
    if (!ops_table_complete(reference) || !ops_table_complete(tested)) {
        sc_backend_destroy(tested);
        sc_backend_destroy(reference);
        return 1;
    }
    char info[1024];
    tested->ops->describe(tested, info, sizeof info);
    printf("%s backend under test:\n%s", tested->name, info);
    if (info[0] && info[strlen(info) - 1] != '\n')
        printf("\n");

    int counts[3] = {0, 0, 0};
    for (int i = 0; i < cases.count; i++) {
        if (only && strcmp(only, sc_op_name(cases.items[i].op)) != 0)
            continue;
        counts[run_case(reference, tested, &cases.items[i], 1000u * (uint64_t)(i + 1))]++;
    }
    printf("%d cases: %d passed, %d failed, %d not supported\n",
           counts[CASE_OK] + counts[CASE_FAIL] + counts[CASE_UNSUPPORTED], counts[CASE_OK],
           counts[CASE_FAIL], counts[CASE_UNSUPPORTED]);
    sc_backend_destroy(tested);
    sc_backend_destroy(reference);
    return counts[CASE_FAIL] ? 1 : 0;
}
