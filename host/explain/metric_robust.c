/* Robust accuracy: whether each sample is still classified correctly under FGSM (one signed
 * step of size eps, no random start) and PGD (random start in the eps ball, `pgd_steps` steps
 * of alpha = pgd_alpha * eps / pgd_steps), l_inf in pixel units, projected around the clean x
 * and clipped to the valid range (perturb_init / perturb_step without a budget map). The loss
 * is the cross-entropy against the label; BN stays in eval mode and only input gradients are
 * computed. */
#include "metric_batch.h"

/* Gradient of the per-sample CE at the activations' input into acts->grads[0]. */
static sc_status ce_gradient(sc_metric_batch *b, sc_error *err) {
    sc_backend *be = b->be;
    sc_acts *a = b->attack;
    SC_TRY(sc_net_forward(b->net, a, SC_FWD_EVAL, err));
    sc_tensor logits = sc_tensor_2d(sc_acts_logits(a)->data, SC_F32, b->n, b->net->num_classes);
    sc_tensor dlogits = sc_tensor_2d(sc_acts_dlogits(a)->data, SC_F32, b->n, b->net->num_classes);
    sc_tensor labels = sc_metric_cur(b, &b->labels);
    sc_xent_params xp = {0.0f, (float)b->n}; /* undo the 1/N: one gradient per sample */
    SC_TRY(sc_metric_op(b, be->ops->softmax_xent(be, &xp, &logits, &labels, &dlogits, &b->stats),
                        "attack loss", err));
    return sc_net_backward(b->net, a, SC_BWD_INPUT_ONLY, err);
}

/* Correct (1/0) of the current adversarial images into out (n). */
static sc_status score(sc_metric_batch *b, const sc_tensor *out, sc_error *err) {
    sc_backend *be = b->be;
    SC_TRY(sc_net_forward(b->net, b->attack, SC_FWD_EVAL, err));
    sc_tensor logits = sc_tensor_2d(sc_acts_logits(b->attack)->data, SC_F32, b->n,
                                    b->net->num_classes);
    sc_tensor labels = sc_metric_cur(b, &b->labels);
    sc_tensor column = sc_tensor_2d(out->data, SC_F32, b->n, 1);
    return sc_metric_op(b, be->ops->target_score(be, SC_SCORE_CORRECT, &logits, &labels, 0,
                                                 &column),
                        "robust accuracy", err);
}

static sc_status attack(sc_metric_batch *b, int random_start, int steps, float step_size,
                        const sc_tensor *out, sc_error *err) {
    sc_backend *be = b->be;
    sc_acts *a = b->attack;
    sc_tensor x = sc_metric_cur(b, &b->x);
    sc_tensor xadv = sc_metric_rows(&a->values[0], 0, b->n);
    sc_tensor g = sc_metric_rows(&a->grads[0], 0, b->n);
    sc_perturb_params p = b->perturb;
    p.eps = b->cfg->eps;
    p.step_size = step_size;
    p.key = sc_metric_key(b, SC_METRIC_ROBUST, 0);
    if (random_start)
        SC_TRY(sc_metric_op(b, be->ops->perturb_init(be, &p, &x, NULL, &xadv), "random start",
                            err));
    else
        SC_TRY(sc_metric_op(b, be->ops->copy(be, xadv.data, x.data, sc_tensor_bytes(&x)),
                            "attack start", err));
    for (int t = 0; t < steps; t++) {
        SC_TRY(ce_gradient(b, err));
        SC_TRY(sc_metric_op(b, be->ops->perturb_step(be, &p, &x, &g, NULL, &xadv, NULL),
                            "attack step", err));
    }
    return score(b, out, err);
}

sc_status sc_metric_robust(sc_metric_batch *b, sc_error *err) {
    const sc_metric_config *cfg = b->cfg;
    sc_acts_set_rows(b->attack, b->n);
    sc_tensor fgsm = sc_metric_cur(b, &b->value[SC_FIELD_FGSM]);
    sc_tensor pgd = sc_metric_cur(b, &b->value[SC_FIELD_PGD]);
    b->be->ops->range_push(b->be, "attack");
    sc_status st = attack(b, 0, 1, 1.0f, &fgsm, err);
    if (st == SC_OK)
        st = attack(b, 1, cfg->pgd_steps, cfg->pgd_alpha / (float)cfg->pgd_steps, &pgd, err);
    b->be->ops->range_pop(b->be);
    return st;
}
