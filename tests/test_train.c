/* End-to-end training tests on synthetic separable data written as IDX files:
 * - a few hundred steps reach > 95% test accuracy;
 * - an interrupted run resumed from its checkpoint reproduces the uninterrupted run's
 *   per-step losses bit for bit (with shuffling and augmentation on);
 * - checkpoints round-trip bit-exactly and a checkpoint of another model is rejected. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/synthetic_data.h"
#include "common/test_util.h"
#include "host/core/fileio.h"
#include "host/core/json.h"
#include "host/train/checkpoint.h"
#include "host/train/run_files.h"
#include "host/train/trainer.h"
#include "tests/common/check_run.h"

START_TEST(test_separable_problem_is_learned) {
    char dir[256], data[300], out[300];
    ck_assert_ptr_nonnull(sc_test_tmpdir("train", dir, sizeof dir));
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(out, sizeof out, "%s/run", dir);
    sc_error err = {0};
    ck_assert_int_eq(sc_mkdirs(data, &err), SC_OK);
    ck_assert_int_eq(sc_synthetic_write_idx(data, 1024, 256, 4, 28, 3), 0);
    sc_train_config cfg;
    sc_synthetic_train_config(&cfg, data, out, 7);
    cfg.epochs = 8; /* 8 x 32 = 256 steps */
    sc_train_result r;
    sc_status st = sc_train_run(&cfg, NULL, &r, &err);
    ck_assert_msg(st == SC_OK, "training failed: %s", err.msg);
    ck_assert_int_eq(r.global_step, 256);
    ck_assert_msg(r.test_accuracy > 0.95, "test accuracy %.3f <= 0.95", r.test_accuracy);
    char path[400];
    snprintf(path, sizeof path, "%s/metrics.json", out);
    ck_assert_double_eq(sc_test_json_number(path, "test_accuracy"), r.test_accuracy);
    sc_test_rmtree(dir);
}
END_TEST

/* A field of the log.jsonl lines of one type ("step" or "epoch"), indexed by the line's "step"
 * or "epoch" number (1-based); returns the number of lines read. */
static int read_log_field(const char *log_path, const char *type_wanted, const char *index_key,
                          const char *field, double *values, int max_index) {
    FILE *f = fopen(log_path, "r");
    if (!f)
        return -1;
    char line[1024];
    int count = 0;
    while (fgets(line, sizeof line, f)) {
        sc_json_doc doc;
        sc_error err;
        if (sc_json_parse(&doc, line, strlen(line), log_path, &err) != SC_OK)
            continue;
        const char *type = sc_json_get_string(sc_json_object_get(doc.root, "type"));
        int64_t index;
        double value;
        if (type && strcmp(type, type_wanted) == 0 &&
            sc_json_get_i64(sc_json_object_get(doc.root, index_key), &index) &&
            sc_json_get_double(sc_json_object_get(doc.root, field), &value) && index >= 1 &&
            index <= max_index) {
            values[index] = value;
            count++;
        }
        sc_json_doc_free(&doc);
    }
    fclose(f);
    return count;
}

/* Loop index -> the mode whose resume is checked: standard, and scaat (saliency, mask, budget,
 * random start and the epoch's saliency figures carried through the checkpoint). */
static const sc_mode_kind resume_modes[] = {SC_MODE_STANDARD, SC_MODE_SCAAT};

START_TEST(test_resume_is_bit_identical) {
    char dir[256], data[300], full[300], split[300];
    ck_assert_ptr_nonnull(sc_test_tmpdir("resume", dir, sizeof dir));
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(full, sizeof full, "%s/full", dir);
    snprintf(split, sizeof split, "%s/split", dir);
    sc_error err = {0};
    ck_assert_int_eq(sc_mkdirs(data, &err), SC_OK);
    ck_assert_int_eq(sc_synthetic_write_idx(data, 256, 64, 10, 28, 5), 0);

    sc_train_config cfg;
    sc_synthetic_train_config(&cfg, data, full, 7);
    cfg.epochs = 2; /* 8 steps per epoch */
    cfg.log_every = 1;
    cfg.crop_padding = 2;
    cfg.flip = 1;
    cfg.mode.kind = resume_modes[_i];
    sc_train_result uninterrupted, first, second;
    ck_assert_msg(sc_train_run(&cfg, NULL, &uninterrupted, &err) == SC_OK, "%s", err.msg);

    snprintf(cfg.out_dir, sizeof cfg.out_dir, "%s", split);
    sc_stop_after stop = {0, 5}; /* stop in the middle of the first epoch */
    sc_train_hooks hooks = {sc_stop_after_steps, &stop, NULL};
    ck_assert_int_eq(sc_train_run(&cfg, &hooks, &first, &err), SC_ERR_INTERRUPTED);
    ck_assert(first.interrupted);
    ck_assert_int_eq(first.global_step, 5);
    snprintf(cfg.resume, sizeof cfg.resume, "%s/checkpoint-last.safetensors", split);
    ck_assert_msg(sc_train_run(&cfg, NULL, &second, &err) == SC_OK, "%s", err.msg);
    ck_assert_int_eq(second.global_step, 16);

    double a[17] = {0}, b[17] = {0};
    char full_log[400], split_log[400];
    snprintf(full_log, sizeof full_log, "%s/log.jsonl", full);
    snprintf(split_log, sizeof split_log, "%s/log.jsonl", split);
    ck_assert_int_eq(read_log_field(full_log, "step", "step", "loss", a, 16), 16);
    ck_assert_int_eq(read_log_field(split_log, "step", "step", "loss", b, 16), 16);
    for (int s = 1; s <= 16; s++)
        ck_assert_msg(a[s] == b[s], "step %d: loss %.17g uninterrupted vs %.17g resumed", s, a[s], b[s]);
    /* the interrupted epoch's training loss covers its steps before and after the interruption */
    ck_assert_int_eq(read_log_field(full_log, "epoch", "epoch", "train_loss", a, 2), 2);
    ck_assert_int_eq(read_log_field(split_log, "epoch", "epoch", "train_loss", b, 2), 2);
    ck_assert_msg(a[1] == b[1] && a[2] == b[2], "epoch train loss %.17g/%.17g vs %.17g/%.17g",
                  a[1], a[2], b[1], b[2]);
    if (cfg.mode.kind != SC_MODE_STANDARD) {
        ck_assert_int_eq(read_log_field(full_log, "epoch", "epoch", "train_saliency_gini", a, 2), 2);
        ck_assert_int_eq(read_log_field(split_log, "epoch", "epoch", "train_saliency_gini", b, 2), 2);
        ck_assert_msg(a[1] == b[1] && a[2] == b[2], "epoch Gini %.17g/%.17g vs %.17g/%.17g", a[1],
                      a[2], b[1], b[2]);
        ck_assert_int_eq(read_log_field(full_log, "epoch", "epoch", "delta_mean", a, 2), 2);
        ck_assert_int_eq(read_log_field(split_log, "epoch", "epoch", "delta_mean", b, 2), 2);
        ck_assert_msg(a[1] == b[1] && a[2] == b[2], "epoch |delta| %.17g/%.17g vs %.17g/%.17g",
                      a[1], a[2], b[1], b[2]);
        ck_assert_double_eq(uninterrupted.test_saliency_gini, second.test_saliency_gini);
    }
    ck_assert_double_eq(uninterrupted.test_accuracy, second.test_accuracy);

    /* a resume that would not continue exactly is refused */
    cfg.seed += 1;
    cfg.epochs = 3;
    ck_assert_int_eq(sc_train_run(&cfg, NULL, &second, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "--seed"));
    cfg.seed -= 1;
    cfg.mode.kind = cfg.mode.kind == SC_MODE_STANDARD ? SC_MODE_SGT : SC_MODE_STANDARD;
    ck_assert_int_eq(sc_train_run(&cfg, NULL, &second, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "--mode"));
    sc_test_rmtree(dir);
}
END_TEST

static sc_net *make_net(sc_backend *be, const char *model, int classes, uint64_t seed) {
    sc_model_spec spec = {{0}, "cifar", 1, classes, 16, 16};
    snprintf(spec.name, sizeof spec.name, "%s", model);
    sc_net *net = NULL;
    sc_error err;
    ck_assert_msg(sc_model_create(&spec, be, seed, &net, &err) == SC_OK, "%s", err.msg);
    return net;
}

START_TEST(test_checkpoint_round_trip_and_mismatch) {
    char dir[256], path[400];
    ck_assert_ptr_nonnull(sc_test_tmpdir("ckpt", dir, sizeof dir));
    snprintf(path, sizeof path, "%s/c.safetensors", dir);
    sc_error err = {0};
    sc_backend *be;
    ck_assert_int_eq(sc_backend_create("cpu", NULL, &be, &err), SC_OK);
    sc_net *saved = make_net(be, "resnet8", 10, 1);
    saved->num_batches_tracked = 42;
    sc_checkpoint_meta meta = sc_synthetic_checkpoint_meta(10, 16, NULL);
    meta.epoch = 3;
    meta.global_step = 99;
    meta.best_accuracy = meta.test_accuracy = 0.5;
    ck_assert_msg(sc_checkpoint_save(path, saved, &meta, 1, &err) == SC_OK, "%s", err.msg);

    sc_checkpoint_meta back;
    ck_assert_int_eq(sc_checkpoint_read_meta(path, &back, &err), SC_OK);
    ck_assert_str_eq(back.model.name, "resnet8");
    ck_assert_int_eq(back.epoch, 3);
    ck_assert_int_eq(back.global_step, 99);
    ck_assert_float_eq(back.norm_std[0], 0.3081f);

    sc_net *loaded = make_net(be, "resnet8", 10, 2); /* different init */
    ck_assert_msg(sc_checkpoint_load(path, loaded, 1, &err) == SC_OK, "%s", err.msg);
    ck_assert_int_eq(loaded->num_batches_tracked, 42);
    ck_assert_int_eq(memcmp(saved->param_arena.base, loaded->param_arena.base, saved->param_arena.size), 0);

    sc_net *other = make_net(be, "resnet8", 5, 1); /* fc shape differs */
    ck_assert_int_eq(sc_checkpoint_load(path, other, 0, &err), SC_ERR_SHAPE);
    ck_assert_ptr_nonnull(strstr(err.msg, "fc.weight"));
    sc_net *deeper = make_net(be, "resnet20", 10, 1); /* tensors missing */
    ck_assert_int_eq(sc_checkpoint_load(path, deeper, 0, &err), SC_ERR_FORMAT);

    ck_assert_int_eq(truncate(path, 1000), 0);
    ck_assert_int_eq(sc_checkpoint_load(path, loaded, 0, &err), SC_ERR_FORMAT);
    snprintf(path, sizeof path, "%s/absent.safetensors", dir);
    ck_assert_int_eq(sc_checkpoint_read_meta(path, &back, &err), SC_ERR_IO);
    sc_net_destroy(saved);
    sc_net_destroy(loaded);
    sc_net_destroy(other);
    sc_net_destroy(deeper);
    sc_backend_destroy(be);
    sc_test_rmtree(dir);
}
END_TEST

int main(void) {
    Suite *s = suite_create("train");
    TCase *tc = tcase_create("train");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_checkpoint_round_trip_and_mismatch);
    tcase_add_loop_test(tc, test_resume_is_bit_identical, 0,
                        (int)(sizeof resume_modes / sizeof resume_modes[0]));
    tcase_add_test(tc, test_separable_problem_is_learned);
    suite_add_tcase(s, tc);
    return sc_check_run(s);
}
