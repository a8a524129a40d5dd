/* The cases of the backend parity test (tests/gpu_backend_ops.c): which op, which shapes and
 * options, and the name each case is reported under. */
#ifndef SC_TEST_PARITY_CASES_H
#define SC_TEST_PARITY_CASES_H

#include <stddef.h>

#include "host/backend/backend.h"

enum case_flag {
    FLAG_UNPREPARED = 1 << 0,       /* conv: no conv2d_prepare before the op */
    FLAG_NULL_PARAM_GRADS = 1 << 1, /* bn_train_bwd: dgamma = dbeta = NULL */
    FLAG_TIES = 1 << 2,             /* maxpool: inputs from {-1, 0, 1}, windows full of ties;
                                       saliency maps and argmax logits from {0, 1} */
    FLAG_NEGATIVE = 1 << 3,         /* maxpool: all inputs < 0, so zero padding would win */
    FLAG_IN_PLACE = 1 << 4,         /* relu_fwd / add_fwd / mask_fill: the output is the
                                       (first) input */
    FLAG_NO_BIAS = 1 << 5,          /* linear: b / db = NULL */
    FLAG_X_4D = 1 << 6,             /* linear: x / dx shaped (N, IN, 1, 1) as after pooling */
    FLAG_NO_DLOGITS = 1 << 7,       /* softmax_xent: dlogits = NULL */
    FLAG_NESTEROV = 1 << 8,         /* sgd_update */
    FLAG_REJECTED = 1 << 9,         /* shapes that disagree: both backends must refuse the call */
    FLAG_INPUT_X = 1 << 10,         /* saliency_reduce: input-x-gradient (x given) */
    FLAG_SIGNED = 1 << 11,          /* saliency maps in [-1, 1) instead of [0, 1) */
    FLAG_CONSTANT = 1 << 12,        /* maps: all equal; images: constant planes; kl: q = p */
    FLAG_ZERO = 1 << 13,            /* maps all zero */
    FLAG_SOME_ZERO = 1 << 14,       /* maps: every other sample all zero */
    FLAG_NAN = 1 << 15,             /* maps: a few NaN of either sign */
    FLAG_NO_STATS = 1 << 16,        /* stats = NULL */
    FLAG_NO_MASK = 1 << 17,         /* perturb_budget: mask = NULL (every pixel inside M) */
    FLAG_NO_BUDGET = 1 << 18,       /* perturb_init / perturb_step: budget = NULL (uniform eps) */
    FLAG_NO_DP = 1 << 19,           /* kl_div: dp = NULL */
    FLAG_NO_DQ = 1 << 20,           /* kl_div: dq = NULL */
    FLAG_NO_GINI = 1 << 21,         /* map_gini: gini = NULL (stats only) */
    FLAG_ONE_HOT = 1 << 22,         /* maps: one 1 per sample, 0 elsewhere */
    FLAG_NO_ALT = 1 << 23,          /* ranked_replace: alt = NULL (zeros) */
    FLAG_NO_HOYER = 1 << 24,        /* map_sparsity: hoyer = NULL */
    FLAG_NO_ENTROPY = 1 << 25,      /* map_sparsity: entropy = NULL */
    FLAG_BAD_LABEL = 1 << 26        /* softmax_xent / onehot / target_score: a label outside
                                       [0, K): both backends must refuse it alike */
};

typedef struct op_case {
    sc_op op;
    int n, c, h, w;     /* input (N, C, H, W); linear (N, IN = c); xent, kl_div, onehot, argmax
                           (N, K = c); sgd, rng n; maps (N, 1, H, W) with c = 1 */
    int k;              /* conv: output channels; linear: OUT */
    int r, stride, pad; /* conv filter / pool window */
    int accumulate;
    float param; /* bn_train_fwd: momentum; softmax_xent: label smoothing; sgd: momentum;
                    mask_select LOWEST: k; perturb_budget: gamma; onehot: scale */
    int kind;    /* saliency_reduce: sc_reduce_kind; mask_select: sc_mask_kind; mask_fill:
                    sc_fill_kind */
    float tau, k_min, k_max; /* mask_select MASS */
    int flags;
} op_case;

typedef struct case_list {
    op_case items[512];
    int count;
} case_list;

/* Every case, in the order they run. */
void sc_parity_build_cases(case_list *l);
/* "conv2d_fwd(n=2,c=64,h=56,w=56,k=64,r=3,s=1,p=1)", with the options that apply. */
void sc_parity_case_name(const op_case *c, char *buf, size_t len);

#endif
