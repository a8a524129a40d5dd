/* What `scaat explain` and `scaat evaluate` both set up before they start: the test split of
 * the dataset (by default the first checkpoint's), the selected images, the backend and every
 * checkpoint loaded as a model that fits the dataset. */
#ifndef SC_CLI_EXPLAIN_SESSION_H
#define SC_CLI_EXPLAIN_SESSION_H

#include "host/explain/explain_model.h"
#include "host/explain/selection.h"

#define SC_SESSION_MAX_CHECKPOINTS 16

typedef struct sc_session_request {
    const char (*checkpoints)[1024];
    int n_checkpoints;          /* 1..SC_SESSION_MAX_CHECKPOINTS */
    const char *dataset;        /* "" = the first checkpoint's training dataset */
    const char *data_dir;       /* "" = the dataset's default directory */
    const char *indices;        /* NULL or "" = the first `limit` images */
    long long limit;            /* 0 = every test image */
    const char *device;
    int threads;
} sc_session_request;

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
