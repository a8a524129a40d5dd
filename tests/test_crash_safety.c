/* Crash safety of a training run, through the command line:
 * - SIGKILL at every durable write (the N-th fsync, injected by strace) and at random moments:
 *   the run directory then holds either no checkpoint or checkpoints that load, checkpoint-last
 *   never records a best accuracy that checkpoint-best does not hold, and resuming (or, with no
 *   checkpoint, starting again) ends with exactly the files of an uninterrupted run: the same
 *   metrics, the same checkpoint-best, the same log.jsonl lines, no temporary files;
 * - a full disk (a file size limit, and ENOSPC from fsync) or a read-only directory while a
 *   checkpoint is saved: a clear error line, the previous checkpoints byte for byte intact,
 *   no temporary file left, and the run resumable from them.
 * The strace parts are skipped with a note where strace cannot trace (it is in
 * tools/install-deps.sh). A tiny run: 128 images, 4 steps per epoch, 2 epochs. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/synthetic_data.h"
#include "common/test_util.h"
#include "host/backend/backend.h"
#include "host/train/checkpoint.h"
#include "tests/common/check_run.h"
#include "tests/common/cli_runner.h"

#define MAX_ARGS 48
#define RANDOM_KILLS 6

typedef struct scenario {
    char dir[256];    /* scratch */
    char data[300];   /* synthetic MNIST-style data */
    char ref_log[16384]; /* the uninterrupted run's log.jsonl without timing */
    double ref_accuracy, ref_best, ref_gini;
    double ref_seconds; /* wall time of one whole run */
    int have_strace;
} scenario;

/* argv for scaat train into out_dir: prefix (strace and its options, may be NULL), then the
 * run's options, then extra (NULL-terminated, may be NULL). */
static int build_args(const scenario *s, const char *const *prefix, const char *out_dir,
                      const char *epochs, const char *const *extra, char **argv) {
    static char exe[1024];
    snprintf(exe, sizeof exe, "%s/scaat", SCAAT_BINARY_DIR);
    int n = 0;
    for (int i = 0; prefix && prefix[i]; i++)
        argv[n++] = (char *)prefix[i];
    const char *run[] = {"train", "--dataset", "mnist", "--data", s->data, "--limit-train", "128",
                         "--limit-test", "64", "--batch", "32", "--epochs", epochs, "--log-every",
                         "3", "--lr-schedule", "constant", "--lr", "0.05", "--warmup-epochs", "0",
                         "--seed", "1", "--device", "cpu", "--threads", "1", "--out", out_dir,
                         NULL};
    argv[n++] = exe;
    for (int i = 0; run[i]; i++)
        argv[n++] = (char *)run[i];
    for (int i = 0; extra && extra[i]; i++)
        argv[n++] = (char *)extra[i];
    argv[n] = NULL;
    ck_assert_int_lt(n, MAX_ARGS);
    return n;
}

typedef struct child_limits {
    rlim_t file_size; /* RLIM_INFINITY: none */
} child_limits;

/* Starts argv with stdout and stderr into dir/out.txt and dir/err.txt; returns the pid. */
static pid_t start(const scenario *s, char **argv, const child_limits *limits) {
    char out_path[400], err_path[400];
    snprintf(out_path, sizeof out_path, "%s/out.txt", s->dir);
    snprintf(err_path, sizeof err_path, "%s/err.txt", s->dir);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
            _exit(126);
        if (strcmp(argv[0], "/usr/bin/strace") == 0) {
            /* LeakSanitizer cannot run under ptrace: a sanitizer build checks leaks elsewhere */
            char options[1024];
            const char *given = getenv("ASAN_OPTIONS");
            snprintf(options, sizeof options, "%s%sdetect_leaks=0", given ? given : "",
                     given && given[0] ? ":" : "");
            setenv("ASAN_OPTIONS", options, 1);
        }
        if (limits) {
            struct rlimit rl = {limits->file_size, limits->file_size};
            signal(SIGXFSZ, SIG_IGN); /* a write past the limit fails with EFBIG instead */
            if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
                _exit(126);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* The wait status of pid. */
static int finish(pid_t pid) {
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return status;
}

static void read_err(const scenario *s, char *buf, size_t len) {
    char path[400];
    snprintf(path, sizeof path, "%s/err.txt", s->dir);
    sc_test_read_file(path, buf, len);
}

/* Runs scaat to the end; fails the test unless it exits 0. */
static void run_ok(const scenario *s, const char *out_dir, const char *epochs,
                   const char *const *extra) {
    char *argv[MAX_ARGS];
    build_args(s, NULL, out_dir, epochs, extra, argv);
    int status = finish(start(s, argv, NULL));
    char err[4096];
    read_err(s, err, sizeof err);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "scaat failed (status %d): %s",
                  status, err);
}

/* log.jsonl without the throughput fields (timing differs run to run). */
static void log_without_timing(const char *out_dir, char *out, size_t len) {
    char path[400], raw[16384];
    snprintf(path, sizeof path, "%s/log.jsonl", out_dir);
    sc_test_read_file(path, raw, sizeof raw);
    size_t used = 0;
    for (const char *p = raw; *p && used + 1 < len;) {
        const char *field = strstr(p, ",\"images_per_s\":");
        size_t n = field ? (size_t)(field - p) : strlen(p);
        if (used + n >= len)
            n = len - used - 1;
        memcpy(out + used, p, n);
        used += n;
        if (!field)
            break;
        p = strchr(field, '}');
        ck_assert_ptr_nonnull(p);
    }
    out[used] = '\0';
}

static int count_temporaries(const char *out_dir) {
    DIR *d = opendir(out_dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strstr(e->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

/* 1 when the checkpoint exists; it must then load into the model it names. */
static int checkpoint_loads(const char *path, sc_checkpoint_meta *meta) {
    if (!sc_test_file_exists(path))
        return 0;
    sc_error err = {0};
    ck_assert_msg(sc_checkpoint_read_meta(path, meta, &err) == SC_OK, "%s", err.msg);
    sc_backend *be;
    ck_assert_int_eq(sc_backend_create("cpu", NULL, &be, &err), SC_OK);
    sc_net *net = NULL;
    ck_assert_msg(sc_model_create(&meta->model, be, meta->seed, &net, &err) == SC_OK, "%s", err.msg);
    ck_assert_msg(sc_checkpoint_load(path, net, 1, &err) == SC_OK, "%s", err.msg);
    sc_net_destroy(net);
    sc_backend_destroy(be);
    return 1;
}

/* After a kill (`what`): the checkpoints left load and agree; then resuming (or starting
 * again) must end with the uninterrupted run's files. */
static void check_and_finish(const scenario *s, const char *out_dir, const char *what) {
    char last[400], best[400], metrics[400];
    snprintf(last, sizeof last, "%s/checkpoint-last.safetensors", out_dir);
    snprintf(best, sizeof best, "%s/checkpoint-best.safetensors", out_dir);
    snprintf(metrics, sizeof metrics, "%s/metrics.json", out_dir);
    sc_checkpoint_meta last_meta, best_meta;
    int has_last = checkpoint_loads(last, &last_meta);
    int has_best = checkpoint_loads(best, &best_meta);
    if (has_last && last_meta.best_accuracy >= 0.0)
        ck_assert_msg(has_best && (best_meta.test_accuracy == last_meta.best_accuracy ||
                                   best_meta.epoch > last_meta.epoch),
                      "%s: checkpoint-last records best %.17g, checkpoint-best %s", what,
                      last_meta.best_accuracy, has_best ? "holds another" : "is missing");
    const char *resume[] = {"--resume", last, NULL};
    run_ok(s, out_dir, "2", has_last ? resume : NULL);
    ck_assert_msg(sc_test_json_number(metrics, "test_accuracy") == s->ref_accuracy &&
                      sc_test_json_number(metrics, "best_test_accuracy") == s->ref_best &&
                      sc_test_json_number(metrics, "test_saliency_gini") == s->ref_gini,
                  "%s: final metrics differ from the uninterrupted run", what);
    ck_assert_msg(checkpoint_loads(best, &best_meta) && best_meta.test_accuracy == s->ref_best,
                  "%s: checkpoint-best does not hold the best accuracy", what);
    char log[16384];
    log_without_timing(out_dir, log, sizeof log);
    ck_assert_msg(strcmp(log, s->ref_log) == 0, "%s: log.jsonl\n%s\ndiffers from\n%s", what, log,
                  s->ref_log);
    ck_assert_msg(count_temporaries(out_dir) == 0, "%s: temporary files left", what);
}

static void fresh_out(const scenario *s, const char *tag, int i, char *out, size_t len) {
    snprintf(out, len, "%s/%s-%d", s->dir, tag, i);
    sc_test_rmtree(out);
}

static int strace_works(void) {
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execl("/usr/bin/strace", "strace", "-qq", "-o", "/dev/null", "-e", "trace=fsync", "true",
              (char *)NULL);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void setup_scenario(scenario *s) {
    ck_assert_ptr_nonnull(sc_test_tmpdir("crash", s->dir, sizeof s->dir));
    snprintf(s->data, sizeof s->data, "%s/data", s->dir);
    ck_assert_int_eq(mkdir(s->data, 0755), 0);
    ck_assert_int_eq(sc_synthetic_write_idx(s->data, 128, 64, 10, 28, 9), 0);
    char ref[400], metrics[400];
    snprintf(ref, sizeof ref, "%s/reference", s->dir);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    run_ok(s, ref, "2", NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    s->ref_seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    snprintf(metrics, sizeof metrics, "%s/metrics.json", ref);
    s->ref_accuracy = sc_test_json_number(metrics, "test_accuracy");
    s->ref_best = sc_test_json_number(metrics, "best_test_accuracy");
    s->ref_gini = sc_test_json_number(metrics, "test_saliency_gini");
    ck_assert(s->ref_accuracy == s->ref_accuracy && s->ref_best == s->ref_best);
    log_without_timing(ref, s->ref_log, sizeof s->ref_log);
    s->have_strace = strace_works();
    if (!s->have_strace)
        fprintf(stderr, "test_crash_safety: strace cannot trace here: the fsync injections are "
                        "skipped\n");
}

START_TEST(test_sigkill_at_every_fsync) {
    scenario s;
    setup_scenario(&s);
    int kills = 0;
    for (int n = 1; s.have_strace && n < 64; n++) {
        char out[320], when[64], what[64];
        fresh_out(&s, "fsync", n, out, sizeof out);
        snprintf(when, sizeof when, "inject=fsync:signal=SIGKILL:when=%d", n);
        const char *prefix[] = {"/usr/bin/strace", "-f", "-qq", "-o", "/dev/null", "-e",
                                "trace=fsync", "-e", when, NULL};
        char *argv[MAX_ARGS];
        build_args(&s, prefix, out, "2", NULL, argv);
        int status = finish(start(&s, argv, NULL));
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            break; /* past the run's last fsync */
        char err[4096];
        read_err(&s, err, sizeof err);
        ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                      "fsync %d: expected a SIGKILL, got status %d: %s", n, status, err);
        kills++;
        snprintf(what, sizeof what, "SIGKILL at fsync %d", n);
        check_and_finish(&s, out, what);
        sc_test_rmtree(out);
    }
    ck_assert(!s.have_strace || kills >= 10); /* config, 2 x (log, best, last), metrics */
    fprintf(stderr, "test_crash_safety: %d runs killed at an fsync, all resumed exactly\n", kills);
    sc_test_rmtree(s.dir);
}
END_TEST

START_TEST(test_sigkill_at_random_moments) {
    scenario s;
    setup_scenario(&s);
    srand(12345);
    for (int i = 0; i < RANDOM_KILLS; i++) {
        char out[320], what[64];
        fresh_out(&s, "random", i, out, sizeof out);
        double at = s.ref_seconds * (0.15 + 0.85 * (double)rand() / RAND_MAX);
        char *argv[MAX_ARGS];
        build_args(&s, NULL, out, "2", NULL, argv);
        pid_t pid = start(&s, argv, NULL);
        struct timespec pause_for = {(time_t)at, (long)((at - (double)(time_t)at) * 1e9)};
        nanosleep(&pause_for, NULL);
        kill(pid, SIGKILL);
        finish(pid);
        snprintf(what, sizeof what, "SIGKILL after %.2f s", at);
        check_and_finish(&s, out, what);
        sc_test_rmtree(out);
    }
    sc_test_rmtree(s.dir);
}
END_TEST

/* The bytes of a file (free() them); *len its size. */
static char *slurp(const char *path, long *len) {
    *len = sc_test_file_size(path);
    ck_assert_int_gt(*len, 0);
    char *buf = malloc((size_t)*len + 1);
    FILE *f = fopen(path, "rb");
    ck_assert(buf && f && fread(buf, 1, (size_t)*len, f) == (size_t)*len);
    fclose(f);
    return buf;
}

/* Resuming the 1-epoch run in out_dir to 2 epochs under a failure: a clear error, the
 * checkpoints unchanged, no temporary file; then a clean resume finishes the run exactly. */
static void expect_save_failure(const scenario *s, const char *out_dir, const char *const *prefix,
                                const child_limits *limits, const char *needle) {
    char last[400], best[400];
    snprintf(last, sizeof last, "%s/checkpoint-last.safetensors", out_dir);
    snprintf(best, sizeof best, "%s/checkpoint-best.safetensors", out_dir);
    long last_len, best_len;
    char *last_before = slurp(last, &last_len), *best_before = slurp(best, &best_len);
    const char *resume[] = {"--resume", last, NULL};
    char *argv[MAX_ARGS];
    build_args(s, prefix, out_dir, "2", resume, argv);
    int status = finish(start(s, argv, limits));
    char err[4096];
    read_err(s, err, sizeof err);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 1,
                  "status %d, expected exit 1 (a runtime failure): %s", status, err);
    const char *last_line = err;
    for (const char *p = err; *p; p++)
        if (p[0] == '\n' && p[1])
            last_line = p + 1;
    ck_assert_msg(strncmp(last_line, "scaat: error: ", 14) == 0 && strstr(last_line, needle) &&
                      strstr(last_line, "checkpoint-"),
                  "expected an error naming the checkpoint and '%s', got: %s", needle, err);
    long len;
    char *after = slurp(last, &len);
    ck_assert_msg(len == last_len && memcmp(after, last_before, (size_t)len) == 0,
                  "checkpoint-last changed");
    free(after);
    after = slurp(best, &len);
    ck_assert_msg(len == best_len && memcmp(after, best_before, (size_t)len) == 0,
                  "checkpoint-best changed");
    free(after);
    free(last_before);
    free(best_before);
    ck_assert_msg(count_temporaries(out_dir) == 0, "temporary files left after: %s", err);
    check_and_finish(s, out_dir, needle);
}

START_TEST(test_full_disk_and_read_only_directory_keep_the_checkpoints) {
    scenario s;
    setup_scenario(&s);
    char out[320];
    fresh_out(&s, "full", 0, out, sizeof out);
    run_ok(&s, out, "1", NULL);
    /* room for the logs and config.json, not for a checkpoint */
    child_limits limits = {65536};
    expect_save_failure(&s, out, NULL, &limits, "File too large");
    if (s.have_strace) {
        /* fsyncs 1-2 write config.json, 3 syncs the log: the 4th is the checkpoint's */
        const char *enospc[] = {"/usr/bin/strace", "-f", "-qq", "-o", "/dev/null", "-e",
                                "trace=fsync", "-e", "inject=fsync:error=ENOSPC:when=4+", NULL};
        fresh_out(&s, "enospc", 0, out, sizeof out);
        run_ok(&s, out, "1", NULL);
        expect_save_failure(&s, out, enospc, NULL, "No space left on device");
        /* rename 1 puts config.json in place, the 2nd a checkpoint */
        const char *read_only[] = {"/usr/bin/strace", "-f", "-qq", "-o", "/dev/null", "-e",
                                   "trace=rename", "-e", "inject=rename:error=EROFS:when=2+",
                                   NULL};
        fresh_out(&s, "readonly", 0, out, sizeof out);
        run_ok(&s, out, "1", NULL);
        expect_save_failure(&s, out, read_only, NULL, "Read-only file system");
    }
    sc_test_rmtree(s.dir);
}
END_TEST

int main(void) {
    Suite *suite = suite_create("crash_safety");
    TCase *tc = tcase_create("crash_safety");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, test_sigkill_at_every_fsync);
    tcase_add_test(tc, test_sigkill_at_random_moments);
    tcase_add_test(tc, test_full_disk_and_read_only_directory_keep_the_checkpoints);
    suite_add_tcase(suite, tc);
    return sc_check_run(suite);
}
