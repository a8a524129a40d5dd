/* The training-mode fixture of the mode tests (see mode_fixture.h). */
#include "mode_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/core/rng.h"
#include "host/train/attack.h"
#include "host/train/evaluate.h"
#include "models/resnet.h"

sc_mode_config sc_mode_fixture_config(sc_mode_kind kind) {
    sc_mode_config m;
    sc_mode_config_default(&m);
    m.kind = kind;
    return m;
}

sc_status sc_mode_fixture_create(sc_backend *be, const sc_mode_config *mode, int batch, int h,
                                 int w, uint64_t seed, sc_mode_fixture *f, sc_error *err) {
    memset(f, 0, sizeof *f);
    f->be = be;
    f->batch = batch;
    f->h = h;
    f->w = w;
    sc_train_config_default(&f->cfg);
    f->cfg.batch = batch;
    f->cfg.seed = seed;
    f->cfg.label_smoothing = 0.0f;
    f->cfg.mode = *mode;
    f->cfg.norm.channels = 1;
    f->cfg.norm.mean[0] = SC_FIXTURE_MEAN;
    f->cfg.norm.std[0] = SC_FIXTURE_STD;
    SC_TRY(sc_mode_config_resolve(&f->cfg.mode, err));
    sc_model_spec spec = {"resnet8", "cifar", 1, 10, h, w};
    SC_TRY(sc_model_create(&spec, be, seed, &f->net, err));
    SC_TRY(sc_acts_create(f->net, batch, 1, sc_mode_needs_clean_input_grad(&f->cfg.mode),
                          &f->clean, err));
    SC_TRY(sc_mode_state_create(f->net, batch, &f->cfg.mode, &f->cfg.norm, &f->mode, err));
    SC_TRY(sc_mode_fixture_zero_stats(f, err));
    return sc_mode_fixture_fill_batch(f, seed, err);
}

void sc_mode_fixture_destroy(sc_mode_fixture *f) {
    sc_mode_state_destroy(f->mode);
    sc_acts_destroy(f->clean);
    sc_net_destroy(f->net);
    memset(f, 0, sizeof *f);
}

sc_train_step_args sc_mode_fixture_args(sc_mode_fixture *f, float lr, uint64_t global_step,
                                        int epoch) {
    sc_train_step_args a = {f->net, f->clean, f->mode, &f->cfg, lr, global_step, epoch, NULL};
    return a;
}

sc_status sc_mode_fixture_fill_batch(sc_mode_fixture *f, uint64_t seed, sc_error *err) {
    size_t per_image = (size_t)f->h * (size_t)f->w; /* one channel */
    size_t n = (size_t)f->batch * per_image;
    float *x = malloc(n * sizeof *x);
    int32_t *labels = malloc((size_t)f->batch * sizeof *labels);
    if (!x || !labels) {
        free(x);
        free(labels);
        return sc_fail(err, SC_ERR_OOM, "mode fixture: no memory for the batch");
    }
    sc_rng_key key = sc_rng_key_make(seed, 1, SC_RNG_TEST);
    for (size_t i = 0; i < n; i++)
        x[i] = (sc_rng_uniform(key, i) - SC_FIXTURE_MEAN) / SC_FIXTURE_STD;
    for (int b = 0; b < f->batch; b++)
        labels[b] = (int32_t)sc_rng_below(key, n + (size_t)b, (uint32_t)f->net->num_classes);
    sc_status st = f->be->ops->upload(f->be, f->clean->values[0].data, x, n * sizeof *x);
    if (st == SC_OK)
        st = f->be->ops->upload(f->be, f->clean->labels.data, labels,
                                (size_t)f->batch * sizeof *labels);
    free(x);
    free(labels);
    sc_acts_set_rows(f->clean, f->batch);
    return sc_train_op(f->be, st, "mode fixture: uploading the batch", err);
}

float *sc_mode_fixture_download(const sc_mode_fixture *f, const sc_tensor *t) {
    size_t n = (size_t)sc_tensor_numel(t);
    float *out = malloc((n ? n : 1) * sizeof *out);
    if (out && f->be->ops->download(f->be, out, t->data, n * sizeof *out) != SC_OK) {
        free(out);
        out = NULL;
    }
    return out;
}

size_t sc_mode_fixture_running_count(const sc_mode_fixture *f) {
    size_t n = 0;
    for (int i = 0; i < f->net->n_params; i++)
        if (!f->net->params[i].trainable)
            n += (size_t)sc_tensor_numel(&f->net->params[i].value);
    return n;
}

/* Copies the running statistics between the device and a host buffer (to_host: download). */
static sc_status move_running(const sc_mode_fixture *f, float *host, int to_host, sc_error *err) {
    sc_backend *be = f->be;
    size_t at = 0;
    for (int i = 0; i < f->net->n_params; i++) {
        const sc_param *p = &f->net->params[i];
        if (p->trainable)
            continue;
        size_t n = (size_t)sc_tensor_numel(&p->value);
        sc_status st = to_host ? be->ops->download(be, host + at, p->value.data, n * sizeof(float))
                               : be->ops->upload(be, p->value.data, host + at, n * sizeof(float));
        SC_TRY(sc_train_op(be, st, "mode fixture: running statistics", err));
        at += n;
    }
    return SC_OK;
}

sc_status sc_mode_fixture_get_running(const sc_mode_fixture *f, float *out, sc_error *err) {
    return move_running(f, out, 1, err);
}

sc_status sc_mode_fixture_set_running(sc_mode_fixture *f, const float *in, sc_error *err) {
    return move_running(f, (float *)in, 0, err);
}

sc_status sc_mode_fixture_read_stats(const sc_mode_fixture *f, float *out, sc_error *err) {
    return sc_train_op(f->be, f->be->ops->download(f->be, out, f->mode->stats.data,
                                                   SC_STAT_COUNT * sizeof(float)),
                       "mode fixture: reading the statistics", err);
}

sc_status sc_mode_fixture_zero_stats(sc_mode_fixture *f, sc_error *err) {
    return sc_train_op(f->be, f->be->ops->zero(f->be, f->mode->stats.data,
                                               SC_STAT_COUNT * sizeof(float)),
                       "mode fixture: zeroing the statistics", err);
}

sc_status sc_mode_fixture_scaat_attack(const sc_train_step_args *args, sc_error *err) {
    sc_backend *be = args->net->be;
    sc_mode_state *s = args->mode;
    sc_acts *clean = args->acts, *adv = s->branch[0];
    int reuse = s->cfg.saliency_bn_batch;
    SC_TRY(sc_train_copy_batch(clean, adv, err));
    sc_acts *probe = reuse ? clean : adv;
    if (reuse)
        SC_TRY(sc_net_forward(args->net, clean, SC_FWD_TRAIN, err));
    SC_TRY(sc_train_saliency_mask(args, probe, reuse, err));
    sc_tensor probe_logits = sc_acts_logits_rows(probe);
    SC_TRY(sc_train_op(be, be->ops->copy(be, s->ref_logits.data, probe_logits.data,
                                         sc_tensor_bytes(&probe_logits)),
                       "reference prediction", err));
    float eps = sc_mode_eps_at(&s->cfg, args->epoch);
    sc_budget_params bp = {eps, s->cfg.gamma};
    SC_TRY(sc_train_op(be, be->ops->perturb_budget(be, &bp, &s->map, &s->mask, &s->budget),
                       "perturbation budget", err));
    return sc_train_attack(args, adv, &s->budget, eps, 1, SC_ATTACK_KL, err);
}
