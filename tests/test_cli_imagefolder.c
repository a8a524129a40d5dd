/* Image folders through the command line: a tiny generated folder trains one epoch of a small
 * model with 1 and 2 decode workers (identical losses), `scaat eval` reports the training
 * run's final test accuracy and loss, `scaat explain` names the classes by their folders, a
 * bad image stops training naming the file (exit 2) or is skipped, data-check / data-stats
 * report what they should, and bad data options are one error line. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "common/image_folder.h"
#include "common/test_util.h"
#include "tests/common/check_cli.h"
#include "tests/common/check_run.h"

static void make_folder(const char *tag, char dir[256], char data[300]) {
    ck_assert_ptr_nonnull(sc_test_tmpdir(tag, dir, 256));
    snprintf(data, 300, "%s/data", dir);
    mkdir(data, 0755);
    ck_assert_int_eq(sc_test_write_image_folder(data, 3, 12, 4, 24, 7), 0);
}

static sc_cli_result train(const char *dir, const char *data, const char *out,
                           const char *workers, const char *on_bad) {
    return sc_check_cli(dir, (const char *const[]){
        "train", "--dataset", "imagefolder", "--data", data, "--image-size", "16", "--resize",
        "20", "--model",
        "resnet8", "--epochs", "1", "--batch", "6", "--log-every", "1", "--device", "cpu",
        "--threads", "1", "--workers", workers, "--on-bad-image", on_bad, "--out", out, NULL});
}

START_TEST(folder_trains_and_eval_agrees) {
    char dir[256], data[300], out[300], out2[300], eval_out[300], ckpt[400], path[400];
    make_folder("cli-folder", dir, data);
    snprintf(out, sizeof out, "%s/run", dir);
    snprintf(out2, sizeof out2, "%s/run2", dir);
    snprintf(eval_out, sizeof eval_out, "%s/eval", dir);
    sc_cli_result r = train(dir, data, out, "1", "error");
    ck_assert_msg(r.exit_code == 0, "train failed: %s", r.err);
    r = train(dir, data, out2, "2", "error");
    ck_assert_msg(r.exit_code == 0, "train failed: %s", r.err);
    char log1[8192], log2[8192];
    snprintf(path, sizeof path, "%s/log.jsonl", out);
    sc_test_read_file(path, log1, sizeof log1);
    snprintf(path, sizeof path, "%s/log.jsonl", out2);
    sc_test_read_file(path, log2, sizeof log2);
    /* the same losses step by step (the lines differ only in timing fields) */
    const char *a = log1, *b = log2;
    int compared = 0;
    while ((a = strstr(a, "\"loss\":")) && (b = strstr(b, "\"loss\":"))) {
        ck_assert_int_eq(strncmp(a, b, 20), 0);
        a += 7;
        b += 7;
        compared++;
    }
    ck_assert_int_ge(compared, 6);
    snprintf(path, sizeof path, "%s/metrics.json", out);
    double trained = sc_test_json_number(path, "test_accuracy");
    double trained_loss = sc_test_json_number(path, "test_loss");
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint-last.safetensors", out);
    r = sc_check_cli(dir, (const char *const[]){"eval", "--checkpoint", ckpt, "--data", data,
                                                "--device", "cpu", "--out", eval_out, NULL});
    ck_assert_msg(r.exit_code == 0, "eval failed: %s", r.err);
    snprintf(path, sizeof path, "%s/metrics.json", eval_out);
    ck_assert_double_eq(sc_test_json_number(path, "test_accuracy"), trained);
    /* the same transform (the checkpoint carries --resize 20): the same loss, up to the order
     * of the sums */
    ck_assert_double_eq_tol(sc_test_json_number(path, "test_loss"), trained_loss, 1e-5);
    ck_assert_int_eq((int)sc_test_json_number(path, "test_samples"), 12);
    /* explain decodes the images it needs and names their classes by their folders */
    snprintf(eval_out, sizeof eval_out, "%s/explain", dir);
    r = sc_check_cli(dir, (const char *const[]){"explain", "--checkpoint", ckpt, "--data", data,
                                                "--indices", "0,11", "--method", "gradient",
                                                "--device", "cpu", "--out", eval_out, NULL});
    ck_assert_msg(r.exit_code == 0, "explain failed: %s", r.err);
    char json[16384];
    snprintf(path, sizeof path, "%s/explain.json", eval_out);
    sc_test_read_file(path, json, sizeof json);
    ck_assert_ptr_nonnull(strstr(json, "\"class\": \"class_0\""));
    ck_assert_ptr_nonnull(strstr(json, "\"class\": \"class_2\""));
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(folder_bad_image_error_or_skip) {
    char dir[256], data[300], out[300], bad[400];
    make_folder("cli-folder-bad", dir, data);
    snprintf(bad, sizeof bad, "%s/train/class_2/img_5.png", data);
    ck_assert_int_eq(sc_test_write_bytes(bad, "not an image", 12), 0);
    snprintf(out, sizeof out, "%s/run", dir);
    sc_cli_result r = train(dir, data, out, "2", "error");
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "class_2/img_5.png"));
    snprintf(out, sizeof out, "%s/run-skip", dir);
    r = train(dir, data, out, "2", "skip");
    ck_assert_msg(r.exit_code == 0, "train --on-bad-image skip failed: %s", r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "skipping a bad sample"));
    ck_assert_ptr_nonnull(strstr(r.err, "class_2/img_5.png"));

    r = sc_check_cli(dir, (const char *const[]){"data-check", "--data", data, "--workers", "2",
                                                NULL});
    ck_assert_int_eq(r.exit_code, 2);
    ck_assert_ptr_nonnull(strstr(r.out, "training split: 36 images in 3 classes"));
    ck_assert_ptr_nonnull(strstr(r.out, "bad images: 1"));
    ck_assert_ptr_nonnull(strstr(r.out, "class_2/img_5.png"));
    ck_assert_ptr_nonnull(strstr(r.out, "width  min 24, median 24, max 24"));
    ck_assert_ptr_nonnull(strstr(r.out, "images/s"));
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(data_stats_prints_norm_options) {
    char dir[256], data[300];
    make_folder("cli-folder-stats", dir, data);
    sc_cli_result r = sc_check_cli(dir, (const char *const[]){
        "data-stats", "--data", data, "--image-size", "24", "--resize", "24", NULL});
    ck_assert_msg(r.exit_code == 0, "data-stats failed: %s", r.err);
    /* noise in [0, 64) (mean 31.5) plus a 255 square on 1/9 of the area, in one channel per
     * class, the three classes on the three channels: a channel's pixels are square pixels
     * 1/27 of the time, so its mean is 31.5/255 * 26/27 + 1/27 = 0.1560 */
    float m[3], s[3];
    const char *at = strstr(r.out, "--norm-mean ");
    ck_assert_ptr_nonnull(at);
    ck_assert_int_eq(sscanf(at, "--norm-mean %f,%f,%f --norm-std %f,%f,%f", &m[0], &m[1], &m[2],
                            &s[0], &s[1], &s[2]),
                     6);
    for (int c = 0; c < 3; c++) {
        ck_assert_float_eq_tol(m[c], 0.1560f, 0.002f);
        ck_assert(s[c] > 0.1f && s[c] < 0.4f);
    }
    sc_test_rmtree(dir);
}
END_TEST

START_TEST(data_option_errors) {
    char dir[256];
    ck_assert_ptr_nonnull(sc_test_tmpdir("cli-folder-usage", dir, sizeof dir));
    const struct {
        const char *args[8];
        const char *needle;
    } cases[] = {
        {{"train", "--channels", "2", NULL}, "--channels"},
        {{"train", "--on-bad-image", "ignore", NULL}, "expected error or skip"},
        {{"train", "--norm-mean", "0.5,0.5", NULL}, "--norm-std 0"},
        {{"train", "--norm-mean", "0.5", "--norm-std", "0", NULL}, "--norm-std"},
        {{"train", "--workers", "-1", NULL}, "--workers"},
        {{"train", "--dataset", "imagefolder", "--data", "/nonexistent", NULL}, "/nonexistent"},
        {{"eval", "--checkpoint", "x", "--pcam-eval", "train", NULL}, "expected valid or test"},
        {{"data-check", "--data", "/nonexistent", NULL}, "/nonexistent/train"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        sc_check_cli_input_error(dir, cases[i].args, cases[i].needle, NULL);
    sc_test_rmtree(dir);
}
END_TEST

static Suite *cli_folder_suite(void) {
    Suite *s = suite_create("cli_imagefolder");
    TCase *tc = tcase_create("imagefolder");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, folder_trains_and_eval_agrees);
    tcase_add_test(tc, folder_bad_image_error_or_skip);
    tcase_add_test(tc, data_stats_prints_norm_options);
    tcase_add_test(tc, data_option_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return sc_check_run(cli_folder_suite());
}
