/* Training configuration defaults and their JSON record (see train_config.h). */
#include "train_config.h"

#include <stdio.h>
#include <string.h>

void sc_train_config_default(sc_train_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->dataset, sizeof cfg->dataset, "fashion-mnist");
    snprintf(cfg->model, sizeof cfg->model, "resnet8");
    sc_mode_config_default(&cfg->mode);
    snprintf(cfg->device, sizeof cfg->device, "auto");
    snprintf(cfg->out_dir, sizeof cfg->out_dir, "runs/default");
    cfg->epochs = 3;
    cfg->batch = 128;
    cfg->eval_batch = 0;
    cfg->lr = 0.1f;
    cfg->momentum = 0.9f;
    cfg->weight_decay = 5e-4f;
    cfg->lr_schedule = SC_LR_COSINE;
    cfg->warmup_epochs = 0.1f;
    cfg->lr_gamma = 0.1f;
    cfg->crop_padding = -1;
    cfg->flip = -1;
    cfg->seed = 0;
    cfg->log_every = 10;
    cfg->tf32 = 1;
    cfg->checkpoint_every_epoch = 1;
    cfg->bucket_mb = 25.0f;
    cfg->grad_overlap = 1;
}

void sc_train_config_resolve(sc_train_config *cfg, int image_height) {
    int cifar = strncmp(cfg->dataset, "cifar", 5) == 0;
    int images = strcmp(cfg->dataset, "imagefolder") == 0 || strcmp(cfg->dataset, "pcam") == 0;
    if (cfg->eval_batch <= 0)
        cfg->eval_batch = cfg->batch;
    if (!cfg->stem[0])
        snprintf(cfg->stem, sizeof cfg->stem, "%s", image_height <= 64 ? "cifar" : "imagenet");
    if (cfg->crop_padding < 0)
        cfg->crop_padding = cifar ? 4 : 0;
    if (cfg->flip < 0)
        cfg->flip = cifar || images ? 1 : 0;
}

void sc_train_config_write_json(const sc_train_config *cfg, sc_json_writer *w) {
    sc_json_field_string(w, "dataset", cfg->dataset);
    sc_json_field_string(w, "data_dir", cfg->data_dir);
    sc_json_field_string(w, "model", cfg->model);
    sc_json_field_string(w, "stem", cfg->stem);
    sc_json_field_string(w, "mode", sc_mode_name(cfg->mode.kind));
    sc_json_field_string(w, "device", cfg->device);
    sc_json_field_string(w, "out_dir", cfg->out_dir);
    sc_json_field_string(w, "resume", cfg->resume);
    sc_json_field_string(w, "init", cfg->init);
    sc_json_field_string(w, "init_skip", cfg->init_skip);
    sc_json_field_int(w, "epochs", cfg->epochs);
    sc_json_field_int(w, "batch", cfg->batch);
    sc_json_field_int(w, "eval_batch", cfg->eval_batch);
    sc_json_field_float(w, "lr", cfg->lr);
    sc_json_field_float(w, "momentum", cfg->momentum);
    sc_json_field_float(w, "weight_decay", cfg->weight_decay);
    sc_json_field_bool(w, "nesterov", cfg->nesterov);
    sc_json_field_float(w, "label_smoothing", cfg->label_smoothing);
    sc_json_field_string(w, "lr_schedule", sc_lr_kind_name(cfg->lr_schedule));
    sc_json_field_float(w, "warmup_epochs", cfg->warmup_epochs);
    sc_json_key(w, "milestones");
    sc_json_begin_array(w);
    for (int i = 0; i < cfg->n_milestones; i++)
        sc_json_value_int(w, cfg->milestones[i]);
    sc_json_end_array(w);
    sc_json_field_float(w, "lr_gamma", cfg->lr_gamma);
    sc_json_field_int(w, "crop_padding", cfg->crop_padding);
    sc_json_field_bool(w, "flip", cfg->flip);
    sc_json_field_uint(w, "seed", cfg->seed);
    sc_json_field_int(w, "limit_train", cfg->limit_train);
    sc_json_field_int(w, "limit_test", cfg->limit_test);
    sc_json_field_int(w, "log_every", cfg->log_every);
    sc_json_field_bool(w, "tf32", cfg->tf32);
    sc_json_field_bool(w, "debug_sync", cfg->debug_sync);
    sc_json_field_bool(w, "deterministic", cfg->deterministic);
    sc_json_field_bool(w, "sync_bn", cfg->sync_bn);
    sc_json_field_float(w, "bucket_mb", cfg->bucket_mb);
    sc_json_field_bool(w, "grad_overlap", cfg->grad_overlap);
    sc_json_field_int(w, "threads", cfg->threads);
    sc_data_config_write_json(&cfg->data, w);
    sc_json_field_float(w, "bn_momentum", 0.1f);
    sc_json_field_float(w, "bn_eps", 1e-5f);
    sc_mode_config_write_json(&cfg->mode, &cfg->norm, w);
}
