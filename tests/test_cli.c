/* The scaat command line as a user meets it: exit codes, one clear error line for bad options
 * and bad files, nothing half-written, and `scaat eval` agreeing with the training run. */
#include <check.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/synthetic_data.h"
#include "common/test_util.h"
#include "host/core/fileio.h"
#include "host/core/json.h"
#include "tests/common/check_cli.h"
#include "tests/common/check_run.h"

extern char **environ;

/* A usage or input error: exit 2 and exactly one line, an error line containing `needle`. */
static void expect_input_error(const char *scratch, const char *const *args, const char *needle) {
    sc_check_cli_input_error(scratch, args, needle, NULL);
}

START_TEST(test_usage_errors) {
    char dir[256];
    ck_assert_ptr_nonnull(sc_test_tmpdir("cli", dir, sizeof dir));
    sc_cli_result r = sc_check_cli(dir, (const char *const[]){NULL});
    ck_assert_int_eq(r.exit_code, 2);
    expect_input_error(dir, (const char *const[]){"bogus", NULL}, "unknown command 'bogus'");
    expect_input_error(dir, (const char *const[]){"train", "--bogus", NULL}, "unknown option --bogus");
    expect_input_error(dir, (const char *const[]){"train", "--epochs", "abc", NULL}, "--epochs");
    expect_input_error(dir, (const char *const[]){"train", "--epochs", NULL}, "needs a value");
    expect_input_error(dir, (const char *const[]){"train", "--lr=-1", NULL}, "--lr");
    expect_input_error(dir, (const char *const[]){"train", "--model", "resnet9", NULL}, "resnet9");
    expect_input_error(dir, (const char *const[]){"train", "--device", "tpu", NULL}, "tpu");
    expect_input_error(dir, (const char *const[]){"train", "--mode", "fancy", NULL}, "fancy");
    expect_input_error(dir, (const char *const[]){"train", "--dataset", "imagenet", NULL}, "imagenet");
    expect_input_error(dir, (const char *const[]){"eval", NULL}, "--checkpoint");
    r = sc_check_cli(dir, (const char *const[]){"train", "--help", NULL});
    ck_assert_int_eq(r.exit_code, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "--resume"));
    r = sc_check_cli(dir, (const char *const[]){"info", NULL});
    ck_assert_int_eq(r.exit_code, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "gpu:"));
    sc_test_rmtree(dir);
}
END_TEST

/* The training-mode options: out of range, unknown values and options the mode does not use
 * are usage errors with one line. */
START_TEST(test_mode_option_errors) {
    char dir[256];
    ck_assert_ptr_nonnull(sc_test_tmpdir("cli-modes", dir, sizeof dir));
    expect_input_error(dir, (const char *const[]){"train", "--mode", "sgt", "--k", "1.5", NULL},
                       "--k 1.5");
    expect_input_error(dir, (const char *const[]){"train", "--mode", "sgt", "--k", "0", NULL},
                       "--k 0");
    expect_input_error(dir, (const char *const[]){"train", "--mode", "scaat", "--eps", "-0.1", NULL},
                       "--eps");
    expect_input_error(dir, (const char *const[]){"train", "--mode", "scaat", "--steps", "0", NULL},
                       "--steps");
    expect_input_error(dir, (const char *const[]){"train", "--mode", "scaat", "--saliency", "median",
                                                  NULL},
                       "median");
    expect_input_error(dir, (const char *const[]){"train", "--mode", "sgt", "--mask", "mass",
                                                  "--k-min", "0.8", "--k-max", "0.2", NULL},
                       "--k-min");
    expect_input_error(dir, (const char *const[]){"train", "--mode", "standard", "--k", "0.5", NULL},
                       "--k does not apply to --mode standard");
    expect_input_error(dir, (const char *const[]){"train", "--mode", "sgt", "--eps", "0.1", NULL},
                       "--eps does not apply to --mode sgt");
    expect_input_error(dir, (const char *const[]){"train", "--mode", "adv", "--saliency-bn", "batch",
                                                  NULL},
                       "--saliency-bn does not apply to --mode adv");
    expect_input_error(dir, (const char *const[]){"bench", "--mode", "scaat", "--gamma", "-1", NULL},
                       "--gamma");
    sc_cli_result r = sc_check_cli(dir, (const char *const[]){"train", "--help", NULL});
    ck_assert_ptr_nonnull(strstr(r.out, "--saliency-bn"));
    ck_assert_ptr_nonnull(strstr(r.out, "--kl-detach-target"));
    sc_test_rmtree(dir);
}
END_TEST

/* Every mode trains a small run from the command line and records what it used. */
START_TEST(test_every_mode_trains) {
    static const char *const modes[] = {"adv", "sgt", "scaat", "asgt"};
    char dir[256], data[300], out[300], path[400];
    sc_check_cli_mnist("cli-mode-runs", dir, data, 64, 32, 9);
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        snprintf(out, sizeof out, "%s/%s", dir, modes[i]);
        sc_cli_result r = sc_check_cli(dir, (const char *const[]){
            "train", "--dataset", "mnist", "--data", data, "--epochs", "1", "--batch", "16",
            "--mode", modes[i], "--device", "cpu", "--out", out, "--log-every", "1", NULL});
        ck_assert_msg(r.exit_code == 0, "--mode %s failed: %s", modes[i], r.err);
        ck_assert_ptr_nonnull(strstr(r.err, "planned cpu memory"));
        snprintf(path, sizeof path, "%s/metrics.json", out);
        double gini = sc_test_json_number(path, "test_saliency_gini");
        ck_assert_msg(gini > 0.0 && gini < 1.0, "--mode %s: test saliency Gini %g", modes[i], gini);
        char text[8192];
        snprintf(path, sizeof path, "%s/config.json", out);
        sc_test_read_file(path, text, sizeof text);
        char needle[64];
        snprintf(needle, sizeof needle, "\"mode\": \"%s\"", modes[i]);
        ck_assert_msg(strstr(text, needle) != NULL, "config.json lacks %s: %s", needle, text);
        ck_assert_ptr_nonnull(strstr(text, "\"valid_lo\""));
        snprintf(path, sizeof path, "%s/log.jsonl", out);
        sc_test_read_file(path, text, sizeof text);
        ck_assert_ptr_nonnull(strstr(text, "\"kl\":"));
        ck_assert_ptr_nonnull(strstr(text, "\"train_saliency_gini\":"));
    }
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_bad_files) {
    char dir[256], data[300], out[300], path[400];
    ck_assert_ptr_nonnull(sc_test_tmpdir("cli-files", dir, sizeof dir));
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(out, sizeof out, "%s/run", dir);
    mkdir(data, 0755);
    expect_input_error(dir, (const char *const[]){"train", "--dataset", "mnist", "--data",
                                                  "/nonexistent/scaat", "--out", out, NULL},
                       "/nonexistent/scaat");
    ck_assert_int_eq(sc_synthetic_write_idx(data, 64, 32, 10, 28, 1), 0);
    snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte", data);
    ck_assert_int_eq(truncate(path, 1000), 0);
    expect_input_error(dir, (const char *const[]){"train", "--dataset", "mnist", "--data", data,
                                                  "--out", out, NULL},
                       "t10k-images-idx3-ubyte");
    snprintf(path, sizeof path, "%s/checkpoint-last.safetensors", out);
    ck_assert_msg(!sc_test_file_exists(path), "a failed run left %s behind", path);

    expect_input_error(dir, (const char *const[]){"eval", "--checkpoint", "/nonexistent.safetensors", NULL},
                       "/nonexistent.safetensors");
    snprintf(path, sizeof path, "%s/garbage.safetensors", dir);
    ck_assert_int_eq(sc_file_write_atomic(path, "\x10\0\0\0\0\0\0\0{not json at all", 24, NULL), SC_OK);
    expect_input_error(dir, (const char *const[]){"eval", "--checkpoint", path, NULL}, path);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_train_then_eval_agree) {
    char dir[256], data[300], out[300], eval_out[300], ckpt[400], path[400];
    sc_check_cli_mnist("cli-train", dir, data, 256, 100, 2);
    snprintf(out, sizeof out, "%s/run", dir);
    snprintf(eval_out, sizeof eval_out, "%s/eval", dir);
    sc_cli_result r = sc_check_cli(dir, (const char *const[]){
        "train", "--dataset", "mnist", "--data", data, "--model", "resnet8", "--epochs", "1",
        "--batch", "32", "--device", "cpu", "--out", out, NULL});
    ck_assert_msg(r.exit_code == 0, "train failed: %s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "test accuracy"));
    const char *files[] = {"config.json", "log.jsonl", "metrics.json", "checkpoint-last.safetensors",
                           "checkpoint-best.safetensors"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", out, files[i]);
        ck_assert_msg(sc_test_file_exists(path), "%s missing", path);
    }
    snprintf(path, sizeof path, "%s/metrics.json", out);
    double trained = sc_test_json_number(path, "test_accuracy");
    ck_assert(sc_test_json_number(path, "train_images_per_s") > 0);
    ck_assert_int_eq((int)sc_test_json_number(path, "epochs"), 1);
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint-last.safetensors", out);
    r = sc_check_cli(dir, (const char *const[]){"eval", "--checkpoint", ckpt, "--data", data,
                                                "--device", "cpu", "--out", eval_out, NULL});
    ck_assert_msg(r.exit_code == 0, "eval failed: %s", r.err);
    snprintf(path, sizeof path, "%s/metrics.json", eval_out);
    ck_assert_double_eq(sc_test_json_number(path, "test_accuracy"), trained);
    sc_test_rmtree(dir);
}
END_TEST

/* SIGTERM (as Ctrl-C) in the middle of training: checkpoint-last is written, metrics.json
 * says interrupted, exit code 130, and --resume finishes the run. */
START_TEST(test_sigterm_saves_and_resumes) {
    char dir[256], data[300], out[300], exe[1024], log_path[400], path[400];
    sc_check_cli_mnist("cli-signal", dir, data, 2048, 64, 4);
    snprintf(out, sizeof out, "%s/run", dir);
    snprintf(exe, sizeof exe, "%s/scaat", SCAAT_BINARY_DIR);
    snprintf(log_path, sizeof log_path, "%s/log.jsonl", out);
    char *argv[] = {exe, "train", "--dataset", "mnist", "--data", data, "--batch", "32",
                    "--epochs", "20", "--log-every", "1", "--device", "cpu", "--out", out, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    ck_assert_int_eq(posix_spawn(&pid, exe, &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    struct stat st;
    for (int i = 0; i < 600 && (stat(log_path, &st) != 0 || st.st_size < 200); i++)
        nanosleep(&(struct timespec){0, 100000000}, NULL); /* until a few steps are logged */
    kill(pid, SIGTERM);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 130, "expected exit 130, status %d", status);
    snprintf(path, sizeof path, "%s/metrics.json", out);
    ck_assert(sc_test_json_number(path, "global_step") >= 1);
    char ckpt[400];
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint-last.safetensors", out);
    ck_assert(sc_test_file_exists(ckpt));
    sc_cli_result r = sc_check_cli(dir, (const char *const[]){
        "train", "--dataset", "mnist", "--data", data, "--batch", "32", "--epochs", "1",
        "--device", "cpu", "--out", out, "--resume", ckpt, NULL});
    ck_assert_msg(r.exit_code == 0, "resume failed: %s", r.err);
    ck_assert_int_eq((int)sc_test_json_number(path, "global_step"), 64);
    sc_test_rmtree(dir);
}
END_TEST

int main(void) {
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_usage_errors);
    tcase_add_test(tc, test_mode_option_errors);
    tcase_add_test(tc, test_every_mode_trains);
    tcase_add_test(tc, test_bad_files);
    tcase_add_test(tc, test_train_then_eval_agree);
    tcase_add_test(tc, test_sigterm_saves_and_resumes);
    suite_add_tcase(s, tc);
    return sc_check_run(s);
}
