/* Data-parallel training with two MPI ranks on the CPU backend (mpirun --oversubscribe -np 2),
 * against one process with the same global batch:
 * - with --sync-bn, 20 steps give the same losses (1e-5 relative) and the same final
 *   parameters and BN running statistics (|a - b| <= 1e-5 (1 + |a|));
 * - only rank 0 writes the run directory (one log line per step, metrics.json says 2 ranks);
 * - stopped mid-epoch and resumed with the same world size, the run logs the uninterrupted
 *   run's losses exactly (and rank 1 prints nothing: notes and progress are rank 0's);
 *   resumed by one process instead (--sync-bn), within 1e-5;
 * - without --sync-bn a short run trains (the loss falls, the test accuracy is far above
 *   chance), and gives the same bits with ~30 small gradient buckets, all-reduced during the
 *   backward pass (--grad-overlap on) or after it; a --batch that no rank accepts is one
 *   error line, from rank 0;
 * - a rank that cannot read its data (test hook SCAAT_TEST_BAD_DATA_RANK=1) ends both ranks
 *   with its error line and a non-zero exit within seconds.
 * Exits 77 (skipped) in a build without MPI. */
#include <check.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/synthetic_data.h"
#include "common/test_util.h"
#include "host/core/safetensors.h"
#include "host/dist/dist.h"
#include "tests/common/check_cli.h"
#include "tests/common/check_run.h"

extern char **environ;

#define RUN_TIMEOUT_S 120
#define MAX_STEPS 64

/* Runs argv (NULL-terminated) with stdout and stderr into err_path; returns the exit code,
 * -2 when it had to be killed after RUN_TIMEOUT_S, -1 when it could not start. *seconds gets
 * the wall time. */
static int run_command(char *const *argv, const char *err_path, double *seconds) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1;
    int status = 0;
    for (int waited = 0;; waited++) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (waited > RUN_TIMEOUT_S * 20) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -2;
        }
        nanosleep(&(struct timespec){0, 50000000}, NULL);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    *seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

typedef struct job {
    char data[300];
    char scaat[1024];
    const char *rank_output; /* non-NULL: each rank's stdout / stderr into files under it
                                (Open MPI's --output-filename: DIR/1/rank.R/stderr) */
} job;

/* scaat train on the synthetic data with `ranks` processes (1: without mpirun) and the
 * extra options (NULL-terminated); returns the exit code. */
static int train(const job *j, int ranks, const char *out, const char *const *extra,
                 char *log, size_t log_len, double *seconds) {
    char *argv[64];
    int n = 0;
    char np[8];
    snprintf(np, sizeof np, "%d", ranks);
    if (ranks > 1) {
        const char *launcher[] = {SCAAT_MPIEXEC, "--oversubscribe", "--allow-run-as-root",
                                  "--mca", "mpi_yield_when_idle", "1",
                                  "-x", "OMP_NUM_THREADS", "-x", "SCAAT_TEST_STOP_AFTER_STEPS",
                                  "-x", "SCAAT_TEST_BAD_DATA_RANK", "-np", np};
        for (size_t i = 0; i < sizeof launcher / sizeof launcher[0]; i++)
            argv[n++] = (char *)launcher[i];
        if (j->rank_output) {
            argv[n++] = "--output-filename";
            argv[n++] = (char *)j->rank_output;
        }
    }
    const char *base[] = {j->scaat, "train", "--dataset", "mnist", "--data", j->data, "--model",
                          "resnet8", "--limit-train", "320", "--limit-test", "64", "--batch", "16",
                          "--epochs", "1", "--log-every", "1", "--device", "cpu", "--threads",
                          "1", "--warmup-epochs", "0", "--out", out};
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
        argv[n++] = (char *)base[i];
    for (int i = 0; extra && extra[i]; i++)
        argv[n++] = (char *)extra[i];
    argv[n] = NULL;
    char err_path[400];
    snprintf(err_path, sizeof err_path, "%s.stderr", out);
    int code = run_command(argv, err_path, seconds);
    sc_test_read_file(err_path, log, log_len);
    return code;
}

/* The losses of the step lines of a log.jsonl, by global step (1-based); returns the count. */
static int read_losses(const char *run, double *loss_by_step, int *lines) {
    char path[400];
    snprintf(path, sizeof path, "%s/log.jsonl", run);
    FILE *f = fopen(path, "r");
    int count = 0;
    *lines = 0;
    if (!f)
        return 0;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        (*lines)++;
        const char *step = strstr(line, "\"step\":"), *loss = strstr(line, "\"loss\":");
        if (!strstr(line, "\"type\":\"step\"") || !step || !loss)
            continue;
        int s = atoi(step + 7);
        if (s >= 1 && s < MAX_STEPS) {
            loss_by_step[s] = strtod(loss + 7, NULL);
            count++;
        }
    }
    fclose(f);
    return count;
}

/* Every parameter and BN running statistic of checkpoint a within |a - b| <= tol (1 + |a|)
 * of b's. */
static void expect_same_checkpoint(const char *a_path, const char *b_path, double tol) {
    sc_st_file a, b;
    sc_error err;
    ck_assert_msg(sc_st_open(&a, a_path, &err) == SC_OK, "%s", err.msg);
    ck_assert_msg(sc_st_open(&b, b_path, &err) == SC_OK, "%s", err.msg);
    ck_assert_int_eq((int)a.count, (int)b.count);
    for (size_t i = 0; i < a.count; i++) {
        const sc_st_entry *ea = &a.entries[i], *eb = sc_st_find(&b, ea->name);
        ck_assert_msg(eb && eb->numel == ea->numel, "%s missing or reshaped", ea->name);
        if (ea->dtype != SC_ST_F32 || strncmp(ea->name, "optim.", 6) == 0)
            continue; /* momentum buffers hold the last gradients, whose sums cancel */
        for (int64_t k = 0; k < ea->numel; k++) {
            float va, vb;
            memcpy(&va, (const char *)ea->data + 4 * k, 4);
            memcpy(&vb, (const char *)eb->data + 4 * k, 4);
            ck_assert_msg(fabs((double)va - vb) <= tol * (1.0 + fabs((double)va)),
                          "%s[%lld]: %.9g (%s) vs %.9g (%s)", ea->name, (long long)k,
                          (double)va, a_path, (double)vb, b_path);
        }
    }
    sc_st_close(&a);
    sc_st_close(&b);
}

static void job_init(job *j, const char *dir) {
    snprintf(j->data, sizeof j->data, "%s/data", dir);
    snprintf(j->scaat, sizeof j->scaat, "%s/scaat", SCAAT_BINARY_DIR);
    j->rank_output = NULL;
    ck_assert_int_eq(mkdir(j->data, 0755), 0);
    ck_assert_int_eq(sc_synthetic_write_idx(j->data, 320, 64, 10, 28, 3), 0);
    setenv("OMP_NUM_THREADS", "1", 1);
    setenv("SCAAT_TEST_STOP_AFTER_STEPS", "0", 1);
    setenv("SCAAT_TEST_BAD_DATA_RANK", "-1", 1);
}

START_TEST(test_sync_bn_matches_one_rank_and_resumes) {
    char dir[256], one[300], two[300], split[300], moved[300], log[4096], path[400], path2[400];
    ck_assert_ptr_nonnull(sc_test_tmpdir("dist-mpi", dir, sizeof dir));
    job j;
    job_init(&j, dir);
    snprintf(one, sizeof one, "%s/one", dir);
    snprintf(two, sizeof two, "%s/two", dir);
    snprintf(split, sizeof split, "%s/split", dir);
    snprintf(moved, sizeof moved, "%s/moved", dir);
    const char *sync[] = {"--lr", "0.0005", "--sync-bn", NULL};
    double seconds;
    ck_assert_msg(train(&j, 1, one, sync, log, sizeof log, &seconds) == 0, "1 rank: %s", log);
    ck_assert_msg(train(&j, 2, two, sync, log, sizeof log, &seconds) == 0, "2 ranks: %s", log);
    double a[MAX_STEPS] = {0}, b[MAX_STEPS] = {0}, c[MAX_STEPS] = {0};
    int lines_a, lines_b, lines_c;
    ck_assert_int_eq(read_losses(one, a, &lines_a), 20);
    ck_assert_int_eq(read_losses(two, b, &lines_b), 20);
    for (int s = 1; s <= 20; s++)
        ck_assert_msg(fabs(a[s] - b[s]) <= 1e-5 * fabs(a[s]), "step %d: loss %.9g (1 rank) vs "
                      "%.9g (2 ranks)", s, a[s], b[s]);
    ck_assert_msg(a[20] < a[1], "the loss did not fall: %g -> %g", a[1], a[20]);
    snprintf(path, sizeof path, "%s/checkpoint-last.safetensors", one);
    snprintf(path2, sizeof path2, "%s/checkpoint-last.safetensors", two);
    expect_same_checkpoint(path, path2, 1e-5);
    /* rank 0 alone wrote: one line per step and one for the epoch, 2 ranks in metrics.json */
    ck_assert_int_eq(lines_b, lines_a);
    ck_assert_int_eq(lines_b, 21);
    snprintf(path, sizeof path, "%s/metrics.json", two);
    ck_assert_int_eq((int)sc_test_json_number(path, "ranks"), 2);
    ck_assert(sc_test_json_number(path, "comm_seconds") > 0.0);
    /* stopped after 7 steps, then resumed with 2 ranks: the uninterrupted run's losses */
    setenv("SCAAT_TEST_STOP_AFTER_STEPS", "7", 1);
    int code = train(&j, 2, split, sync, log, sizeof log, &seconds);
    setenv("SCAAT_TEST_STOP_AFTER_STEPS", "0", 1);
    ck_assert_msg(code == 130, "expected exit 130 after the stop hook, got %d: %s", code, log);
    snprintf(path, sizeof path, "%s/checkpoint-last.safetensors", split);
    const char *resume[] = {"--lr", "0.0005", "--sync-bn", "--resume", path, NULL};
    char ranks_dir[300], rank_err[400], rank_log[4096];
    snprintf(ranks_dir, sizeof ranks_dir, "%s/ranks", dir);
    j.rank_output = ranks_dir;
    ck_assert_msg(train(&j, 2, split, resume, log, sizeof log, &seconds) == 0, "resume: %s", log);
    j.rank_output = NULL;
    /* rank 0 printed the notes and the progress; rank 1, on a good run, nothing at all */
    snprintf(rank_err, sizeof rank_err, "%s/1/rank.0/stderr", ranks_dir);
    sc_test_read_file(rank_err, rank_log, sizeof rank_log);
    ck_assert_msg(strstr(rank_log, "resuming from"), "rank 0's stderr: %s", rank_log);
    snprintf(rank_err, sizeof rank_err, "%s/1/rank.1/stderr", ranks_dir);
    sc_test_read_file(rank_err, rank_log, sizeof rank_log);
    ck_assert_msg(rank_log[0] == '\0', "rank 1 printed on a good run: %s", rank_log);
    ck_assert_int_eq(read_losses(split, c, &lines_c), 20);
    for (int s = 1; s <= 20; s++)
        ck_assert_msg(c[s] == b[s], "step %d: %.17g resumed vs %.17g uninterrupted", s, c[s],
                      b[s]);
    /* stopped with 2 ranks, resumed by 1 process: the same global batches and statistics */
    setenv("SCAAT_TEST_STOP_AFTER_STEPS", "7", 1);
    code = train(&j, 2, moved, sync, log, sizeof log, &seconds);
    setenv("SCAAT_TEST_STOP_AFTER_STEPS", "0", 1);
    ck_assert_msg(code == 130, "expected exit 130 after the stop hook, got %d: %s", code, log);
    snprintf(path, sizeof path, "%s/checkpoint-last.safetensors", moved);
    ck_assert_msg(train(&j, 1, moved, resume, log, sizeof log, &seconds) == 0, "%s", log);
    ck_assert_int_eq(read_losses(moved, c, &lines_c), 20);
    for (int s = 1; s <= 20; s++)
        ck_assert_msg(fabs(c[s] - b[s]) <= 1e-5 * fabs(b[s]), "step %d: %.9g resumed by 1 rank "
                      "vs %.9g", s, c[s], b[s]);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_per_rank_bn_trains) {
    char dir[256], out[300], log[4096], path[400];
    ck_assert_ptr_nonnull(sc_test_tmpdir("dist-mpi-train", dir, sizeof dir));
    job j;
    job_init(&j, dir);
    snprintf(out, sizeof out, "%s/run", dir);
    const char *opts[] = {"--lr", "0.2", NULL};
    double seconds;
    ck_assert_msg(train(&j, 2, out, opts, log, sizeof log, &seconds) == 0, "%s", log);
    double loss[MAX_STEPS] = {0};
    int lines;
    ck_assert_int_eq(read_losses(out, loss, &lines), 20);
    ck_assert_msg(loss[20] < 0.8 * loss[1], "loss %g -> %g", loss[1], loss[20]);
    snprintf(path, sizeof path, "%s/metrics.json", out);
    ck_assert_msg(sc_test_json_number(path, "test_accuracy") > 0.8, "test accuracy %g",
                  sc_test_json_number(path, "test_accuracy"));
    /* ~30 buckets of 0.01 MiB, all-reduced during the backward pass or after it: the same
     * sums of the same two gradients, so the same bits as one 25 MiB bucket */
    char small_on[300], small_off[300], ckpt[400], ckpt2[400];
    snprintf(small_on, sizeof small_on, "%s/small-on", dir);
    snprintf(small_off, sizeof small_off, "%s/small-off", dir);
    const char *on[] = {"--lr", "0.2", "--bucket-mb", "0.01", NULL};
    const char *off[] = {"--lr", "0.2", "--bucket-mb", "0.01", "--grad-overlap", "off", NULL};
    ck_assert_msg(train(&j, 2, small_on, on, log, sizeof log, &seconds) == 0, "%s", log);
    ck_assert_msg(train(&j, 2, small_off, off, log, sizeof log, &seconds) == 0, "%s", log);
    double loss_on[MAX_STEPS] = {0}, loss_off[MAX_STEPS] = {0};
    ck_assert_int_eq(read_losses(small_on, loss_on, &lines), 20);
    ck_assert_int_eq(read_losses(small_off, loss_off, &lines), 20);
    for (int s = 1; s <= 20; s++)
        ck_assert_msg(loss_on[s] == loss[s] && loss_off[s] == loss[s], "step %d: %.17g (one "
                      "bucket), %.17g (small, overlapped), %.17g (small, after the backward)", s,
                      loss[s], loss_on[s], loss_off[s]);
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint-last.safetensors", out);
    snprintf(ckpt2, sizeof ckpt2, "%s/checkpoint-last.safetensors", small_on);
    expect_same_checkpoint(ckpt, ckpt2, 0.0);
    /* a global batch that does not divide by the ranks is refused on every rank */
    const char *odd[] = {"--batch", "15", NULL};
    int code = train(&j, 2, out, odd, log, sizeof log, &seconds);
    ck_assert_msg(code == 2 && strstr(log, "must divide by the 2 ranks"), "exit %d: %s", code, log);
    /* every rank failed the same way: rank 0 alone says so, in one line without a rank */
    const char *first = strstr(log, "scaat: error:");
    ck_assert_msg(first && !strstr(first + 1, "scaat: error:") && !strstr(log, "rank 1 of 2") &&
                  !strstr(log, "MPI_ABORT"), "expected one error line: %s", log);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_failing_rank_ends_the_job) {
    char dir[256], out[300], log[4096];
    ck_assert_ptr_nonnull(sc_test_tmpdir("dist-mpi-fail", dir, sizeof dir));
    job j;
    job_init(&j, dir);
    snprintf(out, sizeof out, "%s/run", dir);
    setenv("SCAAT_TEST_BAD_DATA_RANK", "1", 1);
    double seconds = 0.0;
    int code = train(&j, 2, out, NULL, log, sizeof log, &seconds);
    setenv("SCAAT_TEST_BAD_DATA_RANK", "-1", 1);
    ck_assert_msg(code > 0, "expected a failure, got exit %d: %s", code, log);
    ck_assert_msg(seconds < 30.0, "the job took %.1f s to end", seconds);
    ck_assert_msg(strstr(log, "scaat: error: rank 1 of 2:") && strstr(log, "missing-on-rank-1"),
                  "no error line from rank 1: %s", log);
    sc_test_rmtree(dir);
}
END_TEST

int main(void) {
    if (!sc_dist_mpi_compiled()) {
        printf("built without MPI: skipped\n");
        return 77;
    }
    Suite *s = suite_create("dist-mpi");
    TCase *tc = tcase_create("dist-mpi");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_sync_bn_matches_one_rank_and_resumes);
    tcase_add_test(tc, test_per_rank_bn_trains);
    tcase_add_test(tc, test_failing_rank_ends_the_job);
    suite_add_tcase(s, tc);
    return sc_check_run(s);
}
