/* Bad class labels refused alike by both backends (see parity_labels.h). */
#include "parity_labels.h"

#include <stdio.h>
#include <string.h>

#include "host/core/rng.h"

void sc_parity_add_label_cases(case_list *l) {
    const sc_op ops[] = {SC_OP_SOFTMAX_XENT, SC_OP_ONEHOT, SC_OP_TARGET_SCORE};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        /* 300 rows span several kernel blocks, so the lowest bad sample must win a race */
        const op_case c = {.op = ops[i], .n = 300, .c = 10, .flags = FLAG_BAD_LABEL};
        if (l->count < (int)(sizeof l->items / sizeof l->items[0]))
            l->items[l->count++] = c;
    }
}

void sc_parity_label_case_name(const op_case *c, char *buf, size_t len) {
    snprintf(buf, len, "%s(n=%d,k=%d,bad label: refused)", sc_op_name(c->op), c->n, c->c);
}

/* The op of case c on one side with the given tensors. */
static sc_status call_op(sc_backend *be, const op_case *c, int side, sc_parity_tensor *logits,
                         sc_parity_tensor *labels, sc_parity_tensor *out) {
    if (c->op == SC_OP_SOFTMAX_XENT) {
        const sc_xent_params p = {0.0f, 1.0f};
        return be->ops->softmax_xent(be, &p, &logits->t[side], &labels->t[side], NULL,
                                     &out->t[side]);
    }
    if (c->op == SC_OP_ONEHOT)
        return be->ops->onehot(be, 1.0f, &labels->t[side], &out->t[side]);
    return be->ops->target_score(be, SC_SCORE_PROB, &logits->t[side], &labels->t[side], 0,
                                 &out->t[side]);
}

/* The call, then a wait for it: the status of the first that fails. */
static sc_status call_and_wait(sc_backend *be, const op_case *c, int side,
                               sc_parity_tensor *logits, sc_parity_tensor *labels,
                               sc_parity_tensor *out) {
    sc_status status = call_op(be, c, side, logits, labels, out);
    return status == SC_OK ? be->ops->sync(be) : status;
}

void sc_parity_run_bad_label(sc_parity_run *r, const op_case *c) {
    const int64_t ls[2] = {c->n, c->c}, ns[1] = {c->n}, stats_shape[1] = {2};
    const int64_t score_shape[2] = {c->n, 1};
    sc_parity_tensor *logits = sc_parity_input(r, "logits", 2, ls, -4, 4);
    sc_parity_tensor *labels = sc_parity_i32(r, "labels", 1, ns, SC_PARITY_INPUT);
    sc_parity_tensor *out =
        c->op == SC_OP_SOFTMAX_XENT ? sc_parity_output(r, "stats", 1, stats_shape, 1e-5, 1, 3)
        : c->op == SC_OP_ONEHOT     ? sc_parity_output(r, "out", 2, ls, 0.0, -1, 1)
                                    : sc_parity_output(r, "out", 2, score_shape, 1e-5, -1, 1);
    if (r->failed)
        return;
    const sc_rng_key key = sc_rng_key_make(r->seed++, 1, SC_RNG_TEST);
    for (int64_t i = 0; i < labels->n; i++)
        labels->init[i] = sc_rng_below(key, (uint64_t)i, (uint32_t)c->c);
    const int64_t first_bad = c->n / 3, second_bad = 2 * c->n / 3;
    labels->init[second_bad] = (uint32_t)-1;
    labels->init[first_bad] = (uint32_t)c->c;
    sc_parity_upload(r, labels);
    if (r->failed)
        return;

    sc_status status[2];
    char message[2][sizeof r->be[0]->err.msg];
    for (int side = 0; side < 2; side++) {
        sc_backend *be = r->be[side];
        status[side] = call_and_wait(be, c, side, logits, labels, out);
        snprintf(message[side], sizeof message[side], "%s", be->err.msg);
    }
    if (status[SC_PARITY_REF] != SC_ERR_SHAPE || status[SC_PARITY_TESTED] != SC_ERR_SHAPE) {
        sc_parity_fail(r, "a label outside [0, %d) gave status %d on %s and %d on %s, expected "
                       "SC_ERR_SHAPE on both", c->c, (int)status[0], r->be[0]->name,
                       (int)status[1], r->be[1]->name);
        return;
    }
    if (strcmp(message[0], message[1]) != 0) {
        sc_parity_fail(r, "the refusals differ: '%s' (%s) vs '%s' (%s)", message[0],
                       r->be[0]->name, message[1], r->be[1]->name);
        return;
    }
    char sample_text[48];
    snprintf(sample_text, sizeof sample_text, " of sample %lld ", (long long)first_bad);
    if (!strstr(message[0], sample_text)) {
        sc_parity_fail(r, "the refusal '%s' does not name the first bad sample %lld", message[0],
                       (long long)first_bad);
        return;
    }

    /* What a GPU wrote before refusing is unspecified: start the outputs afresh, then the valid
     * call must succeed (the fault was reported once) and agree as any case. */
    labels->init[first_bad] = 0;
    labels->init[second_bad] = (uint32_t)(c->c - 1);
    sc_parity_upload(r, labels);
    sc_parity_upload(r, out);
    if (r->failed)
        return;
    SC_PARITY_ON_BOTH(r, call_and_wait(be, c, side, logits, labels, out));
}
