/* Finite-difference gradient checker, for single ops and whole networks.
 *
 * The function under test is a callback that evaluates some output from inputs it reads out
 * of host buffers: forward(ctx, out) writes n_out floats (uploading/downloading itself when
 * the backend is not the CPU). The checker defines the scalar loss L = sum_j r_j * out_j for
 * fixed weights r (so the analytic gradient is the backward pass seeded with dy = r), perturbs
 * one input element at a time by +-eps in place (restoring it afterwards), and takes the
 * central difference (L(x + eps) - L(x - eps)) / (2 eps), with L summed in double.
 *
 * The callback keeps its own error message (e.g. in be->err); the checker reports which
 * element was being perturbed when it failed.
 *
 * Error metric: max_i |analytic_i - numeric_i| / max(scale, floor), scale = the largest
 * |analytic_i| or |numeric_i| over the checked elements. A NaN or Inf anywhere fails. */
#ifndef SC_GRADCHECK_H
#define SC_GRADCHECK_H

#include <stddef.h>

#include "host/core/status.h"

typedef sc_status (*sc_gradcheck_forward_fn)(void *ctx, float *out);

typedef struct sc_gradcheck_opts {
    float eps;         /* central-difference step; 1e-2 by default (inputs ~U(-1, 1)) */
    double floor;      /* lower bound of the error scale; 1e-3 by default */
    size_t max_points; /* check at most this many evenly spaced elements; 0 = all */
} sc_gradcheck_opts;

typedef struct sc_gradcheck_result {
    double max_err;       /* the normalised error (INFINITY when something is not finite) */
    double scale;         /* the normaliser used */
    size_t checked;       /* number of elements compared */
    size_t worst_index;   /* input element with the largest error */
    float worst_analytic; /* the two gradients there */
    float worst_numeric;
} sc_gradcheck_result;

sc_gradcheck_opts sc_gradcheck_opts_default(void);

/* L = sum_j r[j] * out[j], accumulated in double. */
double sc_gradcheck_loss(const float *out, const float *r, size_t n_out);

/* Compares analytic (n_input) against central differences of L with respect to input
 * (n_input, the buffer forward reads; left unchanged on return). Fails only when forward
 * fails or memory runs out; the verdict is in res->max_err. */
sc_status sc_gradcheck_run(sc_gradcheck_forward_fn forward, void *ctx, float *input, size_t n_input,
                           size_t n_out, const float *r, const float *analytic,
                           const sc_gradcheck_opts *opts, sc_gradcheck_result *res, sc_error *err);

/* "max error 1.2e-04 at element 17 (analytic 0.5, numeric 0.50006), 96 elements checked". */
const char *sc_gradcheck_describe(const sc_gradcheck_result *res, char *buf, size_t len);

#endif
