/* Parity cases with a class label outside [0, K) (FLAG_BAD_LABEL) for tests/gpu_backend_ops.c:
 * softmax_xent, onehot and target_score must refuse such a label on both backends with the same
 * status and the same message. The CPU refuses before computing; the GPU finds it on the
 * device and reports it at the next stream wait (the sync after the call), naming the same
 * first bad sample. Then the fault must be gone: the same call with valid labels succeeds on
 * both and its outputs are compared as usual. */
#ifndef SC_TEST_PARITY_LABELS_H
#define SC_TEST_PARITY_LABELS_H

#include "backend_parity.h"
#include "parity_cases.h"

/* Appends the bad-label cases to l. */
void sc_parity_add_label_cases(case_list *l);
/* "softmax_xent(n=300,k=10,bad label: refused)". */
void sc_parity_label_case_name(const op_case *c, char *buf, size_t len);
/* Runs a FLAG_BAD_LABEL case on both backends of r. */
void sc_parity_run_bad_label(sc_parity_run *r, const op_case *c);

#endif
