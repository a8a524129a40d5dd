/* A checkpoint loaded for explanation and evaluation: the model its metadata describes, built
 * on a backend and loaded with its weights, after checking that it fits the dataset it is
 * going to explain (input shape, class count, normalisation). Shared by `scaat explain` and
 * `scaat evaluate`. */
#ifndef SC_EXPLAIN_MODEL_H
#define SC_EXPLAIN_MODEL_H

#include "datasets/dataset.h"
#include "host/nn/net.h"
#include "host/train/checkpoint.h"

typedef struct sc_explain_model {
    char path[1024];
    sc_checkpoint_meta meta; /* meta.mode = the checkpoint's training mode */
    sc_net *net;
} sc_explain_model;

/* Builds the model the checkpoint's metadata describes on be and loads it; SC_ERR_USAGE with one
 * clear line when its input shape/classes/normalisation do not fit the dataset ds. On failure
 * out holds nothing to free. */
sc_status sc_explain_model_load(sc_backend *be, const char *checkpoint, const sc_dataset *ds,
                                sc_explain_model *out, sc_error *err);
/* Frees the network; a zeroed or already freed model is a no-op. */
void sc_explain_model_free(sc_explain_model *m);

#endif
