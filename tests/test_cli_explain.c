/* `scaat explain` as a user meets it: two checkpoints trained from the command line on
 * synthetic IDX data, every method writing decodable heatmaps, a grid, raw .npy maps and
 * explain.json; and the input errors (exit 2, one line, no output directory). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/synthetic_data.h"
#include "common/test_util.h"
#include "host/train/checkpoint.h"
#include "tests/common/check_cli.h"
#include "tests/common/check_run.h"

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
    ck_assert_int_eq(sc_test_file_size(path), 10 + header_len + 28 * 28 * 4);
}

/* A trained run: data in dir/data (28x28, 10 classes), checkpoints dir/<mode>/checkpoint-last. */
static void train(const char *dir, const char *mode) {
    char data[300], out[300];
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(out, sizeof out, "%s/%s", dir, mode);
    sc_cli_result r = sc_check_cli(dir, (const char *const[]){
        "train", "--dataset", "mnist", "--data", data, "--epochs", "1", "--batch", "16",
        "--mode", mode, "--device", "cpu", "--threads", "2", "--out", out, NULL});
    ck_assert_msg(r.exit_code == 0, "training %s failed: %s", mode, r.err);
}

/* Every method over two checkpoints; --raw with integrated gradients. */
START_TEST(test_every_method_writes_its_files) {
    static const char *const methods[] = {"gradient", "input-x-gradient", "smoothgrad",
                                          "integrated-gradients", "gradcam"};
    char dir[256], data[300], a[300], b[300], out[300], path[500], names[4096];
    sc_check_cli_mnist("cli-explain", dir, data, 64, 16, 4);
    train(dir, "standard");
    train(dir, "sgt");
    snprintf(a, sizeof a, "%s/standard/checkpoint-last.safetensors", dir);
    snprintf(b, sizeof b, "%s/sgt/checkpoint-last.safetensors", dir);
    for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
        int ig = strcmp(methods[m], "integrated-gradients") == 0;
        snprintf(out, sizeof out, "%s/out-%s", dir, methods[m]);
        sc_cli_result r = sc_check_cli(dir, (const char *const[]){
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
                ck_assert_msg(!sc_test_file_exists(path), "raw maps without --raw");
        }
        snprintf(path, sizeof path, "%s/heatmaps/grid.png", out);
        expect_png(path);
        char json[32768];
        snprintf(path, sizeof path, "%s/explain.json", out);
        sc_test_read_file(path, json, sizeof json);
        ck_assert_ptr_nonnull(strstr(json, "\"mode\": \"sgt\""));
        ck_assert_ptr_nonnull(strstr(json, "\"mode\": \"standard\""));
        ck_assert_ptr_nonnull(strstr(json, "\"index\": 9"));
        ck_assert_ptr_nonnull(strstr(json, "\"prediction\""));
        ck_assert(strstr(json, "\"ig_gap\"") ? ig : !ig);
    }
    sc_test_rmtree(dir);
}
END_TEST

/* Exit 2, one error line containing needle, and no output directory. */
static void expect_input_error(const char *scratch, const char *out, const char *const *args,
                               const char *needle) {
    sc_check_cli_input_error(scratch, args, needle, out);
}

/* A freshly initialised resnet8 checkpoint for (1, size, size) images of 10 classes. */
static void write_checkpoint(const char *path, int size) {
    sc_backend *be = NULL;
    sc_error err = {0};
    ck_assert_int_eq(sc_backend_create("cpu", NULL, &be, &err), SC_OK);
    sc_checkpoint_meta meta = sc_synthetic_checkpoint_meta(10, size, "standard");
    sc_net *net = NULL;
    ck_assert_int_eq(sc_model_create(&meta.model, be, 1, &net, &err), SC_OK);
    ck_assert_msg(sc_checkpoint_save(path, net, &meta, 0, &err) == SC_OK, "%s", err.msg);
    sc_net_destroy(net);
    sc_backend_destroy(be);
}

START_TEST(test_input_errors) {
    char dir[256], data[300], good[300], other[300], out[300];
    sc_check_cli_mnist("cli-explain-errors", dir, data, 16, 16, 2);
    snprintf(good, sizeof good, "%s/good.safetensors", dir);
    snprintf(other, sizeof other, "%s/other.safetensors", dir);
    snprintf(out, sizeof out, "%s/out", dir);
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
    sc_cli_result r = sc_check_cli(dir, (const char *const[]){"explain", "--help", NULL});
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
