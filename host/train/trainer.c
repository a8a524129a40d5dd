/* The training run (see trainer.h): the epoch loop, its log lines, evaluation and checkpoints,
 * stopping on request, and the final test-set saliency. Set-up, resume and teardown are in
 * trainer_setup.c. */
#include "trainer_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "evaluate.h"
#include "host/core/log.h"
#include "host/explain/saliency_eval.h"

/* The figures of the last `steps` steps: read back and reset the mode's statistics; fails on
 * a NaN loss. */
typedef struct interval_figures {
    sc_loss_terms terms;
    double saliency_sums[4]; /* as trainer.epoch_saliency_sums */
} interval_figures;

static sc_status read_interval_stats(trainer *t, int64_t steps, interval_figures *f,
                                     sc_error *err) {
    sc_backend *be = t->be;
    float s[SC_STAT_COUNT];
    sc_status st = be->ops->download(be, s, t->mode->stats.data, sizeof s);
    if (st == SC_OK)
        st = be->ops->zero(be, t->mode->stats.data, sizeof s);
    if (st != SC_OK)
        return sc_fail(err, st, "reading the loss: %s", be->err.msg);
    SC_TRY(sc_train_dist_stats(&t->dist, s, SC_STAT_COUNT, err));
    sc_loss_terms_from_stats(&t->cfg->mode, s, (double)steps * (double)t->cfg->batch, &f->terms);
    f->saliency_sums[0] = s[SC_STAT_GINI];
    f->saliency_sums[1] = s[SC_STAT_GINI_COUNT];
    f->saliency_sums[2] = s[SC_STAT_DELTA];
    f->saliency_sums[3] = s[SC_STAT_MASK];
    if (!isfinite(f->terms.loss))
        return sc_fail(err, SC_ERR_NUMERIC, "the training loss became %g at epoch %d, step %lld "
                       "(lr %g): lower --lr or check the data", f->terms.loss, t->epoch + 1,
                       (long long)t->step_in_epoch, (double)sc_lr_at(&t->lr, t->global_step - 1));
    return SC_OK;
}

/* Every rank stops at the same step when any rank was asked to. */
static sc_status stop_requested(trainer *t, int *stop, sc_error *err) {
    *stop = t->hooks && t->hooks->should_stop && t->hooks->should_stop(t->hooks->ctx);
    return sc_train_dist_any_stop(&t->dist, stop, err);
}

/* Read back the steps since the last log line, log them (log.jsonl, progress) and add them to
 * the epoch's running sums and the throughput figures. No-op when no step is pending. */
static sc_status log_interval(trainer *t, float lr, sc_error *err) {
    const sc_train_config *cfg = t->cfg;
    if (t->interval_steps == 0)
        return SC_OK;
    interval_figures f = {0};
    SC_TRY(read_interval_stats(t, t->interval_steps, &f, err));
    double seconds = sc_now_seconds() - t->interval_start;
    double images = (double)t->interval_steps * cfg->batch;
    double ips = seconds > 0 ? images / seconds : 0.0;
    t->images_timed += images;
    t->seconds_timed += seconds;
    t->epoch_images += images;
    t->epoch_seconds += seconds;
    t->result->train_images_per_s = t->seconds_timed > 0 ? t->images_timed / t->seconds_timed : 0;
    const sc_loss_terms *lt = &f.terms;
    t->epoch_loss_sum += lt->loss * (double)t->interval_steps;
    t->epoch_correct_sum += lt->accuracy * (double)t->interval_steps;
    t->epoch_logged_steps += t->interval_steps;
    for (int i = 0; i < 4; i++)
        t->epoch_saliency_sums[i] += f.saliency_sums[i];
    t->interval_steps = 0;
    sc_step_record rec = {t->epoch, t->global_step, lt->loss, lt->accuracy, lt->ce, lt->ce_adv,
                          lt->kl, lr, ips};
    if (sc_dist_is_root(t->dist.dist))
        SC_TRY(sc_run_files_log_step(&t->files, &rec, err));
    sc_progress_sample sample = {t->epoch, cfg->epochs, t->step_in_epoch, t->steps_per_epoch,
                                 t->global_step, lt->loss, lt->accuracy, ips, lr};
    sc_progress_update(&t->progress, &sample);
    return SC_OK;
}

/* Save checkpoint-last with the steps since the last log line and their statistics as they
 * are (the resumed run logs them on the same step as an uninterrupted one), and report the
 * interruption. */
static sc_status stop_run(trainer *t, sc_error *err) {
    const sc_train_config *cfg = t->cfg;
    sc_backend *be = t->be;
    if (be->ops->download(be, t->interval_stats, t->mode->stats.data, sizeof t->interval_stats) !=
        SC_OK)
        return sc_fail(err, SC_ERR_BACKEND, "reading the loss: %s", be->err.msg);
    SC_TRY(sc_train_dist_stats(&t->dist, t->interval_stats, SC_STAT_COUNT, err));
    sc_progress_message(&t->progress, "scaat: stopping: saving %s/checkpoint-last.safetensors",
                        cfg->out_dir);
    SC_TRY(sc_trainer_save_checkpoint(t, "checkpoint-last.safetensors", t->last_test_accuracy, err));
    t->result->interrupted = 1;
    return sc_fail(err, SC_ERR_INTERRUPTED, "interrupted at epoch %d, step %lld; resume with "
                   "--resume %s/checkpoint-last.safetensors", t->epoch + 1,
                   (long long)t->step_in_epoch, cfg->out_dir);
}

/* The epoch's saliency figures from its sums (NaN where the mode has none). */
static void epoch_saliency_figures(const trainer *t, sc_epoch_record *r) {
    const sc_mode_config *m = &t->cfg->mode;
    unsigned used = sc_mode_options_used(m->kind);
    double samples = (double)t->epoch_logged_steps * (double)t->cfg->batch;
    const double *sums = t->epoch_saliency_sums;
    r->saliency_gini = (used & SC_OPT_SALIENCY) && sums[1] > 0 ? sums[0] / sums[1] : NAN;
    r->delta_mean = (used & SC_OPT_EPS) && samples > 0 ? sums[2] / samples : NAN;
    r->mask_fraction = (used & SC_OPT_K) && samples > 0 ? sums[3] / samples : NAN;
}

/* Evaluate the finished epoch, log it, and write checkpoint-last / checkpoint-best. */
static sc_status finish_epoch(trainer *t, sc_error *err) {
    const sc_train_config *cfg = t->cfg;
    sc_eval_result ev;
    SC_TRY(sc_evaluate(t->net, t->eval_acts, t->test_loader, &ev, err));
    SC_TRY(sc_train_dist_eval(&t->dist, &ev, err));
    t->last_test_accuracy = ev.accuracy;
    t->result->test_accuracy = ev.accuracy;
    t->result->test_loss = ev.loss;
    double steps = (double)t->epoch_logged_steps;
    sc_epoch_record rec;
    memset(&rec, 0, sizeof rec);
    rec.epoch = t->epoch;
    rec.global_step = t->global_step;
    rec.train_loss = steps > 0 ? t->epoch_loss_sum / steps : 0.0;
    rec.train_accuracy = steps > 0 ? t->epoch_correct_sum / steps : 0.0;
    rec.test_loss = ev.loss;
    rec.test_accuracy = ev.accuracy;
    rec.images_per_s = t->epoch_seconds > 0 ? t->epoch_images / t->epoch_seconds : 0.0;
    epoch_saliency_figures(t, &rec);
    char extra[160] = "";
    size_t used = 0;
    if (isfinite(rec.saliency_gini))
        used += (size_t)snprintf(extra + used, sizeof extra - used, " | saliency Gini %.4f, mask %.2f",
                                 rec.saliency_gini, rec.mask_fraction);
    if (isfinite(rec.delta_mean))
        snprintf(extra + used, sizeof extra - used, " | mean |delta| %.4f", rec.delta_mean);
    sc_progress_message(&t->progress, "epoch %d/%d: train loss %.4f acc %.2f%% | test loss %.4f acc "
                        "%.2f%% | %.0f img/s%s", t->epoch + 1, cfg->epochs, rec.train_loss,
                        100.0 * rec.train_accuracy, ev.loss, 100.0 * ev.accuracy,
                        rec.images_per_s, extra);
    rec.comm_seconds = sc_train_dist_comm_seconds(&t->dist);
    if (sc_dist_is_root(t->dist.dist))
        SC_TRY(sc_run_files_log_epoch(&t->files, &rec, err));
    t->epoch++;
    t->step_in_epoch = 0;
    t->epoch_loss_sum = t->epoch_correct_sum = 0.0;
    t->epoch_logged_steps = 0;
    memset(t->epoch_saliency_sums, 0, sizeof t->epoch_saliency_sums);
    t->epoch_images = t->epoch_seconds = 0.0;
    int best = ev.accuracy > t->best_accuracy;
    if (best)
        t->best_accuracy = ev.accuracy;
    /* best before last: checkpoint-last never records a best accuracy no file holds */
    if (best)
        SC_TRY(sc_trainer_save_checkpoint(t, "checkpoint-best.safetensors", ev.accuracy, err));
    if (cfg->checkpoint_every_epoch || t->epoch == cfg->epochs)
        SC_TRY(sc_trainer_save_checkpoint(t, "checkpoint-last.safetensors", ev.accuracy, err));
    return SC_OK;
}

/* After the last epoch: the test set's mean saliency Gini of the final weights. The training
 * activations are released first, so this never needs more memory than training did. */
static sc_status measure_test_saliency(trainer *t, sc_error *err) {
    sc_mode_state_destroy(t->mode);
    t->mode = NULL;
    sc_acts_destroy(t->train_acts);
    t->train_acts = NULL;
    sc_saliency_params sp = {SC_REDUCE_MEAN};
    sc_saliency_gini_result g;
    SC_TRY(sc_saliency_mean_gini(t->net, t->test_loader,
                                 sc_train_dist_local_batch(t->dist.dist, t->cfg->eval_batch), &sp,
                                 &g, err));
    SC_TRY(sc_train_dist_gini(&t->dist, &g, err));
    t->result->test_saliency_gini = g.mean_gini;
    t->result->test_saliency_degenerate = g.degenerate;
    sc_progress_message(&t->progress, "test saliency Gini %.4f (gradient of the predicted class, "
                        "%lld maps, %lld degenerate)", g.mean_gini, (long long)g.valid,
                        (long long)g.degenerate);
    return SC_OK;
}

/* Log lines fall on global steps that are multiples of --log-every (and on epoch ends), so a
 * resumed run logs the same steps as an uninterrupted one. */
static sc_status train_epoch(trainer *t, sc_error *err) {
    const sc_train_config *cfg = t->cfg;
    SC_TRY(sc_loader_start_epoch(t->train_loader, (uint32_t)t->epoch, t->step_in_epoch,
                                 (uint64_t)t->global_step, err));
    sc_batch batch;
    float lr = sc_lr_at(&t->lr, t->global_step);
    while (sc_loader_next(t->train_loader, &batch)) {
        int stop = 0;
        SC_TRY(stop_requested(t, &stop, err));
        if (stop)
            return stop_run(t, err);
        if (t->interval_steps == 0)
            t->interval_start = sc_now_seconds();
        lr = sc_lr_at(&t->lr, t->global_step);
        SC_TRY(sc_upload_batch(t->train_acts, &batch, err));
        sc_train_step_args args = {t->net, t->train_acts, t->mode, cfg, lr,
                                   (uint64_t)t->global_step, t->epoch, t->dist.grads};
        SC_TRY(t->step_fn(&args, err));
        SC_TRY(sc_upload_batch_wait(t->train_acts, err)); /* the loader may now reuse the buffer */
        t->global_step++;
        t->step_in_epoch++;
        t->interval_steps++;
        if (t->global_step % cfg->log_every == 0 || t->step_in_epoch == t->steps_per_epoch)
            SC_TRY(log_interval(t, lr, err));
    }
    SC_TRY(sc_loader_status(t->train_loader, err)); /* a bad image ends the epoch early */
    return finish_epoch(t, err);
}

sc_status sc_train_run(const sc_train_config *cfg, const sc_train_hooks *hooks,
                       sc_train_result *result, sc_error *err) {
    trainer t;
    memset(&t, 0, sizeof t);
    memset(result, 0, sizeof *result);
    /* written as null until evaluated */
    result->test_accuracy = result->test_loss = result->test_saliency_gini = NAN;
    t.resolved = *cfg;
    t.cfg = &t.resolved;
    cfg = t.cfg;
    t.hooks = hooks;
    t.result = result;
    double started = sc_now_seconds();
    sc_status st = sc_mode_config_resolve(&t.resolved.mode, err);
    t.step_fn = sc_train_step_for_mode(cfg->mode.kind);
    if (st == SC_OK)
        st = sc_trainer_setup(&t, err);
    if (st == SC_OK) {
        sc_progress_init(&t.progress, sc_dist_is_root(t.dist.dist) ? stderr : NULL, t.global_step,
                         (int64_t)cfg->epochs * t.steps_per_epoch);
        while (st == SC_OK && t.epoch < cfg->epochs)
            st = train_epoch(&t, err);
        if (st == SC_OK)
            st = measure_test_saliency(&t, err);
        sc_progress_finish(&t.progress);
    }
    result->epochs_completed = t.epoch;
    result->global_step = t.global_step;
    result->best_test_accuracy = t.best_accuracy >= 0.0 ? t.best_accuracy : NAN;
    result->wall_seconds = sc_now_seconds() - started;
    result->ranks = sc_train_dist_world(t.dist.dist);
    result->comm_seconds = sc_train_dist_comm_seconds(&t.dist);
    if ((st == SC_OK || st == SC_ERR_INTERRUPTED) && sc_dist_is_root(t.dist.dist)) {
        sc_error write_err;
        sc_status ws = sc_run_files_write_metrics(&t.files, cfg, result, &write_err);
        if (ws != SC_OK && st == SC_OK) {
            *err = write_err;
            st = ws;
        }
    }
    sc_trainer_teardown(&t);
    return st;
}
