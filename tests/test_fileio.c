/* Atomic file writes and whole-file reads (host/core/fileio.h): a write replaces the file and
 * leaves no temporary file behind; a write that cannot finish (missing directory, failing
 * rename, a file-size limit hit midway) reports the path and leaves the old content; reads
 * honour their size limit. */
#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "host/core/fileio.h"
#include "host/core/safetensors.h"
#include "tests/common/test_util.h"
#include "tests/common/check_run.h"

static void write_text_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
    ck_assert_int_eq(fclose(f), 0);
}

static void assert_file_is(const char *path, const char *text) {
    char *data = NULL;
    size_t len = 0;
    sc_error err = {0};
    ck_assert_msg(sc_file_read_all(path, 1 << 20, &data, &len, &err) == SC_OK, "%s", err.msg);
    ck_assert_uint_eq(len, strlen(text));
    ck_assert_str_eq(data, text);
    free(data);
}

/* ---- atomic writes -------------------------------------------------------------------------- */

START_TEST(test_atomic_write_replaces) {
    char dir[256], path[512], names[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("fileio", dir, sizeof dir));
    snprintf(path, sizeof path, "%s/config.json", dir);
    sc_error err = {0};
    ck_assert_int_eq(sc_file_write_atomic(path, "{\"a\":1}", 7, &err), SC_OK);
    assert_file_is(path, "{\"a\":1}");
    sc_file_chunk chunks[3] = {{"{\"b\"", 4}, {NULL, 0}, {":22}", 4}};
    ck_assert_int_eq(sc_file_write_atomic_chunks(path, chunks, 3, &err), SC_OK);
    assert_file_is(path, "{\"b\":22}");
    ck_assert_int_eq(sc_test_dir_entries(dir, names, sizeof names), 1);
    ck_assert_str_eq(names, "config.json ");
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_atomic_write_missing_directory) {
    char dir[256], path[512], names[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("fileio", dir, sizeof dir));
    snprintf(path, sizeof path, "%s/missing/metrics.json", dir);
    sc_error err = {0};
    ck_assert_int_eq(sc_file_write_atomic(path, "{}", 2, &err), SC_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, path));
    ck_assert_ptr_nonnull(strstr(err.msg, "No such file or directory"));
    ck_assert_int_eq(sc_test_dir_entries(dir, names, sizeof names), 0);

    /* a safetensors file into it: the same error, nothing left */
    sc_st_writer w;
    sc_st_writer_init(&w);
    float x = 1.0f;
    ck_assert_int_eq(sc_st_writer_add(&w, "x", SC_ST_F32, 0, NULL, &x, &err), SC_OK);
    snprintf(path, sizeof path, "%s/missing/ckpt.safetensors", dir);
    ck_assert_int_eq(sc_st_writer_write(&w, path, &err), SC_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "ckpt.safetensors"));
    sc_st_writer_free(&w);

    /* a parent that is a file */
    char file[512];
    snprintf(file, sizeof file, "%s/plain", dir);
    write_text_file(file, "x");
    snprintf(path, sizeof path, "%s/plain/a.json", dir);
    ck_assert_int_eq(sc_file_write_atomic(path, "{}", 2, &err), SC_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "Not a directory"));
    ck_assert_int_eq(sc_test_dir_entries(dir, names, sizeof names), 1);
    ck_assert_str_eq(names, "plain ");
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_atomic_write_rename_fails) {
    /* the target is a non-empty directory: the rename fails after the data was written */
    char dir[256], target[512], inner[600], names[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("fileio", dir, sizeof dir));
    snprintf(target, sizeof target, "%s/out", dir);
    ck_assert_int_eq(mkdir(target, 0755), 0);
    snprintf(inner, sizeof inner, "%s/keep", target);
    write_text_file(inner, "k");
    sc_error err = {0};
    ck_assert_int_eq(sc_file_write_atomic(target, "data", 4, &err), SC_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "renaming the temporary file"));
    ck_assert_int_eq(sc_test_dir_entries(dir, names, sizeof names), 1); /* no temporary file */
    ck_assert_str_eq(names, "out ");
    assert_file_is(inner, "k");
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_atomic_write_fails_midway) {
    /* a file size limit makes write() fail part way: the old file stays, the temp goes */
    char dir[256], path[512], names[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("fileio", dir, sizeof dir));
    snprintf(path, sizeof path, "%s/ckpt.bin", dir);
    write_text_file(path, "old content");
    size_t len = 65536;
    char *big = malloc(len);
    memset(big, 'x', len);
    struct rlimit old_limit, limit;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
    limit = old_limit;
    limit.rlim_cur = 4096;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &limit), 0);
    sc_error err = {0};
    sc_status st = sc_file_write_atomic(path, big, len, &err);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old_limit), 0);
    signal(SIGXFSZ, old_handler);
    free(big);
    ck_assert_int_eq(st, SC_ERR_WRITE);
    ck_assert_ptr_nonnull(strstr(err.msg, "writing the temporary file"));
    ck_assert_ptr_nonnull(strstr(err.msg, "failed after 4096 of 65536 bytes"));
    assert_file_is(path, "old content");
    ck_assert_int_eq(sc_test_dir_entries(dir, names, sizeof names), 1);
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(test_read_all_limits) {
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("fileio", dir, sizeof dir));
    snprintf(path, sizeof path, "%s/t.txt", dir);
    write_text_file(path, "0123456789");
    char *data = NULL;
    size_t len = 0;
    sc_error err = {0};
    ck_assert_int_eq(sc_file_read_all(path, 10, &data, &len, &err), SC_OK);
    ck_assert_uint_eq(len, 10);
    ck_assert_str_eq(data, "0123456789"); /* NUL-terminated */
    free(data);
    ck_assert_int_eq(sc_file_read_all(path, 9, &data, &len, &err), SC_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "the file is 10 bytes, over the limit of 9"));
    ck_assert_ptr_null(data);
    ck_assert_int_eq(sc_file_read_all(dir, 100, &data, &len, &err), SC_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "it is a directory"));
    snprintf(path, sizeof path, "%s/none.txt", dir);
    ck_assert_int_eq(sc_file_read_all(path, 100, &data, &len, &err), SC_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot open"));
    ck_assert_ptr_nonnull(strstr(err.msg, "No such file or directory"));
    /* a file whose size stat does not know: read to the end, still limited */
    ck_assert_int_eq(sc_file_read_all("/proc/self/status", 1 << 20, &data, &len, &err), SC_OK);
    ck_assert_uint_gt(len, 0);
    ck_assert_ptr_nonnull(strstr(data, "Name:"));
    free(data);
    ck_assert_int_eq(sc_file_read_all("/proc/self/status", 16, &data, &len, &err), SC_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "over the limit of 16 bytes"));
    sc_test_rmtree(dir);
}
END_TEST

int main(void) {
    Suite *s = suite_create("fileio");
    TCase *tc = tcase_create("fileio");
    tcase_add_test(tc, test_atomic_write_replaces);
    tcase_add_test(tc, test_atomic_write_missing_directory);
    tcase_add_test(tc, test_atomic_write_rename_fails);
    tcase_add_test(tc, test_atomic_write_fails_midway);
    tcase_add_test(tc, test_read_all_limits);
    suite_add_tcase(s, tc);
    return sc_check_run(s);
}
