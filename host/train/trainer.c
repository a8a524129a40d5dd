/* The training run (see trainer.h): set-up, the epoch loop, evaluation, checkpoints, logs. */
#include "trainer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "datasets/loader.h"
#include "evaluate.h"
#include "host/backend/backend.h"
#include "host/core/log.h"
#include "progress.h"
#include "run_files.h"
#include "train_step.h"

typedef struct trainer {
    sc_train_config resolved; /* the caller's configuration with dataset defaults filled in */
    const sc_train_config *cfg; /* = &resolved */
    const sc_train_hooks *hooks;
    sc_backend *be;
    sc_dataset train_ds, test_ds;
    sc_net *net;
    sc_acts *train_acts, *eval_acts;
    sc_loader *train_loader, *test_loader;
    sc_lr_schedule lr;
    sc_run_files files;
    sc_progress progress;
    sc_train_step_fn step_fn;
    int64_t steps_per_epoch;
    int epoch;              /* current epoch (0-based) */
    int64_t step_in_epoch;  /* batches done in the current epoch */
    int64_t global_step;
    double best_accuracy;
    double last_test_accuracy;
    /* the current epoch's logged training steps: sums of per-step loss and accuracy (carried
     * in checkpoints so a resumed epoch reports the same figures) */
    double epoch_loss_sum, epoch_correct_sum;
    int64_t epoch_logged_steps;
    /* steps since the last log line, and throughput over this process's steps */
    int64_t interval_steps;
    double interval_start;
    double images_timed, seconds_timed;
    sc_train_result *result;
} trainer;

static sc_status load_data(trainer *t, sc_error *err) {
    const sc_train_config *cfg = t->cfg;
    const char *dir = cfg->data_dir[0] ? cfg->data_dir : NULL;
    SC_TRY(sc_dataset_load(cfg->dataset, dir, 1, &t->train_ds, err));
    SC_TRY(sc_dataset_load(cfg->dataset, dir, 0, &t->test_ds, err));
    sc_train_config_resolve(&t->resolved, t->train_ds.height);
    sc_dataset_limit(&t->train_ds, cfg->limit_train);
    sc_dataset_limit(&t->test_ds, cfg->limit_test);
    if (t->train_ds.count < cfg->batch)
        return sc_fail(err, SC_ERR_USAGE, "--batch %d is larger than the %lld training images",
                       cfg->batch, (long long)t->train_ds.count);
    return SC_OK;
}

static sc_status open_loaders(trainer *t, sc_error *err) {
    const sc_train_config *cfg = t->cfg;
    sc_loader_config lc;
    memset(&lc, 0, sizeof lc);
    lc.batch_size = cfg->batch;
    lc.shuffle = 1;
    lc.drop_last = 1;
    lc.augment.crop_padding = cfg->crop_padding;
    lc.augment.flip = cfg->flip;
    lc.seed = cfg->seed;
    sc_loader_use_backend_memory(&lc, t->be);
    SC_TRY(sc_loader_open(&t->train_loader, &t->train_ds, &lc, err));
    lc.batch_size = cfg->eval_batch;
    lc.shuffle = 0;
    lc.drop_last = 0;
    memset(&lc.augment, 0, sizeof lc.augment);
    SC_TRY(sc_loader_open(&t->test_loader, &t->test_ds, &lc, err));
    t->steps_per_epoch = sc_loader_steps_per_epoch(t->train_loader);
    return SC_OK;
}

static void fill_meta(const trainer *t, sc_checkpoint_meta *m, double test_accuracy) {
    memset(m, 0, sizeof *m);
    snprintf(m->model.name, sizeof m->model.name, "%s", t->cfg->model);
    snprintf(m->model.stem, sizeof m->model.stem, "%s", t->cfg->stem);
    m->model.in_channels = t->net->in_c;
    m->model.in_h = t->net->in_h;
    m->model.in_w = t->net->in_w;
    m->model.num_classes = t->net->num_classes;
    snprintf(m->dataset, sizeof m->dataset, "%s", t->cfg->dataset);
    m->norm_channels = t->train_ds.channels;
    for (int c = 0; c < t->train_ds.channels && c < 4; c++) {
        m->norm_mean[c] = t->train_ds.mean[c];
        m->norm_std[c] = t->train_ds.std[c];
    }
    m->epoch = t->epoch;
    m->step_in_epoch = t->step_in_epoch;
    m->global_step = t->global_step;
    m->seed = t->cfg->seed;
    m->best_accuracy = t->best_accuracy;
    m->test_accuracy = test_accuracy;
    m->epoch_loss_sum = t->epoch_loss_sum;
    m->epoch_correct_sum = t->epoch_correct_sum;
    m->epoch_logged_steps = t->epoch_logged_steps;
}

static sc_status save_checkpoint(trainer *t, const char *name, double test_accuracy,
                                 sc_error *err) {
    char path[SC_PATH_LEN + 64];
    snprintf(path, sizeof path, "%s/%s", t->cfg->out_dir, name);
    sc_checkpoint_meta meta;
    fill_meta(t, &meta, test_accuracy);
    t->be->ops->range_push(t->be, "checkpoint");
    sc_status st = sc_checkpoint_save(path, t->net, &meta, 1, err);
    t->be->ops->range_pop(t->be);
    return st;
}

/* Continue from a checkpoint: same model, same position, same optimizer state. */
static sc_status resume(trainer *t, sc_error *err) {
    sc_checkpoint_meta meta;
    SC_TRY(sc_checkpoint_read_meta(t->cfg->resume, &meta, err));
    if (strcmp(meta.model.name, t->cfg->model) != 0 || strcmp(meta.model.stem, t->cfg->stem) != 0 ||
        meta.model.num_classes != t->net->num_classes || meta.model.in_channels != t->net->in_c)
        return sc_fail(err, SC_ERR_USAGE, "--resume %s: the checkpoint holds %s (stem %s, %d classes, "
                       "%d channels) but this run trains %s (stem %s) on %s", t->cfg->resume,
                       meta.model.name, meta.model.stem, meta.model.num_classes,
                       meta.model.in_channels, t->cfg->model, t->cfg->stem, t->cfg->dataset);
    if (meta.seed != t->cfg->seed || strcmp(meta.dataset, t->cfg->dataset) != 0)
        return sc_fail(err, SC_ERR_USAGE, "--resume %s: the checkpoint was trained on %s with --seed "
                       "%llu, this run asks for %s with --seed %llu: give the same --dataset and "
                       "--seed to continue exactly", t->cfg->resume, meta.dataset,
                       (unsigned long long)meta.seed, t->cfg->dataset,
                       (unsigned long long)t->cfg->seed);
    SC_TRY(sc_checkpoint_load(t->cfg->resume, t->net, 1, err));
    t->epoch = (int)meta.epoch;
    t->last_test_accuracy = meta.test_accuracy;
    t->epoch_loss_sum = meta.epoch_loss_sum;
    t->epoch_correct_sum = meta.epoch_correct_sum;
    t->epoch_logged_steps = meta.epoch_logged_steps;
    t->step_in_epoch = meta.step_in_epoch;
    t->global_step = meta.global_step;
    t->best_accuracy = meta.best_accuracy;
    if (t->step_in_epoch > t->steps_per_epoch ||
        t->global_step != (int64_t)t->epoch * t->steps_per_epoch + t->step_in_epoch)
        return sc_fail(err, SC_ERR_USAGE, "--resume %s: position (epoch %d, step %lld, global step "
                       "%lld) does not fit %lld steps per epoch: was the batch size or "
                       "--limit-train different?", t->cfg->resume, t->epoch,
                       (long long)t->step_in_epoch, (long long)t->global_step,
                       (long long)t->steps_per_epoch);
    if (t->epoch >= t->cfg->epochs)
        return sc_fail(err, SC_ERR_USAGE, "--resume %s: the checkpoint has already completed %d "
                       "epochs (--epochs %d): raise --epochs to train further", t->cfg->resume,
                       t->epoch, t->cfg->epochs);
    sc_log("resuming from %s at epoch %d, step %lld", t->cfg->resume, t->epoch + 1,
           (long long)t->step_in_epoch);
    return SC_OK;
}

static void init_schedule(trainer *t) {
    const sc_train_config *cfg = t->cfg;
    memset(&t->lr, 0, sizeof t->lr);
    t->lr.kind = cfg->lr_schedule;
    t->lr.base_lr = cfg->lr;
    t->lr.total_steps = (int64_t)cfg->epochs * t->steps_per_epoch;
    t->lr.warmup_steps = (int64_t)llround((double)cfg->warmup_epochs * (double)t->steps_per_epoch);
    t->lr.gamma = cfg->lr_gamma;
    t->lr.n_milestones = cfg->n_milestones;
    for (int i = 0; i < cfg->n_milestones; i++)
        t->lr.milestones[i] = (int64_t)cfg->milestones[i] * t->steps_per_epoch;
}

static sc_status setup(trainer *t, sc_error *err) {
    const sc_train_config *cfg = t->cfg;
    SC_TRY(load_data(t, err));
    sc_backend_config bc = sc_backend_config_default();
    bc.tf32 = cfg->tf32;
    bc.debug_sync = cfg->debug_sync;
    bc.threads = cfg->threads;
    SC_TRY(sc_backend_create(cfg->device, &bc, &t->be, err));
    sc_model_spec spec;
    memset(&spec, 0, sizeof spec);
    snprintf(spec.name, sizeof spec.name, "%s", cfg->model);
    snprintf(spec.stem, sizeof spec.stem, "%s", cfg->stem);
    spec.in_channels = t->train_ds.channels;
    spec.in_h = t->train_ds.height;
    spec.in_w = t->train_ds.width;
    spec.num_classes = t->train_ds.num_classes;
    SC_TRY(sc_model_create(&spec, t->be, cfg->seed, &t->net, err));
    SC_TRY(sc_acts_create(t->net, cfg->batch, 1, 0, &t->train_acts, err));
    SC_TRY(sc_acts_create(t->net, cfg->eval_batch, 0, 0, &t->eval_acts, err));
    SC_TRY(open_loaders(t, err));
    init_schedule(t);
    t->best_accuracy = -1.0;
    t->last_test_accuracy = -1.0;
    if (cfg->resume[0])
        SC_TRY(resume(t, err));
    SC_TRY(sc_run_files_open(&t->files, cfg, cfg->resume[0] != 0, err));
    char description[512];
    t->be->ops->describe(t->be, description, sizeof description);
    sc_log("%s on %s: %lld parameters; %lld training / %lld test images; %lld steps per epoch; "
           "device %s", cfg->model, cfg->dataset, (long long)sc_net_trainable_count(t->net),
           (long long)t->train_ds.count, (long long)t->test_ds.count,
           (long long)t->steps_per_epoch, description);
    return SC_OK;
}

static void teardown(trainer *t) {
    sc_loader_close(t->train_loader);
    sc_loader_close(t->test_loader);
    sc_acts_destroy(t->train_acts);
    sc_acts_destroy(t->eval_acts);
    sc_net_destroy(t->net);
    sc_run_files_close(&t->files);
    sc_backend_destroy(t->be);
    sc_dataset_free(&t->train_ds);
    sc_dataset_free(&t->test_ds);
}

/* Read back and reset the loss statistics of the last `steps` steps; fails on a NaN loss. */
static sc_status read_interval_stats(trainer *t, int64_t steps, double *loss, double *accuracy,
                                     sc_error *err) {
    sc_backend *be = t->be;
    float stats[2];
    sc_status st = be->ops->download(be, stats, t->train_acts->loss_stats.data, sizeof stats);
    if (st == SC_OK)
        st = be->ops->zero(be, t->train_acts->loss_stats.data, sizeof stats);
    if (st != SC_OK)
        return sc_fail(err, st, "reading the loss: %s", be->err.msg);
    double samples = (double)steps * (double)t->cfg->batch;
    *loss = (double)stats[0] / samples;
    *accuracy = (double)stats[1] / samples;
    if (!isfinite(*loss))
        return sc_fail(err, SC_ERR_NUMERIC, "the training loss became %g at epoch %d, step %lld "
                       "(lr %g): lower --lr or check the data", *loss, t->epoch + 1,
                       (long long)t->step_in_epoch, (double)sc_lr_at(&t->lr, t->global_step - 1));
    return SC_OK;
}

static int stop_requested(const trainer *t) {
    return t->hooks && t->hooks->should_stop && t->hooks->should_stop(t->hooks->ctx);
}

/* Read back the steps since the last log line, log them (log.jsonl, progress) and add them to
 * the epoch's running sums and the throughput figures. No-op when no step is pending. */
static sc_status log_interval(trainer *t, float lr, sc_error *err) {
    const sc_train_config *cfg = t->cfg;
    if (t->interval_steps == 0)
        return SC_OK;
    double loss = 0.0, accuracy = 0.0;
    SC_TRY(read_interval_stats(t, t->interval_steps, &loss, &accuracy, err));
    double seconds = sc_now_seconds() - t->interval_start;
    double images = (double)t->interval_steps * cfg->batch;
    double ips = seconds > 0 ? images / seconds : 0.0;
    t->images_timed += images;
    t->seconds_timed += seconds;
    t->result->train_images_per_s = t->seconds_timed > 0 ? t->images_timed / t->seconds_timed : 0;
    t->epoch_loss_sum += loss * (double)t->interval_steps;
    t->epoch_correct_sum += accuracy * (double)t->interval_steps;
    t->epoch_logged_steps += t->interval_steps;
    t->interval_steps = 0;
    SC_TRY(sc_run_files_log_step(&t->files, t->epoch, t->global_step, loss, accuracy, lr, ips, err));
    sc_progress_sample sample = {t->epoch, cfg->epochs, t->step_in_epoch, t->steps_per_epoch,
                                 t->global_step, loss, accuracy, ips, lr};
    sc_progress_update(&t->progress, &sample);
    return SC_OK;
}

/* Log what is pending, save checkpoint-last, and report the interruption. */
static sc_status stop_run(trainer *t, float lr, sc_error *err) {
    const sc_train_config *cfg = t->cfg;
    SC_TRY(log_interval(t, lr, err));
    sc_progress_message(&t->progress, "scaat: stopping: saving %s/checkpoint-last.safetensors",
                        cfg->out_dir);
    SC_TRY(save_checkpoint(t, "checkpoint-last.safetensors", t->last_test_accuracy, err));
    t->result->interrupted = 1;
    return sc_fail(err, SC_ERR_INTERRUPTED, "interrupted at epoch %d, step %lld; resume with "
                   "--resume %s/checkpoint-last.safetensors", t->epoch + 1,
                   (long long)t->step_in_epoch, cfg->out_dir);
}

/* Evaluate the finished epoch, log it, and write checkpoint-last / checkpoint-best. */
static sc_status finish_epoch(trainer *t, sc_error *err) {
    const sc_train_config *cfg = t->cfg;
    sc_eval_result ev;
    SC_TRY(sc_evaluate(t->net, t->eval_acts, t->test_loader, &ev, err));
    t->last_test_accuracy = ev.accuracy;
    t->result->test_accuracy = ev.accuracy;
    t->result->test_loss = ev.loss;
    double steps = (double)t->epoch_logged_steps;
    double train_loss = steps > 0 ? t->epoch_loss_sum / steps : 0.0;
    double train_accuracy = steps > 0 ? t->epoch_correct_sum / steps : 0.0;
    sc_progress_message(&t->progress, "epoch %d/%d: train loss %.4f acc %.2f%% | test loss %.4f acc "
                        "%.2f%% | %.0f img/s", t->epoch + 1, cfg->epochs, train_loss,
                        100.0 * train_accuracy, ev.loss, 100.0 * ev.accuracy,
                        t->result->train_images_per_s);
    SC_TRY(sc_run_files_log_epoch(&t->files, t->epoch, t->global_step, train_loss, train_accuracy,
                                  ev.loss, ev.accuracy, err));
    t->epoch++;
    t->step_in_epoch = 0;
    t->epoch_loss_sum = t->epoch_correct_sum = 0.0;
    t->epoch_logged_steps = 0;
    int best = ev.accuracy > t->best_accuracy;
    if (best)
        t->best_accuracy = ev.accuracy;
    if (cfg->checkpoint_every_epoch || t->epoch == cfg->epochs)
        SC_TRY(save_checkpoint(t, "checkpoint-last.safetensors", ev.accuracy, err));
    if (best)
        SC_TRY(save_checkpoint(t, "checkpoint-best.safetensors", ev.accuracy, err));
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
        if (stop_requested(t))
            return stop_run(t, lr, err);
        if (t->interval_steps == 0)
            t->interval_start = sc_now_seconds();
        lr = sc_lr_at(&t->lr, t->global_step);
        SC_TRY(sc_upload_batch(t->train_acts, &batch, err));
        sc_train_step_args args = {t->net, t->train_acts, cfg, lr, (uint64_t)t->global_step,
                                   t->epoch};
        SC_TRY(t->step_fn(&args, err));
        SC_TRY(sc_upload_batch_wait(t->train_acts, err)); /* the loader may now reuse the buffer */
        t->global_step++;
        t->step_in_epoch++;
        t->interval_steps++;
        if (t->global_step % cfg->log_every == 0 || t->step_in_epoch == t->steps_per_epoch)
            SC_TRY(log_interval(t, lr, err));
    }
    return finish_epoch(t, err);
}

sc_status sc_train_run(const sc_train_config *cfg, const sc_train_hooks *hooks,
                       sc_train_result *result, sc_error *err) {
    trainer t;
    memset(&t, 0, sizeof t);
    memset(result, 0, sizeof *result);
    result->test_accuracy = result->test_loss = NAN; /* written as null until evaluated */
    t.resolved = *cfg;
    t.cfg = &t.resolved;
    cfg = t.cfg;
    t.hooks = hooks;
    t.result = result;
    double started = sc_now_seconds();
    sc_status st = sc_train_step_for_mode(cfg->mode, &t.step_fn, err);
    if (st == SC_OK)
        st = setup(&t, err);
    if (st == SC_OK) {
        sc_progress_init(&t.progress, stderr, t.global_step,
                         (int64_t)cfg->epochs * t.steps_per_epoch);
        while (st == SC_OK && t.epoch < cfg->epochs)
            st = train_epoch(&t, err);
        sc_progress_finish(&t.progress);
    }
    result->epochs_completed = t.epoch;
    result->global_step = t.global_step;
    result->best_test_accuracy = t.best_accuracy >= 0.0 ? t.best_accuracy : NAN;
    result->wall_seconds = sc_now_seconds() - started;
    if (st == SC_OK || st == SC_ERR_INTERRUPTED) {
        sc_error write_err;
        sc_status ws = sc_run_files_write_metrics(&t.files, cfg, result, &write_err);
        if (ws != SC_OK && st == SC_OK) {
            *err = write_err;
            st = ws;
        }
    }
    teardown(&t);
    return st;
}
