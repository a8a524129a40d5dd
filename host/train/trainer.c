/* The training run (see trainer.h): set-up, the epoch loop, evaluation, checkpoints, logs. */
#include "trainer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "datasets/class_names.h"
#include "datasets/loader.h"
#include "evaluate.h"
#include "host/backend/backend.h"
#include "host/core/log.h"
#include "host/explain/saliency_eval.h"
#include "init_weights.h"
#include "mode_state.h"
#include "progress.h"
#include "run_files.h"
#include "run_recover.h"
#include "train_dist.h"
#include "train_data.h"
#include "train_step.h"

typedef struct trainer {
    sc_train_config resolved; /* the caller's configuration with dataset defaults filled in */
    const sc_train_config *cfg; /* = &resolved */
    const sc_train_hooks *hooks;
    sc_backend *be;
    sc_source *train_src, *test_src; /* the two splits (datasets/source.h) */
    sc_net *net;
    sc_acts *train_acts, *eval_acts;
    sc_mode_state *mode;
    sc_loader *train_loader, *test_loader;
    sc_lr_schedule lr;
    sc_run_files files;     /* opened on rank 0 only: the other ranks write nothing */
    sc_train_dist dist;     /* data-parallel runs: gradient all-reduce, sync-BN, global figures */
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
    double epoch_saliency_sums[4]; /* Gini sum, valid maps, |delta| sum, mask-fraction sum */
    double epoch_images, epoch_seconds; /* throughput of the current epoch in this process */
    /* steps since the last log line, and throughput over this process's steps */
    int64_t interval_steps;
    float interval_stats[SC_STAT_COUNT]; /* their statistics, read back when a stop saves them */
    double interval_start;
    double images_timed, seconds_timed;
    sc_train_result *result;
    int64_t resumed_log_bytes; /* the resumed checkpoint's log length (-1: unknown) */
    int resumed_finished;      /* the resumed checkpoint had completed every epoch */
} trainer;

static sc_status load_data(trainer *t, sc_error *err) {
    return sc_train_data_open(&t->resolved, &t->train_src, &t->test_src, err);
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
    lc.shard_rank = sc_train_dist_rank(t->hooks ? t->hooks->dist : NULL);
    lc.shard_count = sc_train_dist_world(t->hooks ? t->hooks->dist : NULL);
    sc_loader_use_backend_memory(&lc, t->be);
    sc_train_data_loader_config(&cfg->data, t->train_src, &lc);
    SC_TRY(sc_loader_open_source(&t->train_loader, t->train_src, &lc, err));
    lc.batch_size = cfg->eval_batch;
    lc.shuffle = 0;
    lc.drop_last = 0;
    memset(&lc.augment, 0, sizeof lc.augment);
    SC_TRY(sc_loader_open_source(&t->test_loader, t->test_src, &lc, err));
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
    if (t->train_src->class_names)
        sc_class_names_join(t->train_src->class_names, t->train_src->num_classes,
                            m->class_names, sizeof m->class_names);
    m->image_resize = t->cfg->data.resize;
    m->norm_channels = t->train_src->channels;
    for (int c = 0; c < t->train_src->channels && c < 4; c++) {
        m->norm_mean[c] = t->train_src->mean[c];
        m->norm_std[c] = t->train_src->std[c];
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
    snprintf(m->mode, sizeof m->mode, "%s", sc_mode_name(t->cfg->mode.kind));
    memcpy(m->epoch_saliency_sums, t->epoch_saliency_sums, sizeof m->epoch_saliency_sums);
    m->interval_steps = t->interval_steps;
    memcpy(m->interval_stats, t->interval_stats, sizeof m->interval_stats);
}

static sc_status save_checkpoint(trainer *t, const char *name, double test_accuracy,
                                 sc_error *err) {
    char path[SC_PATH_LEN + 64];
    snprintf(path, sizeof path, "%s/%s", t->cfg->out_dir, name);
    if (!sc_dist_is_root(t->dist.dist))
        return SC_OK;
    sc_checkpoint_meta meta;
    fill_meta(t, &meta, test_accuracy);
    SC_TRY(sc_run_files_sync_log(&t->files, &meta.log_bytes, err));
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
    memcpy(t->epoch_saliency_sums, meta.epoch_saliency_sums, sizeof t->epoch_saliency_sums);
    if (strcmp(meta.mode, sc_mode_name(t->cfg->mode.kind)) != 0)
        return sc_fail(err, SC_ERR_USAGE, "--resume %s: the checkpoint was trained with --mode %s, "
                       "this run asks for --mode %s", t->cfg->resume, meta.mode,
                       sc_mode_name(t->cfg->mode.kind));
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
    if (t->epoch > t->cfg->epochs || (t->epoch == t->cfg->epochs && t->step_in_epoch > 0))
        return sc_fail(err, SC_ERR_USAGE, "--resume %s: the checkpoint has already completed %d "
                       "epochs (--epochs %d): raise --epochs to train further", t->cfg->resume,
                       t->epoch, t->cfg->epochs);
    t->resumed_finished = t->epoch == t->cfg->epochs;
    t->resumed_log_bytes = meta.log_bytes;
    t->interval_steps = meta.interval_steps;
    t->interval_start = sc_now_seconds(); /* the pending steps are timed as taken from here */
    if (!sc_dist_is_root(t->dist.dist)) /* the checkpoint holds the sums over every rank */
        memset(meta.interval_stats, 0, sizeof meta.interval_stats);
    sc_status st = t->be->ops->upload(t->be, t->mode->stats.data, meta.interval_stats,
                                      sizeof meta.interval_stats);
    if (st != SC_OK)
        return sc_fail(err, st, "restoring the training statistics: %s", t->be->err.msg);
    if (sc_dist_is_root(t->dist.dist)) /* the other ranks of a job print errors only */
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

/* With the run directory locked: cut log.jsonl back to the checkpoint, and make sure
 * checkpoint-best holds the recorded best accuracy (rewritten from these weights when they are
 * the best, else the best is forgotten with a warning). */
static sc_status tidy_resumed_run(trainer *t, sc_error *err) {
    const sc_train_config *cfg = t->cfg;
    int64_t cut = 0;
    SC_TRY(sc_run_truncate_log(cfg->out_dir, cfg->resume, t->resumed_log_bytes, &cut, err));
    if (cut > 0)
        sc_log("cut %lld bytes written after the checkpoint from %s/log.jsonl", (long long)cut,
               cfg->out_dir);
    if (t->best_accuracy >= 0.0 &&
        !sc_run_best_checkpoint_holds(cfg->out_dir, cfg->model, cfg->seed, t->best_accuracy)) {
        if (t->step_in_epoch == 0 && t->last_test_accuracy == t->best_accuracy) {
            SC_TRY(save_checkpoint(t, "checkpoint-best.safetensors", t->best_accuracy, err));
        } else {
            sc_log("warning: %s/checkpoint-best.safetensors does not hold the best test accuracy "
                   "%.4f the checkpoint records: the best is counted again from here",
                   cfg->out_dir, t->best_accuracy);
            t->best_accuracy = -1.0;
        }
    }
    return SC_OK;
}

/* A resumed checkpoint that completed every epoch: evaluate it so the run's final files
 * (metrics.json) can be written. */
static sc_status evaluate_finished_checkpoint(trainer *t, sc_error *err) {
    const sc_train_config *cfg = t->cfg;
    sc_eval_result ev;
    SC_TRY(sc_evaluate(t->net, t->eval_acts, t->test_loader, &ev, err));
    SC_TRY(sc_train_dist_eval(&t->dist, &ev, err));
    t->result->test_accuracy = ev.accuracy;
    t->result->test_loss = ev.loss;
    if (sc_dist_is_root(t->dist.dist))
        sc_log("the checkpoint completed all %d epochs: writing the run's final files",
               cfg->epochs);
    return SC_OK;
}

static sc_status setup(trainer *t, sc_error *err) {
    const sc_train_config *cfg = t->cfg;
    t->dist.dist = t->hooks ? t->hooks->dist : NULL;
    SC_TRY(load_data(t, err));
    SC_TRY(sc_train_dist_check(t->dist.dist, cfg, err));
    sc_backend_config bc = sc_backend_config_default();
    bc.tf32 = cfg->tf32;
    bc.debug_sync = cfg->debug_sync;
    bc.deterministic = cfg->deterministic;
    bc.threads = cfg->threads;
    SC_TRY(sc_backend_create(cfg->device, &bc, &t->be, err));
    sc_model_spec spec;
    memset(&spec, 0, sizeof spec);
    snprintf(spec.name, sizeof spec.name, "%s", cfg->model);
    snprintf(spec.stem, sizeof spec.stem, "%s", cfg->stem);
    spec.in_channels = t->train_src->channels;
    spec.in_h = t->train_src->height;
    spec.in_w = t->train_src->width;
    spec.num_classes = t->train_src->num_classes;
    SC_TRY(sc_model_create(&spec, t->be, cfg->seed, &t->net, err));
    if (cfg->init[0])
        SC_TRY(sc_init_weights_load(cfg->init, cfg->init_skip, t->net, err));
    SC_TRY(sc_train_dist_open(&t->dist, t->dist.dist, t->net, cfg, err));
    const int local_batch = sc_train_dist_local_batch(t->dist.dist, cfg->batch);
    SC_TRY(sc_acts_create(t->net, local_batch, 1, sc_mode_needs_clean_input_grad(&cfg->mode),
                          &t->train_acts, err));
    SC_TRY(sc_acts_create(t->net, sc_train_dist_local_batch(t->dist.dist, cfg->eval_batch), 0, 0,
                          &t->eval_acts, err));
    SC_TRY(sc_mode_state_create(t->net, local_batch, &cfg->mode, &cfg->norm, &t->mode, err));
    SC_TRY(open_loaders(t, err));
    init_schedule(t);
    t->best_accuracy = -1.0;
    t->last_test_accuracy = -1.0;
    if (cfg->resume[0])
        SC_TRY(resume(t, err));
    if (t->resumed_finished)
        SC_TRY(evaluate_finished_checkpoint(t, err));
    if (!sc_dist_is_root(t->dist.dist))
        return SC_OK;
    SC_TRY(sc_run_files_open(&t->files, cfg, cfg->resume[0] != 0, err));
    if (cfg->resume[0])
        SC_TRY(tidy_resumed_run(t, err));
    char description[512];
    t->be->ops->describe(t->be, description, sizeof description);
    sc_log("%s on %s, mode %s: %lld parameters; %lld training / %lld test images; %lld steps "
           "per epoch; device %s", cfg->model, cfg->dataset, sc_mode_name(cfg->mode.kind),
           (long long)sc_net_trainable_count(t->net), (long long)t->train_src->count,
           (long long)t->test_src->count, (long long)t->steps_per_epoch, description);
    size_t weights = t->net->param_arena.size + t->net->grad_arena.size +
                     t->net->momentum_arena.size;
    size_t mode_bytes = sc_mode_state_bytes(t->mode);
    sc_log("planned %s memory: %.1f MiB (weights, gradients, momentum %.1f; training "
           "activations %.1f; evaluation %.1f; mode %s branches and maps %.1f)", t->be->name,
           (double)(weights + t->train_acts->arena.size + t->eval_acts->arena.size + mode_bytes) /
               1048576.0,
           (double)weights / 1048576.0, (double)t->train_acts->arena.size / 1048576.0,
           (double)t->eval_acts->arena.size / 1048576.0, sc_mode_name(cfg->mode.kind),
           (double)mode_bytes / 1048576.0);
    return SC_OK;
}

static void teardown(trainer *t) {
    sc_train_dist_close(&t->dist); /* before the network it points into */
    sc_loader_close(t->train_loader);
    sc_loader_close(t->test_loader);
    sc_acts_destroy(t->train_acts);
    sc_acts_destroy(t->eval_acts);
    sc_mode_state_destroy(t->mode);
    sc_net_destroy(t->net);
    sc_run_files_close(&t->files);
    sc_backend_destroy(t->be);
    sc_source_close(t->train_src);
    sc_source_close(t->test_src);
}

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
    SC_TRY(save_checkpoint(t, "checkpoint-last.safetensors", t->last_test_accuracy, err));
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
        SC_TRY(save_checkpoint(t, "checkpoint-best.safetensors", ev.accuracy, err));
    if (cfg->checkpoint_every_epoch || t->epoch == cfg->epochs)
        SC_TRY(save_checkpoint(t, "checkpoint-last.safetensors", ev.accuracy, err));
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
        st = setup(&t, err);
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
    teardown(&t);
    return st;
}
