/* `scaat explain` as a user meets it: two checkpoints trained from the command line on
 * synthetic IDX data, every method writing decodable heatmaps, a grid, raw .npy maps and
 * explain.json; and the input errors (exit 2, one line, no output directory). */
#include <check.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/synthetic_data.h"
#include "common/test_util.h"
#include "host/train/checkpoint.h"
#include "tests/common/check_run.h"

extern char **environ;

typedef struct cli_result {
    int exit_code;
    char err[4096]; /* stderr */
    char out[8192]; /* stdout */
} cli_result;

static void read_file_into(const char *path, char *buf, size_t len) {
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, len - 1, f) : 0;
    buf[n] = '\0';
    if (f)
        fclose(f);
}

/* Run build/scaat with args (NULL-terminated), capturing stdout and stderr. */
static cli_result run_scaat(const char *scratch, const char *const *args) {
    char exe[1024], out_path[512], err_path[512];
    snprintf(exe, sizeof exe, "%s/scaat", SCAAT_BINARY_DIR);
    snprintf(out_path, sizeof out_path, "%s/stdout.txt", scratch);
    snprintf(err_path, sizeof err_path, "%s/stderr.txt", scratch);
    char *argv[40];
    int argc = 0;
    argv[argc++] = exe;
    for (int i = 0; args[i] && argc < 39; i++)
        argv[argc++] = (char *)args[i];
    argv[argc] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    cli_result r = {-1, "", ""};
    ck_assert_int_eq(posix_spawn(&pid, exe, &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status), "scaat crashed (signal %d)", WTERMSIG(status));
    r.exit_code = WEXITSTATUS(status);
    read_file_into(out_path, r.out, sizeof r.out);
    read_file_into(err_path, r.err, sizeof r.err);
    return r;
}

static int file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

static long file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void expect_png(const char *path) {
    unsigned char sig[8] = {0};
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s is missing", path);
    ck_assert_int_eq(fread(sig, 1, 8, f), 8);
    fclose(f);
    ck_assert_msg(memcmp(sig, "\x89PNG\r\n\x1a\n", 8) == 0, "%s is not a PNG", path);
}

/* A .npy v1.0 file of a float32 (28, 28) array. */
static void expect_npy(const char *path) {
    unsigned char head[128] = {0};
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s is missing", path);
    ck_assert_int_eq(fread(head, 1, sizeof head, f), sizeof head);
    fclose(f);
    ck_assert_int_eq(memcmp(head, "\x93NUMPY\x01\x00", 8), 0);
    int header_len = head[8] | head[9] << 8;
    ck_assert_int_eq((10 + header_len) % 64, 0);
    ck_assert_int_eq(head[10 + header_len - 1], '\n');
    char dict[128];
    memcpy(dict, head + 10, 100);
    dict[100] = '\0';
    ck_assert_msg(strstr(dict, "'descr': '<f4'") && strstr(dict, "'fortran_order': False") &&
                      strstr(dict, "'shape': (28, 28)"),
                  "header: %s", dict);
    ck_assert_int_eq(file_size(path), 10 + header_len + 28 * 28 * 4);
}

/* A trained run: data in dir/data (28x28, 10 classes), checkpoints dir/<mode>/checkpoint-last. */
static void train(const char *dir, const char *mode) {
    char data[300], out[300];
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(out, sizeof out, "%s/%s", dir, mode);
    cli_result r = run_scaat(dir, (const char *const[]){
        "train", "--dataset", "mnist", "--data", data, "--epochs", "1", "--batch", "16",
        "--mode", mode, "--device", "cpu", "--threads", "2", "--out", out, NULL});
    ck_assert_msg(r.exit_code == 0, "training %s failed: %s", mode, r.err);
}

/* Every method over two checkpoints; --raw with integrated gradients. */
START_TEST(test_every_method_writes_its_files) {
    static const char *const methods[] = {"gradient", "input-x-gradient", "smoothgrad",
                                          "integrated-gradients", "gradcam"};
    char dir[256], data[300], a[300], b[300], out[300], path[500], names[4096];
    ck_assert_ptr_nonnull(sc_test_tmpdir("cli-explain", dir, sizeof dir));
    snprintf(data, sizeof data, "%s/data", dir);
    mkdir(data, 0755);
    ck_assert_int_eq(sc_synthetic_write_idx(data, 64, 16, 10, 28, 4), 0);
    train(dir, "standard");
    train(dir, "sgt");
    snprintf(a, sizeof a, "%s/standard/checkpoint-last.safetensors", dir);
    snprintf(b, sizeof b, "%s/sgt/checkpoint-last.safetensors", dir);
    for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
        int ig = strcmp(methods[m], "integrated-gradients") == 0;
        snprintf(out, sizeof out, "%s/out-%s", dir, methods[m]);
        cli_result r = run_scaat(dir, (const char *const[]){
            "explain", "--checkpoint", a, "--checkpoint", b, "--dataset", "mnist", "--data", data,
            "--method", methods[m], "--indices", "0,5,9", "--samples", "3", "--steps", "4",
            "--internal-batch", "4", "--device", "cpu", "--threads", "2", "--out", out,
            ig ? "--raw" : NULL, NULL});
        ck_assert_msg(r.exit_code == 0, "%s failed: %s", methods[m], r.err);
        ck_assert_ptr_nonnull(strstr(r.err, "3/3 images"));
        const char *ckpts[2] = {"standard-checkpoint-last", "sgt-checkpoint-last"};
        for (int c = 0; c < 2; c++) {
            snprintf(path, sizeof path, "%s/heatmaps/%s", out, ckpts[c]);
            ck_assert_int_eq(sc_test_dir_entries(path, names, sizeof names), 6);
            for (char *name = strtok(names, " "); name; name = strtok(NULL, " ")) {
                snprintf(path, sizeof path, "%s/heatmaps/%s/%s", out, ckpts[c], name);
                expect_png(path);
            }
            snprintf(path, sizeof path, "%s/raw/%s/5.npy", out, ckpts[c]);
            if (ig)
                expect_npy(path);
            else
                ck_assert_msg(!file_exists(path), "raw maps without --raw");
        }
        snprintf(path, sizeof path, "%s/heatmaps/grid.png", out);
        expect_png(path);
        char json[32768];
        snprintf(path, sizeof path, "%s/explain.json", out);
        read_file_into(path, json, sizeof json);
        ck_assert_ptr_nonnull(strstr(json, "\"mode\": \"sgt\""));
        ck_assert_ptr_nonnull(strstr(json, "\"mode\": \"standard\""));
        ck_assert_ptr_nonnull(strstr(json, "\"index\": 9"));
        ck_assert_ptr_nonnull(strstr(json, "\"prediction\""));
        ck_assert(strstr(json, "\"ig_gap\"") ? ig : !ig);
    }
    sc_test_rmtree(dir);
}
END_TEST

static int count_lines(const char *s) {
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* Exit 2, one error line containing needle, and no output directory. */
static void expect_input_error(const char *scratch, const char *out, const char *const *args,
                               const char *needle) {
    cli_result r = run_scaat(scratch, args);
    ck_assert_msg(r.exit_code == 2, "exit %d (stderr: %s)", r.exit_code, r.err);
    ck_assert_msg(count_lines(r.err) == 1, "expected one error line, got: %s", r.err);
    ck_assert_msg(strncmp(r.err, "scaat: error: ", 14) == 0, "not an error line: %s", r.err);
    ck_assert_msg(strstr(r.err, needle) != NULL, "'%s' not in: %s", needle, r.err);
    ck_assert_msg(!file_exists(out), "a refused call created %s", out);
}

/* A freshly initialised resnet8 checkpoint for (1, size, size) images of 10 classes. */
static void write_checkpoint(const char *path, int size) {
    sc_backend *be = NULL;
    sc_error err = {0};
    ck_assert_int_eq(sc_backend_create("cpu", NULL, &be, &err), SC_OK);
    sc_checkpoint_meta meta;
    memset(&meta, 0, sizeof meta);
    meta.model = (sc_model_spec){"resnet8", "cifar", 1, 10, size, size};
    snprintf(meta.dataset, sizeof meta.dataset, "mnist");
    snprintf(meta.mode, sizeof meta.mode, "standard");
    meta.norm_channels = 1;
    meta.norm_mean[0] = 0.1307f;
    meta.norm_std[0] = 0.3081f;
    sc_net *net = NULL;
    ck_assert_int_eq(sc_model_create(&meta.model, be, 1, &net, &err), SC_OK);
    ck_assert_msg(sc_checkpoint_save(path, net, &meta, 0, &err) == SC_OK, "%s", err.msg);
    sc_net_destroy(net);
    sc_backend_destroy(be);
}

START_TEST(test_input_errors) {
    char dir[256], data[300], good[300], other[300], out[300];
    ck_assert_ptr_nonnull(sc_test_tmpdir("cli-explain-errors", dir, sizeof dir));
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(good, sizeof good, "%s/good.safetensors", dir);
    snprintf(other, sizeof other, "%s/other.safetensors", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    mkdir(data, 0755);
    ck_assert_int_eq(sc_synthetic_write_idx(data, 16, 16, 10, 28, 2), 0);
    write_checkpoint(good, 28);
    write_checkpoint(other, 16);
#define EXPLAIN "explain", "--dataset", "mnist", "--data", data, "--device", "cpu", "--out", out
    expect_input_error(dir, out, (const char *const[]){EXPLAIN, "--checkpoint", good, "--method",
                                                       "occlusion", NULL},
                       "unknown saliency method 'occlusion'");
    expect_input_error(dir, out, (const char *const[]){EXPLAIN, "--checkpoint", good, "--checkpoint",
                                                       other, "--method", "gradient", NULL},
                       "1x16x16 images");
    expect_input_error(dir, out, (const char *const[]){EXPLAIN, "--checkpoint", good, "--method",
                                                       "gradient", "--indices", "3,16", NULL},
                       "index 16 is out of range");
    expect_input_error(dir, out, (const char *const[]){EXPLAIN, "--checkpoint", good, "--method",
                                                       "gradient", "--limit", "0", NULL},
                       "--limit");
    expect_input_error(dir, out, (const char *const[]){EXPLAIN, "--checkpoint", "/nonexistent.safetensors",
                                                       "--method", "gradient", NULL},
                       "/nonexistent.safetensors");
    expect_input_error(dir, out, (const char *const[]){"explain", "--dataset", "mnist", "--data",
                                                       "/nonexistent/scaat", "--checkpoint", good,
                                                       "--method", "gradient", "--out", out, NULL},
                       "/nonexistent/scaat");
    expect_input_error(dir, out, (const char *const[]){EXPLAIN, "--checkpoint", good, "--method",
                                                       "gradient", "--target", "best", NULL},
                       "--target");
    expect_input_error(dir, out, (const char *const[]){EXPLAIN, "--method", "gradient", NULL},
                       "--checkpoint");
#undef EXPLAIN
    cli_result r = run_scaat(dir, (const char *const[]){"explain", "--help", NULL});
    ck_assert_int_eq(r.exit_code, 0);
    static const char *const options[] = {"--checkpoint", "--dataset", "--data", "--method",
                                          "--indices", "--limit", "--target", "--samples",
                                          "--noise", "--steps", "--internal-batch", "--batch",
                                          "--raw", "--device", "--threads", "--seed", "--out"};
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
        ck_assert_msg(strstr(r.out, options[i]) != NULL, "--help lacks %s", options[i]);
    sc_test_rmtree(dir);
}
END_TEST

static Suite *cli_explain_suite(void) {
    Suite *s = suite_create("cli_explain");
    TCase *t = tcase_create("explain");
    tcase_set_timeout(t, 600);
    tcase_add_test(t, test_every_method_writes_its_files);
    tcase_add_test(t, test_input_errors);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return sc_check_run(cli_explain_suite()); }
