/* One optimizer step of a training mode, on a batch already uploaded into the activations.
 * Modes are looked up by name; each accumulates the batch's loss statistics into
 * acts->loss_stats for the trainer to read back. */
#ifndef SC_TRAIN_STEP_H
#define SC_TRAIN_STEP_H

#include "host/nn/net.h"
#include "train_config.h"

typedef struct sc_train_step_args {
    sc_net *net;
    sc_acts *acts;              /* batch in values[0] and labels */
    const sc_train_config *cfg;
    float lr;                   /* learning rate of this step */
    uint64_t global_step;       /* keys this step's random draws */
    int epoch;
} sc_train_step_args;

typedef sc_status (*sc_train_step_fn)(const sc_train_step_args *args, sc_error *err);

/* "standard"; the saliency-guided modes (sgt, scaat, adv) are reported as not available. */
sc_status sc_train_step_for_mode(const char *mode, sc_train_step_fn *out, sc_error *err);

/* Standard training: L = CE(f(x), y), full backward, SGD update. */
sc_status sc_train_step_standard(const sc_train_step_args *args, sc_error *err);

/* The optimizer part shared by every mode: SGD-momentum over all trainable parameters. */
sc_status sc_train_apply_sgd(const sc_train_step_args *args, sc_error *err);

#endif
