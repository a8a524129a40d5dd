/* The cases of the backend parity test (tests/gpu_backend_ops.c): which op, which shapes and
 * options, and the name each case is reported under. */
#ifndef SC_TEST_PARITY_CASES_H
#define SC_TEST_PARITY_CASES_H

#include <stddef.h>

#include "host/backend/backend.h"

enum case_flag {
    FLAG_UNPREPARED = 1 << 0,       /* conv: no conv2d_prepare before the op */
    FLAG_NULL_PARAM_GRADS = 1 << 1, /* bn_train_bwd: dgamma = dbeta = NULL */
    FLAG_TIES = 1 << 2,             /* maxpool: inputs from {-1, 0, 1}, windows full of ties */
    FLAG_NEGATIVE = 1 << 3,         /* maxpool: all inputs < 0, so zero padding would win */
    FLAG_IN_PLACE = 1 << 4,         /* relu_fwd / add_fwd: the output is the (first) input */
    FLAG_NO_BIAS = 1 << 5,          /* linear: b / db = NULL */
    FLAG_X_4D = 1 << 6,             /* linear: x / dx shaped (N, IN, 1, 1) as after pooling */
    FLAG_NO_DLOGITS = 1 << 7,       /* softmax_xent: dlogits = NULL */
    FLAG_NESTEROV = 1 << 8,         /* sgd_update */
    FLAG_REJECTED = 1 << 9          /* shapes that disagree: both backends must refuse the call */
};

typedef struct op_case {
    sc_op op;
    int n, c, h, w;     /* input (N, C, H, W); linear (N, IN = c); xent (N, K = c); sgd, rng n */
    int k;              /* conv: output channels; linear: OUT */
    int r, stride, pad; /* conv filter / pool window */
    int accumulate;
    float param; /* bn_train_fwd: momentum; softmax_xent: label smoothing; sgd: momentum */
    int flags;
} op_case;

typedef struct case_list {
    op_case items[256];
    int count;
} case_list;

/* Every case, in the order they run. */
void sc_parity_build_cases(case_list *l);
/* "conv2d_fwd(n=2,c=64,h=56,w=56,k=64,r=3,s=1,p=1)", with the options that apply. */
void sc_parity_case_name(const op_case *c, char *buf, size_t len);

#endif
