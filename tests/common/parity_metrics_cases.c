/* The parity cases of the saliency-method and metric ops and their names (see
 * parity_metrics.h): batch 1 and odd sizes, MNIST (8x1x28x28), CIFAR (4x3x32x32) and ImageNet
 * (2x3x224x224) batches, the patterns that stress exact rankings (ties, constant, one-hot,
 * zero and NaN maps), every optional argument left out once, and one call with disagreeing
 * shapes per op. */
#include "parity_metrics.h"

#include <stdio.h>
#include <string.h>

int sc_parity_metrics_op(sc_op op) { return op >= SC_OP_AXPBY && op <= SC_OP_IMPUTE_LINEAR; }

static void add(case_list *list, op_case c) {
    if (list->count < (int)(sizeof list->items / sizeof list->items[0]))
        list->items[list->count++] = c;
    else
        fprintf(stderr, "warning: case table full, dropping a %s case\n", sc_op_name(c.op));
}

/* n, c, h, w plus the op's extra fields (see parity_metrics.h). */
typedef struct shape_case {
    int n, c, h, w, k, r;
    float param;
    int kind, flags;
} shape_case;

static void add_all(case_list *l, sc_op op, const shape_case *cases, size_t count) {
    for (size_t i = 0; i < count; i++)
        add(l, (op_case){.op = op,
                         .n = cases[i].n,
                         .c = cases[i].c,
                         .h = cases[i].h,
                         .w = cases[i].w,
                         .k = cases[i].k,
                         .r = cases[i].r,
                         .param = cases[i].param,
                         .kind = cases[i].kind,
                         .flags = cases[i].flags});
}

#define ADD_ALL(l, op, cases) add_all((l), (op), (cases), sizeof(cases) / sizeof((cases)[0]))

static void add_blend_cases(case_list *l) {
    /* axpby: beta in param; beta 0 with y NaN (FLAG_NAN) shows y is not read */
    static const shape_case axpby[] = {
        {4, 3, 32, 32, 0, 0, 0.5f, 0, 0},
        {2, 3, 224, 224, 0, 0, 1.0f, 0, 0},
        {8, 1, 28, 28, 0, 0, 0.0f, 0, FLAG_NAN},
        {1, 3, 5, 7, 0, 0, -2.0f, 0, 0},
        {4, 3, 32, 32, 0, 0, 0.5f, 0, FLAG_IN_PLACE}, /* y = 1.25 y */
    };
    ADD_ALL(l, SC_OP_AXPBY, axpby);
    /* add_noise: scale in param, kind */
    static const shape_case noise[] = {
        {4, 3, 32, 32, 0, 0, 0.15f, SC_NOISE_NORMAL_RANGE, 0},
        {4, 3, 32, 32, 0, 0, 0.2f, SC_NOISE_UNIFORM, 0},
        {8, 1, 28, 28, 0, 0, 0.15f, SC_NOISE_NORMAL_RANGE, 0},
        {2, 3, 224, 224, 0, 0, 0.15f, SC_NOISE_NORMAL_RANGE, 0},
        {2, 3, 224, 224, 0, 0, 0.02f, SC_NOISE_UNIFORM, 0},
        {1, 3, 5, 7, 0, 0, 0.15f, SC_NOISE_NORMAL_RANGE, 0},
        {2, 3, 6, 5, 0, 0, 0.15f, SC_NOISE_NORMAL_RANGE, FLAG_CONSTANT}, /* range 0 */
        {4, 3, 32, 32, 0, 0, 0.0f, SC_NOISE_UNIFORM, 0},
    };
    ADD_ALL(l, SC_OP_ADD_NOISE, noise);
    /* ranked_replace: fraction replaced in param, kind 1 = from_least */
    static const shape_case replace[] = {
        {4, 3, 32, 32, 0, 0, 0.3f, 0, 0},
        {4, 3, 32, 32, 0, 0, 0.3f, 1, 0},
        {4, 3, 32, 32, 0, 0, 0.0f, 0, 0},
        {4, 3, 32, 32, 0, 0, 1.0f, 0, 0},
        {4, 3, 32, 32, 0, 0, 1.0f, 1, 0},
        {4, 3, 32, 32, 0, 0, 0.5f, 0, FLAG_NO_ALT},
        {4, 3, 32, 32, 0, 0, 0.5f, 1, FLAG_IN_PLACE},
        {4, 3, 32, 32, 0, 0, 0.5f, 0, FLAG_IN_PLACE | FLAG_NO_ALT},
        {8, 1, 28, 28, 0, 0, 0.1f, 0, 0},
        {2, 3, 224, 224, 0, 0, 0.2f, 1, 0},
        {1, 3, 5, 7, 0, 0, 0.5f, 0, 0},
    };
    ADD_ALL(l, SC_OP_RANKED_REPLACE, replace);
}

static void add_map_cases(case_list *l) {
    /* gradcam: act, grad (N, K, h, w) of the last feature maps */
    static const shape_case gradcam[] = {
        {8, 512, 7, 7, 0, 0, 0, 0, 0},  /* ResNet-18, ImageNet */
        {2, 2048, 7, 7, 0, 0, 0, 0, 0}, /* ResNet-50 */
        {4, 512, 4, 4, 0, 0, 0, 0, 0},  /* ResNet-18, CIFAR */
        {1, 5, 3, 4, 0, 0, 0, 0, 0},    {2, 3, 1, 1, 0, 0, 0, 0, 0},
    };
    ADD_ALL(l, SC_OP_GRADCAM, gradcam);
    /* resize_bilinear: (N, C, h, w) -> (N, C, k, r) */
    static const shape_case resize[] = {
        {4, 1, 7, 7, 32, 32, 0, 0, 0},   {2, 1, 7, 7, 224, 224, 0, 0, 0},
        {2, 1, 4, 4, 224, 224, 0, 0, 0}, {4, 3, 32, 32, 7, 7, 0, 0, 0}, /* downsizing */
        {1, 2, 5, 3, 9, 11, 0, 0, 0},    {2, 1, 1, 1, 5, 5, 0, 0, 0},
        {2, 3, 8, 8, 8, 8, 0, 0, 0},
    };
    ADD_ALL(l, SC_OP_RESIZE_BILINEAR, resize);
    /* map_sparsity and rank_pixels on the same map patterns */
    static const shape_case maps[] = {
        {4, 1, 32, 32, 0, 0, 0, 0, 0},
        {4, 1, 32, 32, 0, 0, 0, 0, FLAG_SIGNED},
        {4, 1, 32, 32, 0, 0, 0, 0, FLAG_TIES},
        {4, 1, 32, 32, 0, 0, 0, 0, FLAG_CONSTANT},
        {4, 1, 32, 32, 0, 0, 0, 0, FLAG_ONE_HOT},
        {4, 1, 32, 32, 0, 0, 0, 0, FLAG_ZERO | FLAG_SIGNED}, /* -0 and +0 */
        {4, 1, 32, 32, 0, 0, 0, 0, FLAG_SOME_ZERO},
        {4, 1, 32, 32, 0, 0, 0, 0, FLAG_NAN},
        {8, 1, 28, 28, 0, 0, 0, 0, 0},
        {2, 1, 224, 224, 0, 0, 0, 0, 0},
        {2, 1, 224, 224, 0, 0, 0, 0, FLAG_TIES},
        {1, 1, 5, 7, 0, 0, 0, 0, 0},
        {3, 1, 1, 1, 0, 0, 0, 0, 0}, /* one pixel: Hoyer NaN */
    };
    ADD_ALL(l, SC_OP_MAP_SPARSITY, maps);
    static const shape_case sparsity_outputs[] = {
        {4, 1, 32, 32, 0, 0, 0, 0, FLAG_NO_HOYER},
        {4, 1, 32, 32, 0, 0, 0, 0, FLAG_NO_ENTROPY},
    };
    ADD_ALL(l, SC_OP_MAP_SPARSITY, sparsity_outputs);
    ADD_ALL(l, SC_OP_RANK_PIXELS, maps);
    /* gaussian_blur: kernel in k, sigma in param */
    static const shape_case blur[] = {
        {2, 3, 224, 224, 11, 0, 5.0f, 0, 0}, {4, 3, 32, 32, 11, 0, 5.0f, 0, 0},
        {4, 3, 32, 32, 3, 0, 1.0f, 0, 0},    {8, 1, 28, 28, 5, 0, 2.0f, 0, 0},
        {1, 3, 5, 7, 11, 0, 5.0f, 0, 0}, /* wider than the image: reflected twice */
        {2, 1, 1, 1, 3, 0, 1.0f, 0, 0},      {2, 3, 6, 5, 1, 0, 1.0f, 0, 0},
    };
    ADD_ALL(l, SC_OP_GAUSSIAN_BLUR, blur);
}

static void add_score_cases(case_list *l) {
    /* target_score: logits (N, K = c), out (N, S = k), column r */
    static const int kinds[3] = {SC_SCORE_PROB, SC_SCORE_LOGIT, SC_SCORE_CORRECT};
    for (int i = 0; i < 3; i++) {
        const shape_case scores[] = {
            {2, 1000, 1, 1, 101, 100, 0, kinds[i], 0},
            {300, 10, 1, 1, 2, 0, 0, kinds[i], 0},
            {1, 7, 1, 1, 1, 0, 0, kinds[i], 0},
            {64, 10, 1, 1, 11, 5, 0, kinds[i], FLAG_TIES},
        };
        ADD_ALL(l, SC_OP_TARGET_SCORE, scores);
    }
    /* curve_auc: curves (N, S = c) */
    static const shape_case curves[] = {
        {8, 101, 1, 1, 0, 0, 0, 0, 0},
        {8, 2, 1, 1, 0, 0, 0, 0, 0},
        {1, 101, 1, 1, 0, 0, 0, 0, 0},
        {300, 11, 1, 1, 0, 0, 0, 0, 0},
        {4, 101, 1, 1, 0, 0, 0, 0, FLAG_CONSTANT},
    };
    ADD_ALL(l, SC_OP_CURVE_AUC, curves);
    /* rank_rows and pearson_rows: rows (N, M = c) */
    static const shape_case rows[] = {
        {4, 1024, 1, 1, 0, 0, 0, 0, 0},
        {8, 784, 1, 1, 0, 0, 0, 0, 0},
        {2, 50176, 1, 1, 0, 0, 0, 0, 0},
        {3, 37, 1, 1, 0, 0, 0, 0, FLAG_SIGNED},
        {4, 1024, 1, 1, 0, 0, 0, 0, FLAG_TIES},
        {2, 50176, 1, 1, 0, 0, 0, 0, FLAG_TIES},
        {6, 1000, 1, 1, 0, 0, 0, 0, FLAG_CONSTANT},
        {4, 1024, 1, 1, 0, 0, 0, 0, FLAG_NAN},
        {4, 64, 1, 1, 0, 0, 0, 0, FLAG_ZERO | FLAG_SIGNED},
        {1, 2, 1, 1, 0, 0, 0, 0, 0},
    };
    ADD_ALL(l, SC_OP_RANK_ROWS, rows);
    static const shape_case rank_one[] = {{3, 1, 1, 1, 0, 0, 0, 0, 0}};
    ADD_ALL(l, SC_OP_RANK_ROWS, rank_one);
    ADD_ALL(l, SC_OP_PEARSON_ROWS, rows);
    static const shape_case correlated[] = {{4, 1024, 1, 1, 0, 0, 0, 1, 0},
                                            {8, 784, 1, 1, 0, 0, 0, 1, FLAG_TIES}};
    ADD_ALL(l, SC_OP_PEARSON_ROWS, correlated);
}

static void add_sum_impute_cases(case_list *l) {
    /* masked_sum: map (N, 1, H, W), out (N, S = k), column r */
    static const shape_case sums[] = {
        {4, 1, 32, 32, 101, 50, 0, 0, 0},
        {4, 1, 32, 32, 101, 0, 0, 0, FLAG_SIGNED},
        {8, 1, 28, 28, 11, 10, 0, 0, FLAG_NO_MASK},
        {2, 1, 224, 224, 2, 1, 0, 0, 0},
        {1, 1, 5, 7, 1, 0, 0, 0, 0},
        {4, 1, 32, 32, 3, 2, 0, 0, FLAG_SIGNED | FLAG_NO_MASK},
    };
    ADD_ALL(l, SC_OP_MASKED_SUM, sums);
    /* relative_distance: a, b images, or (N, M) with kind 1 */
    static const shape_case distances[] = {
        {4, 3, 32, 32, 0, 0, 0, 0, 0},
        {8, 1, 28, 28, 0, 0, 0, 0, 0},
        {2, 3, 224, 224, 0, 0, 0, 0, 0},
        {1, 3, 5, 7, 0, 0, 0, 0, 0},
        {4, 3, 32, 32, 0, 0, 0, 0, FLAG_SOME_ZERO}, /* b_n = 0: NaN */
        {4, 3, 32, 32, 0, 0, 0, 0, FLAG_CONSTANT},  /* a = b: 0 */
        {5, 1000, 1, 1, 0, 0, 0, 1, 0},
    };
    ADD_ALL(l, SC_OP_RELATIVE_DISTANCE, distances);
    /* impute_linear: iterations in k, noise in param */
    static const shape_case impute[] = {
        {4, 3, 32, 32, 50, 0, 0.0f, 0, 0},
        {4, 3, 32, 32, 50, 0, 0.01f, 0, 0},
        {8, 1, 28, 28, 50, 0, 0.01f, 0, 0},
        {2, 3, 224, 224, 20, 0, 0.01f, 0, 0},
        {1, 3, 5, 7, 7, 0, 0.01f, 0, 0},
        {2, 3, 1, 1, 3, 0, 0.01f, 0, 0},
        {4, 3, 32, 32, 0, 0, 0.01f, 0, 0},              /* no sweep: the start plus noise */
        {4, 3, 32, 32, 11, 0, 0.01f, 0, FLAG_CONSTANT}, /* every pixel masked */
        {4, 3, 32, 32, 11, 0, 0.01f, 0, FLAG_ZERO},     /* none masked */
    };
    ADD_ALL(l, SC_OP_IMPUTE_LINEAR, impute);
}

void sc_parity_add_metrics_cases(case_list *l) {
    add_blend_cases(l);
    add_map_cases(l);
    add_score_cases(l);
    add_sum_impute_cases(l);
    for (int op = SC_OP_AXPBY; op <= SC_OP_IMPUTE_LINEAR; op++)
        add(l, (op_case){.op = (sc_op)op, .n = 2, .c = 3, .h = 6, .w = 5, .flags = FLAG_REJECTED});
}

/* The name of a pattern flag, for the ops that give it their own meaning. */
static const char *flag_name(sc_op op, int flag, const char *generic) {
    if (op == SC_OP_IMPUTE_LINEAR && flag == FLAG_CONSTANT)
        return "mask=all";
    if (op == SC_OP_IMPUTE_LINEAR && flag == FLAG_ZERO)
        return "mask=none";
    if (op == SC_OP_RELATIVE_DISTANCE && flag == FLAG_CONSTANT)
        return "a=b";
    if (op == SC_OP_RELATIVE_DISTANCE && flag == FLAG_SOME_ZERO)
        return "some_b=0";
    return generic;
}

/* The flags of a case as ",ties,nan", ... */
static void flag_names(const op_case *c, char *buf, size_t len) {
    static const struct {
        int flag;
        const char *name;
    } names[] = {
        {FLAG_TIES, "ties"},           {FLAG_SIGNED, "signed"},
        {FLAG_CONSTANT, "constant"},   {FLAG_ZERO, "zero"},
        {FLAG_SOME_ZERO, "some_zero"}, {FLAG_NAN, "nan"},
        {FLAG_ONE_HOT, "one_hot"},     {FLAG_IN_PLACE, "in_place"},
        {FLAG_NO_ALT, "alt=NULL"},     {FLAG_NO_MASK, "mask=NULL"},
        {FLAG_NO_HOYER, "hoyer=NULL"}, {FLAG_NO_ENTROPY, "entropy=NULL"},
    };
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (c->flags & names[i].flag) {
            size_t used = strlen(buf);
            snprintf(buf + used, len - used, ",%s", flag_name(c->op, names[i].flag, names[i].name));
        }
}

void sc_parity_metrics_case_name(const op_case *c, char *buf, size_t len) {
    const char *op = sc_op_name(c->op);
    char opts[128];
    flag_names(c, opts, sizeof opts);
    if (c->flags & FLAG_REJECTED) {
        snprintf(buf, len, "%s(shapes that disagree: refused)", op);
        return;
    }
    switch (c->op) {
    case SC_OP_AXPBY:
        snprintf(buf, len, "%s(n=%d,c=%d,h=%d,w=%d,beta=%g%s)", op, c->n, c->c, c->h, c->w,
                 (double)c->param, opts);
        break;
    case SC_OP_ADD_NOISE:
        snprintf(buf, len, "%s(n=%d,c=%d,h=%d,w=%d,%s,scale=%g%s)", op, c->n, c->c, c->h, c->w,
                 c->kind == SC_NOISE_UNIFORM ? "uniform" : "normal_range", (double)c->param, opts);
        break;
    case SC_OP_RANKED_REPLACE:
        snprintf(buf, len, "%s(n=%d,c=%d,h=%d,w=%d,count=%d,%s%s)", op, c->n, c->c, c->h, c->w,
                 (int)((double)c->param * c->h * c->w), c->kind ? "from_least" : "most", opts);
        break;
    case SC_OP_RESIZE_BILINEAR:
        snprintf(buf, len, "%s(n=%d,c=%d,%dx%d->%dx%d%s)", op, c->n, c->c, c->h, c->w, c->k, c->r,
                 opts);
        break;
    case SC_OP_GAUSSIAN_BLUR:
        snprintf(buf, len, "%s(n=%d,c=%d,h=%d,w=%d,kernel=%d,sigma=%g%s)", op, c->n, c->c, c->h,
                 c->w, c->k, (double)c->param, opts);
        break;
    case SC_OP_TARGET_SCORE: {
        static const char *const kinds[] = {"prob", "logit", "correct"};
        snprintf(buf, len, "%s(n=%d,k=%d,%s,s=%d,column=%d%s)", op, c->n, c->c, kinds[c->kind],
                 c->k, c->r, opts);
        break;
    }
    case SC_OP_CURVE_AUC:
        snprintf(buf, len, "%s(n=%d,s=%d%s)", op, c->n, c->c, opts);
        break;
    case SC_OP_RANK_ROWS:
    case SC_OP_PEARSON_ROWS:
        snprintf(buf, len, "%s(n=%d,m=%d%s%s)", op, c->n, c->c, c->kind ? ",correlated" : "", opts);
        break;
    case SC_OP_MASKED_SUM:
        snprintf(buf, len, "%s(n=%d,h=%d,w=%d,s=%d,column=%d%s)", op, c->n, c->h, c->w, c->k, c->r,
                 opts);
        break;
    case SC_OP_RELATIVE_DISTANCE:
        if (c->kind)
            snprintf(buf, len, "%s(n=%d,m=%d%s)", op, c->n, c->c, opts);
        else
            snprintf(buf, len, "%s(n=%d,c=%d,h=%d,w=%d%s)", op, c->n, c->c, c->h, c->w, opts);
        break;
    case SC_OP_IMPUTE_LINEAR:
        snprintf(buf, len, "%s(n=%d,c=%d,h=%d,w=%d,iterations=%d,noise=%g%s)", op, c->n, c->c, c->h,
                 c->w, c->k, (double)c->param, opts);
        break;
    case SC_OP_MAP_SPARSITY:
    case SC_OP_RANK_PIXELS:
        snprintf(buf, len, "%s(n=%d,h=%d,w=%d%s)", op, c->n, c->h, c->w, opts);
        break;
    default:
        snprintf(buf, len, "%s(n=%d,c=%d,h=%d,w=%d%s)", op, c->n, c->c, c->h, c->w, opts);
        break;
    }
}
