/* Parity case runner of the split batch-norm backward (bn_bwd_sums, bn_bwd_apply: what
 * --sync-bn runs) for tests/gpu_backend_ops.c. */
#ifndef SC_TEST_PARITY_BN_SPLIT_H
#define SC_TEST_PARITY_BN_SPLIT_H

#include "backend_parity.h"
#include "parity_cases.h"

/* Whether op is bn_bwd_sums or bn_bwd_apply. */
int sc_parity_bn_split_op(sc_op op);
/* Runs case c on both backends of r: random x, dy, gamma, statistics and sums (the apply
 * takes count = N H W, as one process would). */
void sc_parity_run_bn_split(sc_parity_run *r, const op_case *c);

#endif
