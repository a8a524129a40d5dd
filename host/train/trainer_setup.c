/* Setting a training run up and tearing it down (trainer_internal.h): datasets, backend,
 * model, activations, loaders, the learning-rate schedule, resuming from a checkpoint and
 * tidying the resumed run directory, and writing checkpoints. The run loop is in trainer.c. */
#include "trainer_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "checkpoint.h"
#include "datasets/class_names.h"
#include "evaluate.h"
#include "host/core/log.h"
#include "init_weights.h"
#include "run_recover.h"
#include "train_data.h"

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

sc_status sc_trainer_save_checkpoint(trainer *t, const char *name, double test_accuracy,
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
            SC_TRY(sc_trainer_save_checkpoint(t, "checkpoint-best.safetensors", t->best_accuracy, err));
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

sc_status sc_trainer_setup(trainer *t, sc_error *err) {
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

void sc_trainer_teardown(trainer *t) {
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
