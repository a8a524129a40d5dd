/* Resuming keeps a run directory exactly as an uninterrupted run leaves it:
 * - a stop between two log lines (SIGTERM mid-interval) resumes to the same log.jsonl lines
 *   (same steps, same losses, same epoch figures) as an uninterrupted run;
 * - resuming a checkpoint that completed every epoch writes the missing checkpoint-best and
 *   metrics.json and succeeds, with the figures of the uninterrupted run;
 * - metrics.json never reports a best accuracy that checkpoint-best does not hold. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/synthetic_data.h"
#include "common/test_util.h"
#include "host/core/json.h"
#include "host/train/checkpoint.h"
#include "host/train/run_files.h"
#include "host/train/trainer.h"
#include "tests/common/check_run.h"
#include "tests/common/cli_runner.h"

/* log.jsonl without the throughput fields (timing differs run to run). */
static void read_log_without_timing(const char *dir, char *out, size_t len) {
    char path[400], raw[16384];
    snprintf(path, sizeof path, "%s/log.jsonl", dir);
    sc_test_read_file(path, raw, sizeof raw);
    size_t used = 0;
    for (const char *p = raw; *p && used + 1 < len;) {
        const char *field = strstr(p, ",\"images_per_s\":");
        const char *stop = field ? field : p + strlen(p);
        size_t n = (size_t)(stop - p);
        if (used + n >= len)
            n = len - used - 1;
        memcpy(out + used, p, n);
        used += n;
        if (!field)
            break;
        p = strchr(field, '}'); /* the field is the last one of its line */
        ck_assert_ptr_nonnull(p);
    }
    out[used] = '\0';
}

static void prepare(const char *tag, char dir[256], char data[300]) {
    ck_assert_ptr_nonnull(sc_test_tmpdir(tag, dir, 256));
    snprintf(data, 300, "%s/data", dir);
    sc_error err = {0};
    ck_assert_int_eq(sc_mkdirs(data, &err), SC_OK);
    ck_assert_int_eq(sc_synthetic_write_idx(data, 192, 64, 10, 28, 11), 0);
}

START_TEST(test_stop_between_log_lines_resumes_to_the_same_log) {
    char dir[256], data[300], full[300], split[300];
    prepare("resume-interval", dir, data);
    snprintf(full, sizeof full, "%s/full", dir);
    snprintf(split, sizeof split, "%s/split", dir);
    sc_train_config cfg;
    sc_synthetic_train_config(&cfg, data, full, 3);
    cfg.epochs = 2; /* 6 steps per epoch on 192 images */
    cfg.log_every = 4;
    sc_error err = {0};
    sc_train_result uninterrupted, first, second;
    ck_assert_msg(sc_train_run(&cfg, NULL, &uninterrupted, &err) == SC_OK, "%s", err.msg);

    snprintf(cfg.out_dir, sizeof cfg.out_dir, "%s", split);
    sc_stop_after stop = {0, 9}; /* epoch 2, one step after the log line of step 8 */
    sc_train_hooks hooks = {.should_stop = sc_stop_after_steps, .ctx = &stop};
    ck_assert_int_eq(sc_train_run(&cfg, &hooks, &first, &err), SC_ERR_INTERRUPTED);
    ck_assert_int_eq(first.global_step, 9);
    snprintf(cfg.resume, sizeof cfg.resume, "%s/checkpoint-last.safetensors", split);
    sc_checkpoint_meta meta;
    ck_assert_int_eq(sc_checkpoint_read_meta(cfg.resume, &meta, &err), SC_OK);
    ck_assert_int_eq(meta.interval_steps, 1);
    ck_assert_msg(sc_train_run(&cfg, NULL, &second, &err) == SC_OK, "%s", err.msg);

    char a[8192], b[8192];
    read_log_without_timing(full, a, sizeof a);
    read_log_without_timing(split, b, sizeof b);
    ck_assert_msg(strcmp(a, b) == 0, "uninterrupted log:\n%s\nresumed log:\n%s", a, b);
    ck_assert_double_eq(uninterrupted.test_accuracy, second.test_accuracy);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_finished_checkpoint_completes_the_run) {
    char dir[256], data[300], run[300], path[400];
    prepare("resume-finished", dir, data);
    snprintf(run, sizeof run, "%s/run", dir);
    sc_train_config cfg;
    sc_synthetic_train_config(&cfg, data, run, 3);
    cfg.epochs = 1; /* its one epoch is the best */
    cfg.log_every = 4;
    sc_error err = {0};
    sc_train_result done, completed;
    ck_assert_msg(sc_train_run(&cfg, NULL, &done, &err) == SC_OK, "%s", err.msg);
    /* a kill right after the final checkpoint-last: no metrics.json; and checkpoint-best lost
     * (a run of an older build that wrote it after checkpoint-last) */
    snprintf(path, sizeof path, "%s/metrics.json", run);
    ck_assert_int_eq(unlink(path), 0);
    snprintf(path, sizeof path, "%s/checkpoint-best.safetensors", run);
    ck_assert_int_eq(unlink(path), 0);
    snprintf(cfg.resume, sizeof cfg.resume, "%s/checkpoint-last.safetensors", run);
    ck_assert_msg(sc_train_run(&cfg, NULL, &completed, &err) == SC_OK, "%s", err.msg);
    ck_assert_int_eq(completed.epochs_completed, 1);
    ck_assert_double_eq(completed.test_accuracy, done.test_accuracy);
    ck_assert_double_eq(completed.test_loss, done.test_loss);
    ck_assert_double_eq(completed.test_saliency_gini, done.test_saliency_gini);
    snprintf(path, sizeof path, "%s/metrics.json", run);
    ck_assert_double_eq(sc_test_json_number(path, "test_accuracy"), done.test_accuracy);
    /* the last weights are the best: checkpoint-best is written again from them */
    double best = sc_test_json_number(path, "best_test_accuracy");
    ck_assert_double_eq(best, done.best_test_accuracy);
    snprintf(path, sizeof path, "%s/checkpoint-best.safetensors", run);
    sc_checkpoint_meta meta;
    ck_assert_int_eq(sc_checkpoint_read_meta(path, &meta, &err), SC_OK);
    ck_assert_double_eq(meta.test_accuracy, best);
    sc_test_rmtree(dir);
}
END_TEST

int main(void) {
    Suite *s = suite_create("run_files_resume");
    TCase *tc = tcase_create("run_files_resume");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_stop_between_log_lines_resumes_to_the_same_log);
    tcase_add_test(tc, test_finished_checkpoint_completes_the_run);
    suite_add_tcase(s, tc);
    return sc_check_run(s);
}
