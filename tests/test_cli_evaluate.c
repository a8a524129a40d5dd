/* `scaat evaluate` as a user meets it: a 1-epoch resnet8 trained on synthetic IDX data, then
 * every metric on 32 test images for two checkpoints of the run, with metrics.json (both
 * checkpoints, their training mode, per-metric summaries and mean curves, the parameters) and
 * metrics.csv (one row per image and checkpoint, curve columns) checked; and the input errors
 * (unknown method or metric, a checkpoint of another image shape, --limit 0, a bad --eps):
 * exit 2, one error line, nothing written. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/synthetic_data.h"
#include "common/test_util.h"
#include "host/core/fileio.h"
#include "host/core/json.h"
#include "tests/common/check_cli.h"
#include "tests/common/check_run.h"

#define EVAL_IMAGES 32

static double number(const sc_json_value *v) {
    double d = NAN;
    sc_json_get_double(v, &d);
    return d;
}

/* metrics.json: two checkpoints, each with mode, accuracy and a summary of every metric. */
static void check_json(const char *path) {
    char *text = NULL;
    size_t len = 0;
    sc_error err = {0};
    ck_assert_msg(sc_file_read_all(path, 1 << 24, &text, &len, &err) == SC_OK, "%s", err.msg);
    sc_json_doc doc;
    ck_assert_msg(sc_json_parse(&doc, text, len, path, &err) == SC_OK, "%s", err.msg);
    const sc_json_value *params = sc_json_object_get(doc.root, "parameters");
    ck_assert_int_eq((int)number(sc_json_object_get(params, "deletion_steps")), 10);
    ck_assert_int_eq((int)number(sc_json_object_get(params, "road_jacobi_iterations")), 100);
    ck_assert_int_eq(sc_json_count(sc_json_object_get(params, "metrics")), 11);
    ck_assert_str_eq(sc_json_get_string(sc_json_object_get(sc_json_object_get(doc.root, "method"),
                                                           "name")),
                     "gradient");
    const sc_json_value *cks = sc_json_object_get(doc.root, "checkpoints");
    ck_assert_int_eq(sc_json_count(cks), 2);
    static const char *const fields[] = {
        "gini", "hoyer", "entropy", "deletion_auc", "insertion_auc", "masked_accuracy_area",
        "road_morf_aopc", "road_lerf_aopc", "faithfulness", "max_sensitivity", "randomisation",
        "fgsm_accuracy", "pgd_accuracy"};
    for (size_t c = 0; c < 2; c++) {
        const sc_json_value *ck = sc_json_array_at(cks, c);
        ck_assert_str_eq(sc_json_get_string(sc_json_object_get(ck, "mode")), "standard");
        ck_assert_int_eq((int)number(sc_json_object_get(ck, "selected")), EVAL_IMAGES);
        double accuracy = number(sc_json_object_get(ck, "accuracy"));
        ck_assert(accuracy >= 0.0 && accuracy <= 1.0);
        const sc_json_value *metrics = sc_json_object_get(ck, "metrics");
        for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
            const sc_json_value *m = sc_json_object_get(metrics, fields[f]);
            ck_assert_msg(m != NULL, "metrics.json lacks %s", fields[f]);
            double count = number(sc_json_object_get(m, "count"));
            double degenerate = number(sc_json_object_get(m, "degenerate"));
            ck_assert_msg(count + degenerate == EVAL_IMAGES, "%s: %g + %g", fields[f], count,
                          degenerate);
        }
        double gini = number(sc_json_object_get(sc_json_object_get(metrics, "gini"), "mean"));
        ck_assert_msg(gini > 0.0 && gini < 1.0, "gini %g", gini);
        double pgd = number(sc_json_object_get(sc_json_object_get(metrics, "pgd_accuracy"),
                                               "mean"));
        ck_assert_msg(pgd <= accuracy, "pgd accuracy %g above clean %g", pgd, accuracy);
        const sc_json_value *del = sc_json_object_get(metrics, "deletion_auc");
        ck_assert_int_eq(sc_json_count(sc_json_object_get(del, "curve")), 11);
        const sc_json_value *rnd = sc_json_object_get(metrics, "randomisation");
        ck_assert(sc_json_count(sc_json_object_get(rnd, "curve")) > 5);
    }
    sc_json_doc_free(&doc);
    free(text);
}

/* metrics.csv: a header with the scalar and curve columns, one row per image and checkpoint. */
static void check_csv(const char *path) {
    static char text[1 << 20];
    sc_test_read_file(path, text, sizeof text);
    ck_assert_int_eq(sc_test_count_lines(text), 1 + 2 * EVAL_IMAGES);
    const char *needles[] = {"checkpoint,index,label,target,prediction,gini,", ",deletion_auc,",
                             ",pgd_accuracy,", ",deletion_0,", ",deletion_10,",
                             ",masked_accuracy_9,", ",road_morf_0,", ",randomisation_0,"};
    char *end = strchr(text, '\n');
    *end = '\0';
    for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++)
        ck_assert_msg(strstr(text, needles[i]) != NULL, "header lacks %s", needles[i]);
    ck_assert(strstr(text, ",deletion_11") == NULL);
    int columns = 1;
    for (const char *p = text; *p; p++)
        columns += *p == ',';
    *end = '\n';
    char *row = end + 1, *row_end = strchr(row, '\n');
    int row_columns = 1;
    for (char *p = row; p < row_end; p++)
        row_columns += *p == ',';
    ck_assert_int_eq(row_columns, columns);
}

START_TEST(test_evaluate_two_checkpoints) {
    char dir[256], data[300], run[300], out[300], ckpt_last[400], ckpt_best[400], path[400];
    sc_check_cli_mnist("cli-evaluate", dir, data, 256, 64, 5);
    snprintf(run, sizeof run, "%s/run", dir);
    snprintf(out, sizeof out, "%s/eval", dir);
    sc_cli_result r = sc_check_cli(dir, (const char *const[]){
        "train", "--dataset", "mnist", "--data", data, "--model", "resnet8", "--epochs", "1",
        "--batch", "32", "--device", "cpu", "--out", run, NULL});
    ck_assert_msg(r.exit_code == 0, "train failed: %s", r.err);
    snprintf(ckpt_last, sizeof ckpt_last, "%s/checkpoint-last.safetensors", run);
    snprintf(ckpt_best, sizeof ckpt_best, "%s/checkpoint-best.safetensors", run);
    r = sc_check_cli(dir, (const char *const[]){
        "evaluate", "--checkpoint", ckpt_last, "--checkpoint", ckpt_best, "--data", data,
        "--method", "gradient", "--metrics", "all", "--limit", "32", "--steps", "10", "--batch",
        "16", "--internal-batch", "64", "--device", "cpu", "--out", out, NULL});
    ck_assert_msg(r.exit_code == 0, "evaluate failed: %s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "accuracy"));
    ck_assert_ptr_nonnull(strstr(r.out, "run/checkpoint-best.safetensors"));
    ck_assert_ptr_nonnull(strstr(r.err, "batch 2/2"));
    snprintf(path, sizeof path, "%s/metrics.json", out);
    check_json(path);
    snprintf(path, sizeof path, "%s/metrics.csv", out);
    check_csv(path);

    char bad_out[300], small[300];
    snprintf(bad_out, sizeof bad_out, "%s/bad", dir);
    const char *base[] = {"evaluate", "--checkpoint", ckpt_last, "--data", data, "--device", "cpu",
                          "--out", bad_out};
#define EVAL_ARGS(...) \
    (const char *const[]){base[0], base[1], base[2], base[3], base[4], base[5], base[6], base[7], \
                          base[8], __VA_ARGS__, NULL}
    sc_check_cli_input_error(dir, EVAL_ARGS("--method", "lime"), "lime", bad_out);
    sc_check_cli_input_error(dir, EVAL_ARGS("--metrics", "gini,shapley"), "shapley", bad_out);
    sc_check_cli_input_error(dir, EVAL_ARGS("--limit", "0"), "--limit", bad_out);
    sc_check_cli_input_error(dir, EVAL_ARGS("--eps", "2"), "--eps", bad_out);
    sc_check_cli_input_error(dir, EVAL_ARGS("--eps", "-0.1"), "--eps", bad_out);
    snprintf(small, sizeof small, "%s/small", dir);
    mkdir(small, 0755);
    ck_assert_int_eq(sc_synthetic_write_idx(small, 16, 16, 10, 16, 6), 0);
    sc_check_cli_input_error(dir, (const char *const[]){"evaluate", "--checkpoint", ckpt_last,
                                                        "--data", small, "--device", "cpu",
                                                        "--out", bad_out, NULL},
                             "28x28", bad_out);
    sc_check_cli_input_error(dir, (const char *const[]){"evaluate", "--data", data, "--out",
                                                        bad_out, NULL},
                             "--checkpoint", bad_out);
#undef EVAL_ARGS
    sc_test_rmtree(dir);
}
END_TEST

int main(void) {
    Suite *s = suite_create("cli_evaluate");
    TCase *tc = tcase_create("cli_evaluate");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_evaluate_two_checkpoints);
    suite_add_tcase(s, tc);
    return sc_check_run(s);
}
