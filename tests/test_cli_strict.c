/* What the command line refuses and what it guards, as a user meets it:
 * - numbers with spaces, '+', hexadecimal, inf/nan or out of single precision; negative seeds;
 *   empty or unordered --milestones; empty --stem / --data; --device cuda without CUDA;
 * - a run directory in use by another run (exit 2, nothing written), for train and for the
 *   --out of eval, explain and evaluate;
 * - non-regular input files (eval --checkpoint /dev/zero);
 * - --eval-batch larger than the test set (capped) and an --out path that is not UTF-8
 *   (written to config.json as \udcXX escapes that read back to the same bytes);
 * - --threads beyond what the system lets the process start (one scaat line). */
#define _DEFAULT_SOURCE /* setgroups */
#include <check.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/test_util.h"
#include "host/backend/backend.h"
#include "host/core/fileio.h"
#include "host/core/json.h"
#include "host/train/run_lock.h"
#include "tests/common/check_cli.h"
#include "tests/common/check_run.h"

static void expect_input_error(const char *scratch, const char *const *args, const char *needle) {
    sc_check_cli_input_error(scratch, args, needle, NULL);
}

START_TEST(test_numbers_and_lists_are_strict) {
    char dir[256];
    ck_assert_ptr_nonnull(sc_test_tmpdir("cli-strict", dir, sizeof dir));
    const char *const refused[][2] = {
        {"--epochs", " 3"},     {"--epochs", "+3"},      {"--epochs", "3 "},
        {"--epochs", "0x10"},   {"--batch", "1e3"},      {"--seed", " -1"},
        {"--seed", "-1"},       {"--seed", "+1"},        {"--seed", "18446744073709551616"},
        {"--lr", "0x1p-3"},     {"--lr", "1e-50"},       {"--lr", "inf"},
        {"--lr", "nan"},        {"--lr", " 0.1"},        {"--lr", "+0.1"},
        {"--lr", "1e999"},      {"--lr", "0.1."},        {"--momentum", "."},
        {"--milestones", ""},   {"--milestones", "1,"},  {"--milestones", "2,1"},
        {"--milestones", "1,1"}, {"--milestones", ",1"}, {"--milestones", "1,,2"},
        {"--stem", ""},         {"--data", ""},          {"--out", ""},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        expect_input_error(dir, (const char *const[]){"train", refused[i][0], refused[i][1], NULL},
                           refused[i][0]);
    expect_input_error(dir, (const char *const[]){"train", "--lr", "1e-50", NULL},
                       "too small for single precision");
    /* what stays accepted: a refused call would exit 2 before any data is read */
    sc_cli_result r = sc_check_cli(dir, (const char *const[]){"train", "--lr", "1e-3", "--seed",
                                                              "18446744073709551615", "--milestones",
                                                              "1,5,30", "--lr-schedule", "multistep",
                                                              "--data", "/nonexistent", NULL});
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_msg(strstr(r.err, "/nonexistent") != NULL, "%s", r.err);
    if (!sc_backend_cuda_compiled())
        expect_input_error(dir, (const char *const[]){"train", "--device", "cuda", NULL},
                           "no CUDA backend");
    expect_input_error(dir, (const char *const[]){"eval", "--checkpoint", "/dev/zero", NULL},
                       "expected a regular file");
    sc_test_rmtree(dir);
}
END_TEST

/* A training run of 2 steps on the synthetic data in data, writing out_dir. */
static sc_cli_result train_tiny(const char *scratch, const char *data, const char *out_dir,
                                const char *eval_batch) {
    return sc_check_cli(scratch, (const char *const[]){
        "train", "--dataset", "mnist", "--data", data, "--limit-train", "64", "--limit-test", "32",
        "--batch", "32", "--eval-batch", eval_batch, "--epochs", "1", "--device", "cpu",
        "--threads", "1", "--out", out_dir, NULL});
}

START_TEST(test_run_directory_guards) {
    char dir[256], data[300], out[320], path[400];
    sc_check_cli_mnist("cli-rundir", dir, data, 64, 32, 5);
    /* a directory another run holds is refused before anything is written into it */
    snprintf(out, sizeof out, "%s/busy", dir);
    ck_assert_int_eq(mkdir(out, 0755), 0);
    sc_run_lock lock = {0};
    sc_error err = {0};
    ck_assert_msg(sc_run_lock_acquire(&lock, out, &err) == SC_OK, "%s", err.msg);
    sc_cli_result r = train_tiny(dir, data, out, "32");
    ck_assert_msg(r.exit_code == 2 && strstr(r.err, "in use by another run"), "exit %d: %s",
                  r.exit_code, r.err);
    snprintf(path, sizeof path, "%s/config.json", out);
    ck_assert(!sc_test_file_exists(path));
    sc_run_lock_release(&lock);

    /* --out with bytes that are not UTF-8, and an evaluation batch past the 32 test images */
    snprintf(out, sizeof out, "%s/run-\xff\xfe-\xc3\xa9", dir);
    r = train_tiny(dir, data, out, "1000000");
    ck_assert_msg(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    snprintf(path, sizeof path, "%s/config.json", out);
    char *text = NULL;
    size_t len = 0;
    ck_assert_int_eq(sc_file_read_all(path, 1 << 20, &text, &len, &err), SC_OK);
    ck_assert_msg(strstr(text, "run-\\udcff\\udcfe-\xc3\xa9") != NULL, "%s", text);
    sc_json_doc doc;
    ck_assert_msg(sc_json_parse(&doc, text, len, path, &err) == SC_OK, "%s", err.msg);
    ck_assert_str_eq(sc_json_get_string(sc_json_object_get(doc.root, "out_dir")), out);
    int64_t eval_batch = 0;
    ck_assert(sc_json_get_i64(sc_json_object_get(doc.root, "eval_batch"), &eval_batch));
    ck_assert_int_eq(eval_batch, 32);
    sc_json_doc_free(&doc);
    free(text);

    /* eval, explain and evaluate refuse an --out that a run holds, and write nothing there */
    char ckpt[400], busy[320];
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint-last.safetensors", out);
    snprintf(busy, sizeof busy, "%s/busy", dir);
    ck_assert_msg(sc_run_lock_acquire(&lock, busy, &err) == SC_OK, "%s", err.msg);
    const char *const commands[][16] = {
        {"eval", "--checkpoint", ckpt, "--data", data, "--device", "cpu", "--out", busy, NULL},
        {"explain", "--checkpoint", ckpt, "--data", data, "--method", "gradient", "--indices",
         "0,1", "--device", "cpu", "--out", busy, NULL},
        {"evaluate", "--checkpoint", ckpt, "--data", data, "--method", "gradient", "--metrics",
         "gini", "--limit", "4", "--device", "cpu", "--out", busy, NULL}};
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
        r = sc_check_cli(dir, commands[c]);
        ck_assert_msg(r.exit_code == 2 && strstr(r.err, "in use by another run"), "%s: exit %d: %s",
                      commands[c][0], r.exit_code, r.err);
        char names[256];
        ck_assert_int_eq(sc_test_dir_entries(busy, names, sizeof names), 1); /* run.lock */
    }
    sc_run_lock_release(&lock);
    /* free again: eval writes its metrics there */
    r = sc_check_cli(dir, commands[0]);
    ck_assert_msg(r.exit_code == 0, "eval: exit %d: %s", r.exit_code, r.err);
    snprintf(path, sizeof path, "%s/metrics.json", busy);
    ck_assert(sc_test_file_exists(path));
    sc_test_rmtree(dir);
}
END_TEST

/* Runs scaat --threads `threads` as the unprivileged user 65534 (who runs nothing else) limited
 * to `nproc` processes; returns the exit code with stderr in err, or 77 when that cannot be
 * done: not root (root ignores the limit, and another user's count is unknown), or scaat cannot
 * be run as that user. */
static int run_with_process_limit(const char *threads, long nproc, char *err, size_t len) {
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        if (getuid() != 0 || setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
            _exit(77);
        struct rlimit rl = {(rlim_t)nproc, (rlim_t)nproc};
        if (setrlimit(RLIMIT_NPROC, &rl) != 0)
            _exit(77);
        char exe[1024];
        snprintf(exe, sizeof exe, "%s/scaat", SCAAT_BINARY_DIR);
        execl(exe, exe, "train", "--threads", threads, "--data", "/nonexistent", (char *)NULL);
        _exit(77);
    }
    close(fds[1]);
    size_t used = 0;
    ssize_t n;
    while (used + 1 < len && (n = read(fds[0], err + used, len - 1 - used)) > 0)
        used += (size_t)n;
    err[used] = '\0';
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    ck_assert_msg(WIFEXITED(status), "scaat died of signal %d: %s", WTERMSIG(status), err);
    return WEXITSTATUS(status);
}

START_TEST(test_threads_beyond_the_system_limit) {
    char err[4096];
    int code = run_with_process_limit("200", 40, err, sizeof err);
    if (code == 77)
        return; /* no unprivileged user to run as */
    ck_assert_msg(code == 2 && sc_test_count_lines(err) == 1 &&
                      strstr(err, "scaat: error: option --threads: cannot run 200 threads"),
                  "exit %d: %s", code, err);
    /* within the limit the option is accepted (the run then stops at the missing data) */
    code = run_with_process_limit("4", 40, err, sizeof err);
    ck_assert_msg(code == 2 && strstr(err, "/nonexistent"), "exit %d: %s", code, err);
}
END_TEST

int main(void) {
    Suite *s = suite_create("cli_strict");
    TCase *tc = tcase_create("cli_strict");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_numbers_and_lists_are_strict);
    tcase_add_test(tc, test_run_directory_guards);
    tcase_add_test(tc, test_threads_beyond_the_system_limit);
    suite_add_tcase(s, tc);
    return sc_check_run(s);
}
