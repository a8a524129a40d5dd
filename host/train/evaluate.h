/* Evaluation: accuracy and mean loss of a network over every batch of a loader, with BN in
 * inference mode. Counts accumulate on the device and are read back once. */
#ifndef SC_EVALUATE_H
#define SC_EVALUATE_H

#include "datasets/loader.h"
#include "host/nn/net.h"

typedef struct sc_eval_result {
    double accuracy; /* 0..1 */
    double loss;     /* mean cross-entropy */
    int64_t samples;
} sc_eval_result;

/* Batch buffers of a loader in the backend's host memory (pinned on CUDA), which
 * asynchronous uploads need. */
void sc_loader_use_backend_memory(sc_loader_config *lc, sc_backend *be);

/* Start copying a host batch into the activations' input and labels (rows beyond batch->n
 * keep their old contents; they are excluded from the loss by sc_acts_set_rows). The copy
 * overlaps the ops issued after it; call sc_upload_batch_wait() before the batch's host
 * buffer is handed back to the loader (the next sc_loader_next). */
sc_status sc_upload_batch(sc_acts *acts, const sc_batch *batch, sc_error *err);
sc_status sc_upload_batch_wait(sc_acts *acts, sc_error *err);

/* The logits of the current rows as an (n_rows, classes) matrix, and their gradient. */
sc_tensor sc_acts_logits_rows(sc_acts *acts);
sc_tensor sc_acts_dlogits_rows(sc_acts *acts);
sc_tensor sc_acts_labels_rows(sc_acts *acts);

sc_status sc_evaluate(sc_net *net, sc_acts *acts, sc_loader *loader, sc_eval_result *out,
                      sc_error *err);

#endif
