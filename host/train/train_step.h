/* One optimizer step of a training mode, on a batch already uploaded into the clean branch's
 * activations. Each mode accumulates its figures (losses, accuracy, saliency Gini, |delta|,
 * mask fraction) into the mode state's statistics for the trainer to read back. What the modes
 * compute is defined in tools/docs/training-modes.md; one file per mode (mode_*.c). */
#ifndef SC_TRAIN_STEP_H
#define SC_TRAIN_STEP_H

#include "host/nn/net.h"
#include "mode_state.h"
#include "train_config.h"

typedef struct sc_train_step_args {
    sc_net *net;
    sc_acts *acts;              /* the clean branch: batch in values[0] and labels */
    sc_mode_state *mode;        /* the mode's buffers and statistics */
    const sc_train_config *cfg;
    float lr;                   /* learning rate of this step */
    uint64_t global_step;       /* keys this step's random draws */
    int epoch;                  /* 0-based */
    struct sc_gradient_sync *grad_sync; /* data-parallel runs: averages the weight gradients
                                           over ranks before the optimizer; NULL otherwise */
} sc_train_step_args;

typedef sc_status (*sc_train_step_fn)(const sc_train_step_args *args, sc_error *err);

sc_train_step_fn sc_train_step_for_mode(sc_mode_kind kind);

/* L = CE(f(x), y). */
sc_status sc_train_step_standard(const sc_train_step_args *args, sc_error *err);
/* Madry PGD-T on CE over the whole image; L = CE(f(x + delta), y). */
sc_status sc_train_step_adv(const sc_train_step_args *args, sc_error *err);
/* L = CE(f(x), y) + lambda KL(f(x) || f(x~)), x~ = x with its least salient pixels filled. */
sc_status sc_train_step_sgt(const sc_train_step_args *args, sc_error *err);
/* As sgt with x~ = x + delta, delta an adversarial perturbation confined to the mask under a
 * per-pixel budget that shrinks with saliency. */
sc_status sc_train_step_scaat(const sc_train_step_args *args, sc_error *err);
/* L = CE(f(x), y) + CE(f(x_a), y) + lambda KL(f(x~) || f(x)), x_a = FGSM(x), x~ = x_a masked
 * by the saliency of x_a. */
sc_status sc_train_step_asgt(const sc_train_step_args *args, sc_error *err);

/* ---- pieces shared by the modes (train_step.c) ------------------------------------------ */

/* The optimizer part: SGD-momentum over all trainable parameters (after the gradient
 * all-reduce of a data-parallel run). */
sc_status sc_train_apply_sgd(const sc_train_step_args *args, sc_error *err);
/* The step's last full backward, of `branch` (adding to the gradients of earlier ones), then
 * the optimizer. In a data-parallel run the backward hands each bucket of finished gradients
 * to the all-reduce as it goes (gradient_sync.h), so call no other backward after it. */
sc_status sc_train_last_backward_sgd(const sc_train_step_args *args, sc_acts *branch,
                                     sc_error *err);
/* Copy the clean input and labels into another branch's activations. */
sc_status sc_train_copy_batch(sc_acts *from, sc_acts *to, sc_error *err);
/* softmax_xent of a branch's logits against its labels, gradient into its dlogits (or none),
 * statistics into the mode's slot (two floats: loss sum, correct count). */
sc_status sc_train_xent(const sc_train_step_args *args, sc_acts *branch, int with_grad,
                        sc_train_stat slot, sc_error *err);
/* KL(softmax(p) || softmax(q)) of two branches' logits: lambda-weighted gradients added to
 * q's dlogits and (without --kl-detach-target) p's; a branch marked fresh has no gradient yet
 * and is zeroed first (p's too when detached, so its backward adds nothing stale). The KL sum
 * goes into SC_STAT_KL. */
sc_status sc_train_kl(const sc_train_step_args *args, sc_acts *p, int p_fresh, sc_acts *q,
                      int q_fresh, sc_error *err);
/* The saliency map of the batch in `branch` for its labels (BN per --saliency-bn; reuse the
 * branch's training forward when asked), its Gini into the statistics, and the mask from it. */
sc_status sc_train_saliency_mask(const sc_train_step_args *args, sc_acts *branch,
                                 int reuse_forward, sc_error *err);
/* Fill the masked pixels of the input of `from` into the input of `to` (sgt, asgt). */
sc_status sc_train_fill_masked(const sc_train_step_args *args, sc_acts *from, sc_acts *to,
                               sc_error *err);
/* The forward mode of saliency and attack passes: eval, or frozen batch statistics. */
sc_fwd_mode sc_train_probe_mode(const sc_train_step_args *args);
/* A backend call's status with the backend's message. */
sc_status sc_train_op(sc_backend *be, sc_status st, const char *what, sc_error *err);

#endif
