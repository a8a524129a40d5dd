/* Parity cases of the split batch-norm backward (see parity_bn_split.h). */
#include "parity_bn_split.h"

#define SPLIT_LIMIT 1e-5 /* per-channel sums in double on both, rounded once */

int sc_parity_bn_split_op(sc_op op) {
    return op == SC_OP_BN_BWD_SUMS || op == SC_OP_BN_BWD_APPLY;
}

void sc_parity_run_bn_split(sc_parity_run *r, const op_case *c) {
    const int64_t xs[4] = {c->n, c->c, c->h, c->w}, cs[1] = {c->c}, ss[2] = {2, c->c};
    sc_parity_tensor *x = sc_parity_input(r, "x", 4, xs, -2, 3);
    sc_parity_tensor *dy = sc_parity_input(r, "dy", 4, xs, -1, 1);
    sc_parity_tensor *mean = sc_parity_input(r, "mean", 1, cs, -0.5f, 1.0f);
    sc_parity_tensor *invstd = sc_parity_input(r, "invstd", 1, cs, 0.5f, 1.5f);
    if (c->op == SC_OP_BN_BWD_SUMS) {
        sc_parity_tensor *sums = sc_parity_output(r, "sums", 2, ss, SPLIT_LIMIT, -1, 1);
        if (r->failed)
            return;
        SC_PARITY_ON_BOTH(r, be->ops->bn_bwd_sums(be, &x->t[side], &dy->t[side],
                                                  &mean->t[side], &invstd->t[side],
                                                  &sums->t[side]));
        return;
    }
    sc_parity_tensor *gamma = sc_parity_input(r, "gamma", 1, cs, 0.5f, 1.5f);
    sc_parity_tensor *sums = sc_parity_input(r, "sums", 2, ss, -4, 4);
    sc_parity_tensor *dx = sc_parity_output(r, "dx", 4, xs, SPLIT_LIMIT, -1, 1);
    if (r->failed)
        return;
    const double count = (double)c->n * (double)c->h * (double)c->w;
    SC_PARITY_ON_BOTH(r, be->ops->bn_bwd_apply(be, count, &x->t[side], &dy->t[side],
                                               &gamma->t[side], &mean->t[side], &invstd->t[side],
                                               &sums->t[side], &dx->t[side], c->accumulate));
}
