/* The shared set-up of explain and evaluate (see explain_session.h). */
#include "explain_session.h"

#include <stdio.h>
#include <string.h>

#include "eval_source.h"
#include "host/train/checkpoint.h"

void sc_session_request_default(sc_session_request *q, long long limit) {
    memset(q, 0, sizeof *q);
    q->limit = limit;
    snprintf(q->device, sizeof q->device, "auto");
}

int sc_session_option(sc_args *a, sc_session_request *q, sc_status *st, sc_error *err) {
    if (sc_args_is(a, "--checkpoint")) {
        if (q->n_checkpoints == SC_SESSION_MAX_CHECKPOINTS)
            *st = sc_fail(err, SC_ERR_USAGE, "at most %d --checkpoint options",
                          SC_SESSION_MAX_CHECKPOINTS);
        else
            *st = sc_args_string(a, q->checkpoints[q->n_checkpoints++], sizeof q->checkpoints[0],
                                 err);
    } else if (sc_args_is(a, "--dataset")) {
        *st = sc_args_string(a, q->dataset, sizeof q->dataset, err);
    } else if (sc_args_is(a, "--data")) {
        *st = sc_args_string(a, q->data_dir, sizeof q->data_dir, err);
    } else if (sc_args_is(a, "--limit")) {
        *st = sc_args_int(a, 1, (long long)1 << 40, &q->limit, err);
    } else if (sc_args_is(a, "--device")) {
        *st = sc_args_string(a, q->device, sizeof q->device, err);
    } else if (sc_args_is(a, "--threads")) {
        *st = sc_args_threads(a, &q->threads, err);
    } else {
        return 0;
    }
    return 1;
}

sc_status sc_session_open(const sc_session_request *q, sc_session *s, sc_error *err) {
    memset(s, 0, sizeof *s);
    if (q->n_checkpoints < 1 || q->n_checkpoints > SC_SESSION_MAX_CHECKPOINTS)
        return sc_fail(err, SC_ERR_USAGE, "expected 1 to %d --checkpoint options, got %d",
                       SC_SESSION_MAX_CHECKPOINTS, q->n_checkpoints);
    const char *dataset = q->dataset;
    sc_checkpoint_meta meta;
    if (!dataset[0]) {
        SC_TRY(sc_checkpoint_read_meta(q->checkpoints[0], &meta, err));
        dataset = meta.dataset;
    }
    SC_TRY(sc_cli_load_eval_dataset(dataset, q->data_dir, q->checkpoints[0], q->indices,
                                    q->limit, &s->ds, err));
    sc_status st = sc_selection_make(&s->ds, q->indices[0] ? q->indices : NULL, q->limit,
                                     &s->sel, err);
    sc_backend_config bc = sc_backend_config_default();
    bc.threads = q->threads;
    if (st == SC_OK)
        st = sc_backend_create(q->device, &bc, &s->be, err);
    for (int i = 0; i < q->n_checkpoints && st == SC_OK; i++) {
        st = sc_explain_model_load(s->be, q->checkpoints[i], &s->ds, &s->models[i], err);
        s->n_models = i + 1;
    }
    if (st != SC_OK)
        sc_session_close(s);
    return st;
}

void sc_session_close(sc_session *s) {
    for (int i = 0; i < s->n_models; i++)
        sc_explain_model_free(&s->models[i]);
    s->n_models = 0;
    sc_backend_destroy(s->be);
    s->be = NULL;
    sc_selection_free(&s->sel);
    sc_dataset_free(&s->ds);
}
