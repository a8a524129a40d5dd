/* Parity case runners of the saliency-guided training ops (the second half of backend.h's
 * table) for tests/gpu_backend_ops.c: each builds its case's tensors on both backends, shapes
 * the inputs the case asks for (ties, constant, zero or NaN maps, {0, 1} masks, budgets with
 * pixels outside M), calls the op on both and leaves the comparison to sc_parity_verify. */
#ifndef SC_TEST_PARITY_SALIENCY_H
#define SC_TEST_PARITY_SALIENCY_H

#include "backend_parity.h"
#include "parity_cases.h"

/* Whether op is one of the saliency-guided training ops. */
int sc_parity_saliency_op(sc_op op);
/* Runs case c of such an op on both backends of r, FLAG_REJECTED cases included. */
void sc_parity_run_saliency(sc_parity_run *r, const op_case *c);

#endif
