/* The run directory's guards, each on its own: the run lock (a second holder refused with the
 * first one named, a killed holder's lock taken over), removal of dead writers' temporary
 * files, cutting log.jsonl back to a checkpoint, checkpoints with bad values refused on load,
 * and non-regular files refused by the whole-file reader. */
#include <check.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/synthetic_data.h"
#include "common/test_util.h"
#include "host/core/fileio.h"
#include "host/train/checkpoint.h"
#include "host/train/run_lock.h"
#include "host/train/run_recover.h"
#include "tests/common/check_run.h"
#include "tests/common/cli_runner.h"

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* A pid that no process has: a child that has exited and been reaped. */
static long dead_pid(void) {
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        _exit(0);
    waitpid(pid, NULL, 0);
    return (long)pid;
}

START_TEST(test_lock_refuses_a_second_holder_and_takes_over_a_dead_one) {
    char dir[256];
    ck_assert_ptr_nonnull(sc_test_tmpdir("lock", dir, sizeof dir));
    sc_error err = {0};
    sc_run_lock first = {0}, second = {0};
    ck_assert_msg(sc_run_lock_acquire(&first, dir, &err) == SC_OK, "%s", err.msg);
    ck_assert_int_eq(sc_run_lock_acquire(&second, dir, &err), SC_ERR_USAGE);
    char pid_text[32];
    snprintf(pid_text, sizeof pid_text, "pid %ld on host", (long)getpid());
    ck_assert_msg(strstr(err.msg, "in use") && strstr(err.msg, pid_text), "%s", err.msg);
    ck_assert_int_eq(second.held, 0);
    sc_run_lock_release(&first);
    ck_assert_msg(sc_run_lock_acquire(&second, dir, &err) == SC_OK, "%s", err.msg);
    sc_run_lock_release(&second);

    /* a holder killed with SIGKILL leaves its lock file; the next run takes it over */
    int ready[2];
    ck_assert_int_eq(pipe(ready), 0);
    pid_t child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        sc_run_lock held = {0};
        sc_error child_err;
        char ok = sc_run_lock_acquire(&held, dir, &child_err) == SC_OK ? 'y' : 'n';
        if (write(ready[1], &ok, 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    char ok = 0;
    ck_assert_int_eq(read(ready[0], &ok, 1), 1);
    ck_assert_int_eq(ok, 'y');
    ck_assert_int_eq(sc_run_lock_acquire(&second, dir, &err), SC_ERR_USAGE);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    ck_assert_msg(sc_run_lock_acquire(&second, dir, &err) == SC_OK, "%s", err.msg);
    sc_run_lock_release(&second);
    close(ready[0]);
    close(ready[1]);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_temporaries_of_dead_writers_are_removed) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("tmpfiles", dir, sizeof dir));
    long gone = dead_pid();
    const char *kept[4];
    char dead_name[128], own_name[128];
    snprintf(dead_name, sizeof dead_name, "checkpoint-last.safetensors.tmp.%ld", gone);
    snprintf(own_name, sizeof own_name, "metrics.json.tmp.%ld", (long)getpid());
    kept[0] = own_name;         /* this process still runs */
    kept[1] = "notes.tmp.12ab"; /* not a pid */
    kept[2] = "log.jsonl";
    kept[3] = "config.json.tmp.1"; /* init runs */
    snprintf(path, sizeof path, "%s/%s", dir, dead_name);
    write_text(path, "partial");
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, kept[i]);
        write_text(path, "x");
    }
    ck_assert_int_eq(sc_run_remove_stale_temporaries(dir), 1);
    snprintf(path, sizeof path, "%s/%s", dir, dead_name);
    ck_assert(!sc_test_file_exists(path));
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, kept[i]);
        ck_assert_msg(sc_test_file_exists(path), "%s was removed", kept[i]);
    }
    ck_assert_int_eq(sc_run_remove_stale_temporaries(dir), 0);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_log_is_cut_back_to_the_checkpoint) {
    char dir[256], other[300], log[400], ckpt[400], elsewhere[400];
    ck_assert_ptr_nonnull(sc_test_tmpdir("logcut", dir, sizeof dir));
    snprintf(other, sizeof other, "%s/other", dir);
    ck_assert_int_eq(mkdir(other, 0755), 0);
    snprintf(log, sizeof log, "%s/log.jsonl", dir);
    snprintf(ckpt, sizeof ckpt, "%s/./checkpoint-last.safetensors", dir);
    snprintf(elsewhere, sizeof elsewhere, "%s/checkpoint-last.safetensors", other);
    write_text(log, "{\"step\":1}\n{\"step\":2}\n{\"step\":3}\n");
    sc_error err = {0};
    int64_t cut = -1;
    /* a checkpoint of another directory, or one that does not know the log: nothing is cut */
    ck_assert_int_eq(sc_run_truncate_log(dir, elsewhere, 11, &cut, &err), SC_OK);
    ck_assert_int_eq(cut, 0);
    ck_assert_int_eq(sc_run_truncate_log(dir, ckpt, -1, &cut, &err), SC_OK);
    ck_assert_int_eq(cut, 0);
    ck_assert_int_eq(sc_test_file_size(log), 33);
    ck_assert_int_eq(sc_run_truncate_log(dir, ckpt, 22, &cut, &err), SC_OK);
    ck_assert_int_eq(cut, 11);
    char text[64];
    sc_test_read_file(log, text, sizeof text);
    ck_assert_str_eq(text, "{\"step\":1}\n{\"step\":2}\n");
    /* a log shorter than the checkpoint says is left alone */
    ck_assert_int_eq(sc_run_truncate_log(dir, ckpt, 40, &cut, &err), SC_OK);
    ck_assert_int_eq(cut, 0);
    ck_assert_int_eq(sc_test_file_size(log), 22);
    sc_test_rmtree(dir);
}
END_TEST

/* Saves a resnet8 whose parameter `name` has `value` at element 0 and expects the load to
 * fail naming the tensor and `needle`. */
static void expect_value_refused(const char *dir, const char *name, float value,
                                 int in_momentum, const char *needle) {
    sc_error err = {0};
    sc_backend *be;
    ck_assert_int_eq(sc_backend_create("cpu", NULL, &be, &err), SC_OK);
    sc_model_spec spec = {{0}, "cifar", 1, 10, 16, 16};
    snprintf(spec.name, sizeof spec.name, "resnet8");
    sc_net *net = NULL;
    ck_assert_msg(sc_model_create(&spec, be, 1, &net, &err) == SC_OK, "%s", err.msg);
    int index = sc_net_find_param(net, name);
    ck_assert_int_ge(index, 0);
    const sc_param *p = &net->params[index];
    char *arena = in_momentum ? net->momentum_arena.base : net->param_arena.base;
    memcpy(arena + p->offset, &value, sizeof value); /* CPU backend: host memory */
    char path[400];
    snprintf(path, sizeof path, "%s/bad.safetensors", dir);
    sc_checkpoint_meta meta = sc_synthetic_checkpoint_meta(10, 16, NULL);
    ck_assert_msg(sc_checkpoint_save(path, net, &meta, 1, &err) == SC_OK, "%s", err.msg);
    ck_assert_int_eq(sc_checkpoint_load(path, net, 1, &err), SC_ERR_FORMAT);
    ck_assert_msg(strstr(err.msg, name) && strstr(err.msg, needle), "%s", err.msg);
    sc_net_destroy(net);
    sc_backend_destroy(be);
}

START_TEST(test_checkpoint_values_are_checked_on_load) {
    char dir[256];
    ck_assert_ptr_nonnull(sc_test_tmpdir("ckptvalues", dir, sizeof dir));
    expect_value_refused(dir, "bn1.running_var", -0.5f, 0, "negative variance");
    expect_value_refused(dir, "bn1.running_mean", NAN, 0, "finite");
    expect_value_refused(dir, "conv1.weight", INFINITY, 0, "finite");
    expect_value_refused(dir, "fc.bias", NAN, 1, "finite"); /* its momentum buffer */
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_reader_refuses_non_regular_files) {
    char *data = NULL;
    size_t len = 0;
    sc_error err = {0};
    ck_assert_int_eq(sc_file_read_all("/dev/zero", 1 << 20, &data, &len, &err), SC_ERR_IO);
    ck_assert_msg(strstr(err.msg, "character device") && strstr(err.msg, "regular file"), "%s",
                  err.msg);
    ck_assert_ptr_null(data);
    ck_assert_int_eq(sc_file_check_regular("/dev/null", &err), SC_ERR_IO);
    ck_assert_int_eq(sc_file_check_regular("/", &err), SC_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "directory"));
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    char fd_path[64];
    snprintf(fd_path, sizeof fd_path, "/proc/self/fd/%d", fds[0]);
    if (sc_test_file_exists(fd_path)) {
        ck_assert_int_eq(sc_file_read_all(fd_path, 1 << 20, &data, &len, &err), SC_ERR_IO);
        ck_assert_ptr_nonnull(strstr(err.msg, "pipe"));
    }
    close(fds[0]);
    close(fds[1]);
}
END_TEST

int main(void) {
    Suite *s = suite_create("run_files");
    TCase *tc = tcase_create("run_files");
    tcase_add_test(tc, test_lock_refuses_a_second_holder_and_takes_over_a_dead_one);
    tcase_add_test(tc, test_temporaries_of_dead_writers_are_removed);
    tcase_add_test(tc, test_log_is_cut_back_to_the_checkpoint);
    tcase_add_test(tc, test_checkpoint_values_are_checked_on_load);
    tcase_add_test(tc, test_reader_refuses_non_regular_files);
    suite_add_tcase(s, tc);
    return sc_check_run(s);
}
