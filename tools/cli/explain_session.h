/* What `scaat explain` and `scaat evaluate` share: their common options (--checkpoint,
 * --dataset, --data, --limit, --device, --threads) and the set-up they do before they start:
 * the test split of the dataset (by default the first checkpoint's), the selected images, the
 * backend and every checkpoint loaded as a model that fits the dataset. */
#ifndef SC_CLI_EXPLAIN_SESSION_H
#define SC_CLI_EXPLAIN_SESSION_H

#include "args.h"
#include "host/explain/explain_model.h"
#include "host/explain/selection.h"

#define SC_SESSION_MAX_CHECKPOINTS 16

typedef struct sc_session_request {
    char checkpoints[SC_SESSION_MAX_CHECKPOINTS][1024];
    int n_checkpoints;
    char dataset[32];     /* "" = the first checkpoint's training dataset */
    char data_dir[1024];  /* "" = the dataset's default directory */
    char indices[4096];   /* "" = the first `limit` images (only explain takes --indices) */
    long long limit;      /* 0 = every test image */
    char device[16];
    int threads;
} sc_session_request;

/* Defaults: device auto, all cores, the given image limit. */
void sc_session_request_default(sc_session_request *q, long long limit);
/* 1 when the current option is one of the shared ones (parsed into q, *st set), else 0. */
int sc_session_option(sc_args *a, sc_session_request *q, sc_status *st, sc_error *err);

typedef struct sc_session {
    sc_dataset ds;
    sc_selection sel;
    sc_backend *be;
    sc_explain_model models[SC_SESSION_MAX_CHECKPOINTS];
    int n_models;
} sc_session;

/* On failure everything opened so far is released (sc_session_close is still safe to call). */
sc_status sc_session_open(const sc_session_request *q, sc_session *s, sc_error *err);
void sc_session_close(sc_session *s);

#endif
