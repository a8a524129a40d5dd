/* The cases of the backend parity test: shapes from batch 1 and odd sizes to real
 * ResNet-18/50 layers, per op family, the saliency-guided training ops on MNIST, CIFAR and
 * ImageNet batches with the patterns that stress them, plus calls with disagreeing shapes (see
 * parity_cases.h). */
#include "parity_cases.h"

#include <stdio.h>
#include <string.h>

#include "parity_labels.h"
#include "parity_metrics.h"

static void add(case_list *list, op_case c) {
    if (list->count < (int)(sizeof list->items / sizeof list->items[0]))
        list->items[list->count++] = c;
    else
        fprintf(stderr, "warning: case table full, dropping a %s case\n", sc_op_name(c.op));
}

/* One case of op per row (n, c, h, w, kind, flags) of shapes. */
static void add_nchw_kind_cases(case_list *l, sc_op op, const int (*shapes)[6], size_t count) {
    for (size_t i = 0; i < count; i++) {
        const int *s = shapes[i];
        add(l, (op_case){.op = op,
                         .n = s[0],
                         .c = s[1],
                         .h = s[2],
                         .w = s[3],
                         .kind = s[4],
                         .flags = s[5]});
    }
}

static void add_conv_cases(case_list *l) {
    /* n, c, h, w, k, r, stride, pad */
    static const int shapes[][8] = {
        {1, 3, 9, 7, 5, 3, 1, 1},         /* batch 1, odd H and W */
        {2, 5, 11, 13, 7, 3, 2, 1},       /* stride 2 with padding, odd sizes */
        {2, 6, 10, 9, 10, 1, 1, 0},       /* 1x1 */
        {2, 12, 15, 15, 20, 1, 2, 0},     /* 1x1 stride-2 projection */
        {2, 3, 32, 32, 64, 3, 1, 1},      /* CIFAR stem */
        {2, 3, 224, 224, 64, 7, 2, 3},    /* ImageNet 7x7 stride-2 stem */
        {2, 64, 56, 56, 64, 3, 1, 1},     /* ResNet layer1 */
        {2, 64, 56, 56, 128, 3, 2, 1},    /* ResNet-18 layer2 downsampling conv */
        {2, 128, 28, 28, 128, 3, 1, 1},   /* ResNet layer2 */
        {2, 256, 14, 14, 1024, 1, 1, 0},  /* ResNet-50 1x1 expansion */
        {2, 1024, 14, 14, 256, 1, 1, 0},  /* ResNet-50 1x1 reduction */
        {2, 1024, 14, 14, 2048, 1, 2, 0}, /* ResNet-50 layer4 projection shortcut */
        {2, 512, 7, 7, 512, 3, 1, 1},     /* ResNet layer4 */
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const int *s = shapes[i];
        op_case c = {.n = s[0],
                     .c = s[1],
                     .h = s[2],
                     .w = s[3],
                     .k = s[4],
                     .r = s[5],
                     .stride = s[6],
                     .pad = s[7]};
        c.op = SC_OP_CONV2D_FWD;
        add(l, c);
        c.op = SC_OP_CONV2D_BWD_DATA;
        add(l, c);
        c.accumulate = 1;
        add(l, c);
        c.accumulate = 0;
        c.op = SC_OP_CONV2D_BWD_FILTER;
        add(l, c);
    }
    /* A shape nobody prepared: the op must choose its algorithms itself. */
    op_case fresh = {.n = 3,
                     .c = 5,
                     .h = 11,
                     .w = 13,
                     .k = 7,
                     .r = 3,
                     .stride = 2,
                     .pad = 1,
                     .flags = FLAG_UNPREPARED};
    fresh.op = SC_OP_CONV2D_FWD;
    add(l, fresh);
    fresh.op = SC_OP_CONV2D_BWD_DATA;
    add(l, fresh);
    fresh.op = SC_OP_CONV2D_BWD_FILTER;
    add(l, fresh);
}

static void add_bn_cases(case_list *l) {
    static const int shapes[][4] = {
        {1, 3, 9, 7}, {2, 13, 5, 3}, {2, 64, 56, 56}, {2, 256, 14, 14}, {2, 2048, 7, 7}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        op_case c = {.n = shapes[i][0], .c = shapes[i][1], .h = shapes[i][2], .w = shapes[i][3]};
        c.op = SC_OP_BN_TRAIN_FWD;
        c.param = 0.0f;
        add(l, c);
        c.param = 0.1f;
        add(l, c);
        c.param = 0.0f;
        c.op = SC_OP_BN_INFER_FWD;
        add(l, c);
        for (int acc = 0; acc < 2; acc++) {
            c.accumulate = acc;
            c.op = SC_OP_BN_TRAIN_BWD;
            c.flags = 0;
            add(l, c);
            c.flags = FLAG_NULL_PARAM_GRADS;
            add(l, c);
            c.flags = 0;
            c.op = SC_OP_BN_INFER_BWD;
            add(l, c);
            c.op = SC_OP_BN_BWD_APPLY;
            add(l, c);
        }
        c.accumulate = 0;
        c.op = SC_OP_BN_BWD_SUMS;
        add(l, c);
    }
}

static void add_elementwise_cases(case_list *l) {
    static const int shapes[][4] = {{1, 3, 9, 7}, {2, 64, 56, 56}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        op_case c = {.n = shapes[i][0], .c = shapes[i][1], .h = shapes[i][2], .w = shapes[i][3]};
        const sc_op forward[2] = {SC_OP_RELU_FWD, SC_OP_ADD_FWD};
        const sc_op backward[2] = {SC_OP_RELU_BWD, SC_OP_ADD_BWD};
        for (int j = 0; j < 2; j++) {
            c.op = forward[j];
            c.flags = 0;
            add(l, c);
            c.flags = FLAG_IN_PLACE;
            add(l, c);
            c.flags = 0;
            c.op = backward[j];
            c.accumulate = 0;
            add(l, c);
            c.accumulate = 1;
            add(l, c);
            c.accumulate = 0;
        }
    }
}

static void add_pool_cases(case_list *l) {
    /* n, c, h, w, kernel, stride, pad, flags */
    static const int shapes[][8] = {
        {2, 64, 112, 112, 3, 2, 1, 0}, /* ResNet stem pooling */
        {1, 3, 9, 7, 3, 2, 1, 0},      /* batch 1, odd sizes */
        {2, 5, 8, 8, 2, 2, 0, 0},      /* 2x2 without padding */
        {2, 4, 13, 11, 3, 2, 1, FLAG_TIES},
        {2, 4, 13, 11, 3, 1, 1, FLAG_TIES}, /* overlapping windows share tied elements */
        {2, 3, 7, 7, 3, 2, 1, FLAG_NEGATIVE},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const int *s = shapes[i];
        op_case c = {.n = s[0],
                     .c = s[1],
                     .h = s[2],
                     .w = s[3],
                     .r = s[4],
                     .stride = s[5],
                     .pad = s[6],
                     .flags = s[7]};
        c.op = SC_OP_MAXPOOL_FWD;
        add(l, c);
        c.op = SC_OP_MAXPOOL_BWD;
        add(l, c);
        c.accumulate = 1;
        add(l, c);
    }
    static const int gap_shapes[][4] = {
        {2, 2048, 7, 7}, {2, 512, 7, 7}, {1, 3, 9, 7}, {2, 64, 56, 56}};
    for (size_t i = 0; i < sizeof gap_shapes / sizeof gap_shapes[0]; i++) {
        op_case c = {.n = gap_shapes[i][0],
                     .c = gap_shapes[i][1],
                     .h = gap_shapes[i][2],
                     .w = gap_shapes[i][3]};
        c.op = SC_OP_GAP_FWD;
        add(l, c);
        c.op = SC_OP_GAP_BWD;
        add(l, c);
        c.accumulate = 1;
        add(l, c);
    }
}

static void add_linear_cases(case_list *l) {
    /* n, in, out, flags */
    static const int shapes[][4] = {
        {2, 2048, 1000, FLAG_X_4D}, /* ResNet-50 fc after global pooling */
        {2, 512, 10, 0},            /* ResNet-18 fc, CIFAR-10 */
        {3, 7, 5, 0},               /* odd sizes */
        {1, 9, 3, FLAG_NO_BIAS},    /* batch 1, no bias */
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        op_case c = {
            .n = shapes[i][0], .c = shapes[i][1], .k = shapes[i][2], .flags = shapes[i][3]};
        c.op = SC_OP_LINEAR_FWD;
        add(l, c);
        c.op = SC_OP_LINEAR_BWD_DATA;
        add(l, c);
        c.accumulate = 1;
        add(l, c);
        c.accumulate = 0;
        c.op = SC_OP_LINEAR_BWD_WEIGHT;
        add(l, c);
    }
}

static void add_loss_optim_rng_cases(case_list *l) {
    /* softmax_xent: rows, classes, smoothing, flags (300 rows span several kernel blocks) */
    const op_case xent[] = {
        {.op = SC_OP_SOFTMAX_XENT, .n = 2, .c = 1000, .param = 0.0f},
        {.op = SC_OP_SOFTMAX_XENT, .n = 2, .c = 1000, .param = 0.1f},
        {.op = SC_OP_SOFTMAX_XENT, .n = 300, .c = 10, .param = 0.1f},
        {.op = SC_OP_SOFTMAX_XENT, .n = 1, .c = 7, .param = 0.0f},
        {.op = SC_OP_SOFTMAX_XENT, .n = 2, .c = 1000, .param = 0.1f, .flags = FLAG_NO_DLOGITS},
    };
    for (size_t i = 0; i < sizeof xent / sizeof xent[0]; i++)
        add(l, xent[i]);
    const op_case sgd[] = {
        {.op = SC_OP_SGD_UPDATE, .n = 1000003, .param = 0.9f},
        {.op = SC_OP_SGD_UPDATE, .n = 1000003, .param = 0.9f, .flags = FLAG_NESTEROV},
        {.op = SC_OP_SGD_UPDATE, .n = 17, .param = 0.0f},
    };
    for (size_t i = 0; i < sizeof sgd / sizeof sgd[0]; i++)
        add(l, sgd[i]);
    const int rng_sizes[] = {1000003, 5};
    for (size_t i = 0; i < sizeof rng_sizes / sizeof rng_sizes[0]; i++) {
        add(l, (op_case){.op = SC_OP_RNG_UNIFORM, .n = rng_sizes[i]});
        add(l, (op_case){.op = SC_OP_RNG_NORMAL, .n = rng_sizes[i]});
    }
}

/* Saliency maps and masks (N, 1, H, W): batch 1 and odd sizes, MNIST, CIFAR and ImageNet
 * batches, and the patterns that stress an exact selection (ties, constant and zero maps, NaN,
 * signed values). */
static void add_saliency_reduce_cases(case_list *l) {
    /* n, c, h, w, kind, flags */
    static const int shapes[][6] = {
        {4, 3, 32, 32, SC_REDUCE_MEAN, 0},
        {4, 3, 32, 32, SC_REDUCE_MAX, 0},
        {4, 3, 32, 32, SC_REDUCE_SUM, 0},
        {4, 3, 32, 32, SC_REDUCE_SIGNED, 0},
        {4, 3, 32, 32, SC_REDUCE_MEAN, FLAG_INPUT_X},
        {4, 3, 32, 32, SC_REDUCE_MAX, FLAG_INPUT_X},
        {4, 3, 32, 32, SC_REDUCE_SIGNED, FLAG_INPUT_X},
        {1, 3, 5, 7, SC_REDUCE_MEAN, 0},
        {8, 1, 28, 28, SC_REDUCE_MEAN, 0},
        {8, 1, 28, 28, SC_REDUCE_MAX, FLAG_INPUT_X},
        {2, 3, 224, 224, SC_REDUCE_MEAN, 0},
        {2, 3, 224, 224, SC_REDUCE_SUM, FLAG_INPUT_X},
    };
    add_nchw_kind_cases(l, SC_OP_SALIENCY_REDUCE, shapes, sizeof shapes / sizeof shapes[0]);
}

static void add_mask_select_cases(case_list *l) {
    /* n, h, w, k, flags: the lowest floor(k * H * W) pixels */
    static const struct {
        int n, h, w;
        float k;
        int flags;
    } lowest[] = {
        {4, 32, 32, 0.5f, 0},         {4, 32, 32, 0.0f, 0},
        {4, 32, 32, 1.0f, 0},         {1, 5, 7, 0.5f, 0}, /* odd H*W: 17 of 35 */
        {3, 7, 9, 0.5f, 0},           {2, 1, 1, 0.5f, 0}, /* one pixel, none selected */
        {4, 32, 32, 0.3f, FLAG_TIES}, {4, 32, 32, 0.5f, FLAG_CONSTANT},
        {4, 32, 32, 0.5f, FLAG_ZERO}, {4, 32, 32, 0.5f, FLAG_SIGNED},
        {4, 32, 32, 0.5f, FLAG_NAN},  {4, 32, 32, 0.1f, FLAG_NO_STATS},
        {8, 28, 28, 0.5f, 0},         {8, 28, 28, 0.5f, FLAG_TIES},
        {2, 224, 224, 0.5f, 0},       {2, 224, 224, 0.3f, FLAG_TIES},
    };
    for (size_t i = 0; i < sizeof lowest / sizeof lowest[0]; i++)
        add(l, (op_case){.op = SC_OP_MASK_SELECT,
                         .n = lowest[i].n,
                         .c = 1,
                         .h = lowest[i].h,
                         .w = lowest[i].w,
                         .kind = SC_MASK_LOWEST,
                         .param = lowest[i].k,
                         .flags = lowest[i].flags});
    /* n, h, w, tau, k_min, k_max, flags: the complement of the tau-mass salient set, clamped
     * (uniform maps: tau 0.9 keeps about 32 % of the pixels, 0.99 about 10 %, 0.5 about 71 %) */
    static const struct {
        int n, h, w;
        float tau, k_min, k_max;
        int flags;
    } mass[] = {
        {4, 32, 32, 0.9f, 0.1f, 0.9f, 0},
        {4, 32, 32, 0.99f, 0.3f, 0.6f, 0}, /* clamped up to k_min */
        {4, 32, 32, 0.5f, 0.3f, 0.6f, 0},  /* clamped down to k_max */
        {4, 32, 32, 0.9f, 0.5f, 0.5f, 0},  /* fixed by the clamp */
        {4, 32, 32, 0.0f, 0.1f, 0.9f, 0},  /* empty salient set */
        {4, 32, 32, 1.0f, 0.0f, 1.0f, 0},  /* every pixel with mass */
        {4, 32, 32, 0.9f, 0.1f, 0.9f, FLAG_TIES},
        {4, 32, 32, 0.9f, 0.1f, 0.9f, FLAG_CONSTANT},
        {4, 32, 32, 0.9f, 0.1f, 0.9f, FLAG_ZERO},
        {4, 32, 32, 0.9f, 0.1f, 0.9f, FLAG_SOME_ZERO},
        {4, 32, 32, 0.9f, 0.1f, 0.9f, FLAG_SIGNED},
        {4, 32, 32, 0.9f, 0.1f, 0.9f, FLAG_NAN},
        {1, 5, 7, 0.9f, 0.0f, 1.0f, 0},
        {8, 28, 28, 0.9f, 0.1f, 0.9f, 0},
        {2, 224, 224, 0.9f, 0.1f, 0.9f, 0},
        {2, 224, 224, 0.7f, 0.0f, 1.0f, FLAG_TIES},
    };
    for (size_t i = 0; i < sizeof mass / sizeof mass[0]; i++)
        add(l, (op_case){.op = SC_OP_MASK_SELECT,
                         .n = mass[i].n,
                         .c = 1,
                         .h = mass[i].h,
                         .w = mass[i].w,
                         .kind = SC_MASK_MASS,
                         .tau = mass[i].tau,
                         .k_min = mass[i].k_min,
                         .k_max = mass[i].k_max,
                         .flags = mass[i].flags});
}

static void add_fill_cases(case_list *l) {
    /* n, c, h, w, flags */
    static const int stats_shapes[][5] = {
        {4, 3, 32, 32, 0}, {8, 1, 28, 28, 0},           {2, 3, 224, 224, 0},
        {1, 3, 5, 7, 0},   {2, 3, 6, 5, FLAG_CONSTANT},
    };
    for (size_t i = 0; i < sizeof stats_shapes / sizeof stats_shapes[0]; i++) {
        const int *s = stats_shapes[i];
        add(l, (op_case){.op = SC_OP_IMAGE_STATS,
                         .n = s[0],
                         .c = s[1],
                         .h = s[2],
                         .w = s[3],
                         .flags = s[4]});
    }
    /* n, c, h, w, kind, flags */
    static const int fill_shapes[][6] = {
        {4, 3, 32, 32, SC_FILL_UNIFORM, 0},
        {4, 3, 32, 32, SC_FILL_MEAN, 0},
        {8, 1, 28, 28, SC_FILL_UNIFORM, 0},
        {2, 3, 224, 224, SC_FILL_UNIFORM, 0},
        {2, 3, 224, 224, SC_FILL_MEAN, 0},
        {1, 3, 5, 7, SC_FILL_UNIFORM, 0},
        {4, 3, 32, 32, SC_FILL_UNIFORM, FLAG_IN_PLACE},
        {4, 3, 32, 32, SC_FILL_MEAN, FLAG_IN_PLACE},
        {2, 3, 6, 5, SC_FILL_UNIFORM, FLAG_CONSTANT},
    };
    add_nchw_kind_cases(l, SC_OP_MASK_FILL, fill_shapes,
                        sizeof fill_shapes / sizeof fill_shapes[0]);
}

static void add_perturb_cases(case_list *l) {
    /* n, h, w, gamma, flags */
    static const struct {
        int n, h, w;
        float gamma;
        int flags;
    } budget[] = {
        {4, 32, 32, 1.0f, 0},
        {4, 32, 32, 2.0f, 0},
        {4, 32, 32, 0.0f, 0},
        {4, 32, 32, 0.5f, 0}, /* powf */
        {4, 32, 32, 1.0f, FLAG_NO_MASK},
        {4, 32, 32, 1.0f, FLAG_ZERO},
        {4, 32, 32, 1.0f, FLAG_SIGNED},
        {4, 32, 32, 1.0f, FLAG_CONSTANT},
        {8, 28, 28, 1.0f, 0},
        {2, 224, 224, 1.0f, 0},
        {1, 5, 7, 2.0f, FLAG_NO_MASK},
    };
    for (size_t i = 0; i < sizeof budget / sizeof budget[0]; i++)
        add(l, (op_case){.op = SC_OP_PERTURB_BUDGET,
                         .n = budget[i].n,
                         .c = 1,
                         .h = budget[i].h,
                         .w = budget[i].w,
                         .param = budget[i].gamma,
                         .flags = budget[i].flags});
    /* n, c, h, w, flags, op (0: perturb_init, 1: perturb_step) */
    static const int images[][6] = {
        {4, 3, 32, 32, 0, 0},
        {4, 3, 32, 32, FLAG_NO_BUDGET, 0},
        {8, 1, 28, 28, 0, 0},
        {2, 3, 224, 224, 0, 0},
        {1, 3, 5, 7, FLAG_NO_BUDGET, 0},
        {4, 3, 32, 32, 0, 1},
        {4, 3, 32, 32, FLAG_NO_BUDGET, 1},
        {4, 3, 32, 32, FLAG_NO_STATS, 1},
        {8, 1, 28, 28, 0, 1},
        {2, 3, 224, 224, 0, 1},
        {1, 3, 5, 7, FLAG_NO_BUDGET, 1},
    };
    for (size_t i = 0; i < sizeof images / sizeof images[0]; i++) {
        const int *s = images[i];
        add(l, (op_case){.op = s[5] ? SC_OP_PERTURB_STEP : SC_OP_PERTURB_INIT,
                         .n = s[0],
                         .c = s[1],
                         .h = s[2],
                         .w = s[3],
                         .flags = s[4]});
    }
}

static void add_kl_gini_class_cases(case_list *l) {
    /* kl_div: rows, classes, accumulate, flags (300 rows span several kernel blocks) */
    static const int kl[][4] = {
        {2, 1000, 0, 0},
        {2, 1000, 1, 0},
        {300, 10, 0, 0},
        {300, 10, 1, 0},
        {1, 7, 0, 0},
        {2, 1000, 1, FLAG_NO_DP},
        {2, 1000, 0, FLAG_NO_DQ},
        {300, 10, 0, FLAG_NO_DP | FLAG_NO_DQ},
        {300, 10, 1, FLAG_NO_STATS},
        {4, 10, 0, FLAG_CONSTANT},
    };
    for (size_t i = 0; i < sizeof kl / sizeof kl[0]; i++)
        add(l, (op_case){.op = SC_OP_KL_DIV,
                         .n = kl[i][0],
                         .c = kl[i][1],
                         .accumulate = kl[i][2],
                         .flags = kl[i][3]});
    /* map_gini: n, h, w, flags */
    static const int gini[][4] = {
        {4, 32, 32, 0},
        {4, 32, 32, FLAG_SIGNED},
        {4, 32, 32, FLAG_TIES},
        {4, 32, 32, FLAG_CONSTANT},
        {4, 32, 32, FLAG_ZERO},
        {4, 32, 32, FLAG_SOME_ZERO},
        {4, 32, 32, FLAG_NAN},
        {4, 32, 32, FLAG_NO_GINI},
        {4, 32, 32, FLAG_NO_STATS},
        {8, 28, 28, 0},
        {2, 224, 224, 0},
        {1, 5, 7, 0},
    };
    for (size_t i = 0; i < sizeof gini / sizeof gini[0]; i++)
        add(l, (op_case){.op = SC_OP_MAP_GINI,
                         .n = gini[i][0],
                         .c = 1,
                         .h = gini[i][1],
                         .w = gini[i][2],
                         .flags = gini[i][3]});
    const op_case classes[] = {
        {.op = SC_OP_ONEHOT, .n = 2, .c = 1000, .param = 1.0f},
        {.op = SC_OP_ONEHOT, .n = 300, .c = 10, .param = -2.5f},
        {.op = SC_OP_ONEHOT, .n = 1, .c = 1, .param = 1.0f},
        {.op = SC_OP_ARGMAX, .n = 2, .c = 1000},
        {.op = SC_OP_ARGMAX, .n = 300, .c = 10},
        {.op = SC_OP_ARGMAX, .n = 1, .c = 1},
        {.op = SC_OP_ARGMAX, .n = 64, .c = 10, .flags = FLAG_TIES},
    };
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        add(l, classes[i]);
}

/* Calls with one disagreeing shape (see run_rejected): refused alike, nothing written. */
static void add_rejected_cases(case_list *l) {
    const sc_op ops[] = {SC_OP_CONV2D_FWD,   SC_OP_BN_TRAIN_FWD,    SC_OP_RELU_FWD,
                         SC_OP_MAXPOOL_FWD,  SC_OP_LINEAR_FWD,      SC_OP_SOFTMAX_XENT,
                         SC_OP_SGD_UPDATE,   SC_OP_SALIENCY_REDUCE, SC_OP_MASK_SELECT,
                         SC_OP_IMAGE_STATS,  SC_OP_MASK_FILL,       SC_OP_PERTURB_BUDGET,
                         SC_OP_PERTURB_INIT, SC_OP_PERTURB_STEP,    SC_OP_KL_DIV,
                         SC_OP_MAP_GINI,     SC_OP_ONEHOT,          SC_OP_ARGMAX};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        add(l, (op_case){.op = ops[i],
                         .n = 2,
                         .c = 3,
                         .h = 6,
                         .w = 6,
                         .k = 4,
                         .r = 3,
                         .stride = 2,
                         .pad = 1,
                         .flags = FLAG_REJECTED});
}

void sc_parity_build_cases(case_list *l) {
    l->count = 0;
    add_conv_cases(l);
    add_bn_cases(l);
    add_elementwise_cases(l);
    add_pool_cases(l);
    add_linear_cases(l);
    add_loss_optim_rng_cases(l);
    add_saliency_reduce_cases(l);
    add_mask_select_cases(l);
    add_fill_cases(l);
    add_perturb_cases(l);
    add_kl_gini_class_cases(l);
    add_rejected_cases(l);
    sc_parity_add_label_cases(l);
    sc_parity_add_metrics_cases(l);
}

void sc_parity_case_name(const op_case *c, char *buf, size_t len) {
    if (c->flags & FLAG_BAD_LABEL) {
        sc_parity_label_case_name(c, buf, len);
        return;
    }
    if (sc_parity_metrics_op(c->op)) {
        sc_parity_metrics_case_name(c, buf, len);
        return;
    }
    const char *op = sc_op_name(c->op);
    char opts[96] = "";
    if (c->accumulate)
        strcat(opts, ",acc=1");
    if (c->flags & FLAG_UNPREPARED)
        strcat(opts, ",unprepared");
    if (c->flags & FLAG_NULL_PARAM_GRADS)
        strcat(opts, ",dgamma=dbeta=NULL");
    if (c->flags & FLAG_TIES)
        strcat(opts, ",ties");
    if (c->flags & FLAG_NEGATIVE)
        strcat(opts, ",negative");
    if (c->flags & FLAG_IN_PLACE)
        strcat(opts, ",in_place");
    if (c->flags & FLAG_NO_BIAS)
        strcat(opts, ",no_bias");
    if (c->flags & FLAG_X_4D)
        strcat(opts, ",x=4d");
    if (c->flags & FLAG_NO_DLOGITS)
        strcat(opts, ",dlogits=NULL");
    if (c->flags & FLAG_NESTEROV)
        strcat(opts, ",nesterov");
    if (c->flags & FLAG_INPUT_X)
        strcat(opts, ",x*g");
    if (c->flags & FLAG_SIGNED)
        strcat(opts, ",signed");
    if (c->flags & FLAG_CONSTANT)
        strcat(opts, c->op == SC_OP_KL_DIV ? ",q=p" : ",constant");
    if (c->flags & FLAG_ZERO)
        strcat(opts, ",zero");
    if (c->flags & FLAG_SOME_ZERO)
        strcat(opts, ",some_zero");
    if (c->flags & FLAG_NAN)
        strcat(opts, ",nan");
    if (c->flags & FLAG_NO_STATS)
        strcat(opts, ",stats=NULL");
    if (c->flags & FLAG_NO_MASK)
        strcat(opts, ",mask=NULL");
    if (c->flags & FLAG_NO_BUDGET)
        strcat(opts, ",budget=NULL");
    if (c->flags & FLAG_NO_DP)
        strcat(opts, ",dp=NULL");
    if (c->flags & FLAG_NO_DQ)
        strcat(opts, ",dq=NULL");
    if (c->flags & FLAG_NO_GINI)
        strcat(opts, ",gini=NULL");
    if (c->flags & FLAG_REJECTED) {
        snprintf(buf, len, "%s(shapes that disagree: refused)", op);
        return;
    }
    switch (c->op) {
    case SC_OP_CONV2D_FWD:
    case SC_OP_CONV2D_BWD_DATA:
    case SC_OP_CONV2D_BWD_FILTER:
        snprintf(buf, len, "%s(n=%d,c=%d,h=%d,w=%d,k=%d,r=%d,s=%d,p=%d%s)", op, c->n, c->c, c->h,
                 c->w, c->k, c->r, c->stride, c->pad, opts);
        break;
    case SC_OP_BN_TRAIN_FWD:
        snprintf(buf, len, "%s(n=%d,c=%d,h=%d,w=%d,momentum=%g%s)", op, c->n, c->c, c->h, c->w,
                 (double)c->param, opts);
        break;
    case SC_OP_MAXPOOL_FWD:
    case SC_OP_MAXPOOL_BWD:
        snprintf(buf, len, "%s(n=%d,c=%d,h=%d,w=%d,k=%d,s=%d,p=%d%s)", op, c->n, c->c, c->h, c->w,
                 c->r, c->stride, c->pad, opts);
        break;
    case SC_OP_LINEAR_FWD:
    case SC_OP_LINEAR_BWD_DATA:
    case SC_OP_LINEAR_BWD_WEIGHT:
        snprintf(buf, len, "%s(n=%d,in=%d,out=%d%s)", op, c->n, c->c, c->k, opts);
        break;
    case SC_OP_SOFTMAX_XENT:
        snprintf(buf, len, "%s(n=%d,k=%d,smoothing=%g%s)", op, c->n, c->c, (double)c->param, opts);
        break;
    case SC_OP_SGD_UPDATE:
        snprintf(buf, len, "%s(n=%d,momentum=%g%s)", op, c->n, (double)c->param, opts);
        break;
    case SC_OP_RNG_UNIFORM:
    case SC_OP_RNG_NORMAL: snprintf(buf, len, "%s(n=%d)", op, c->n); break;
    case SC_OP_SALIENCY_REDUCE: {
        static const char *const reduce[] = {"mean", "max", "sum", "signed"};
        snprintf(buf, len, "%s(n=%d,c=%d,h=%d,w=%d,reduce=%s%s)", op, c->n, c->c, c->h, c->w,
                 reduce[c->kind], opts);
        break;
    }
    case SC_OP_MASK_SELECT:
        if (c->kind == SC_MASK_LOWEST)
            snprintf(buf, len, "%s(n=%d,h=%d,w=%d,lowest,k=%g%s)", op, c->n, c->h, c->w,
                     (double)c->param, opts);
        else
            snprintf(buf, len, "%s(n=%d,h=%d,w=%d,mass,tau=%g,k_min=%g,k_max=%g%s)", op, c->n, c->h,
                     c->w, (double)c->tau, (double)c->k_min, (double)c->k_max, opts);
        break;
    case SC_OP_MASK_FILL:
        snprintf(buf, len, "%s(n=%d,c=%d,h=%d,w=%d,fill=%s%s)", op, c->n, c->c, c->h, c->w,
                 c->kind == SC_FILL_MEAN ? "mean" : "uniform", opts);
        break;
    case SC_OP_PERTURB_BUDGET:
        snprintf(buf, len, "%s(n=%d,h=%d,w=%d,gamma=%g%s)", op, c->n, c->h, c->w, (double)c->param,
                 opts);
        break;
    case SC_OP_MAP_GINI:
        snprintf(buf, len, "%s(n=%d,h=%d,w=%d%s)", op, c->n, c->h, c->w, opts);
        break;
    case SC_OP_KL_DIV:
    case SC_OP_ARGMAX: snprintf(buf, len, "%s(n=%d,k=%d%s)", op, c->n, c->c, opts); break;
    case SC_OP_ONEHOT:
        snprintf(buf, len, "%s(n=%d,k=%d,scale=%g%s)", op, c->n, c->c, (double)c->param, opts);
        break;
    default:
        snprintf(buf, len, "%s(n=%d,c=%d,h=%d,w=%d%s)", op, c->n, c->c, c->h, c->w, opts);
        break;
    }
}
