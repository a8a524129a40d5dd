/* Parity cases of the saliency-method and metric ops (the last part of backend.h's table, axpby
 * to impute_linear) for tests/gpu_backend_ops.c: the case list (parity_metrics_cases.c) and
 * the runners (parity_metrics.c, parity_metrics_rejected.c) that build each case's tensors on both
 * backends, shape the inputs it asks for (ties, constant, one-hot, zero or NaN maps, constant rows,
 * valid rank permutations, {0, 1} masks), call the op on both and leave the comparison to
 * sc_parity_verify.
 *
 * The fields of op_case for these ops (parity_cases.h):
 *   n, c, h, w     the input (N, C, H, W); maps (N, 1, H, W) with c = 1; rows (N, M = c);
 *                  logits (N, K = c); curves (N, S = c)
 *   k              resize_bilinear: output H; gaussian_blur: kernel; impute_linear:
 *                  iterations; target_score, masked_sum: S, the columns of out
 *   r              resize_bilinear: output W; target_score, masked_sum: the column written
 *   param          axpby: beta; add_noise: scale; ranked_replace: the fraction of H*W
 *                  replaced (count = floor(param * H*W)); gaussian_blur: sigma;
 *                  impute_linear: noise
 *   kind           add_noise: sc_noise_kind; ranked_replace: 1 = from_least; target_score:
 *                  sc_score_kind; pearson_rows: 1 = b correlated with a; relative_distance:
 *                  1 = (N, M) matrices instead of images
 * and the flags TIES, SIGNED, CONSTANT, ZERO, SOME_ZERO, NAN, ONE_HOT (input patterns, which
 * pearson_rows, relative_distance and impute_linear read their own way: see parity_metrics.c),
 * IN_PLACE, NO_ALT, NO_MASK, NO_HOYER, NO_ENTROPY (arguments aliased or left out) and
 * REJECTED (shapes that disagree). */
#ifndef SC_TEST_PARITY_METRICS_H
#define SC_TEST_PARITY_METRICS_H

#include <stddef.h>

#include "backend_parity.h"
#include "parity_cases.h"

/* Whether op is one of the saliency-method and metric ops. */
int sc_parity_metrics_op(sc_op op);
/* Appends the cases of those ops, FLAG_REJECTED ones included, to l. */
void sc_parity_add_metrics_cases(case_list *l);
/* The name of such a case: "gaussian_blur(n=2,c=3,h=224,w=224,kernel=11,sigma=5)". */
void sc_parity_metrics_case_name(const op_case *c, char *buf, size_t len);
/* Runs case c of such an op on both backends of r. */
void sc_parity_run_metrics(sc_parity_run *r, const op_case *c);
/* Runs a FLAG_REJECTED case of such an op (parity_metrics_rejected.c): one shape off by one,
 * every tensor an input, both backends must refuse the call alike. */
void sc_parity_run_metrics_rejected(sc_parity_run *r, const op_case *c);

#endif
