/* End to end on a generated image folder (issue 8): tools/make_image_datasets.py writes an
 * ImageNet-layout folder from Fashion-MNIST (5 classes, 200 training and 20 validation images
 * each, JPEG / PNG / TIFF of 64..160 pixels, coloured), ResNet-18 with the ImageNet stem trains
 * 4 epochs at 64x64 on the CPU and must reach at least twice chance (40%) on the validation
 * split, and `scaat eval` on the final checkpoint must report the same accuracy. About 35 s on
 * 2 cores (label e2e). Exits 77 (skipped) when the generator cannot run here: no /usr/bin/python3
 * with numpy and Pillow (Debian's python3-numpy, python3-pil), no Fashion-MNIST (Debian's
 * dataset-fashion-mnist), or a build without JPEG or TIFF. */
#include <check.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/test_util.h"
#include "datasets/image.h"
#include "tests/common/check_cli.h"
#include "tests/common/check_run.h"

#define PYTHON "/usr/bin/python3"
#define FASHION_MNIST "/usr/share/datasets/fashion-mnist"
#define CLASSES 5

extern char **environ;

/* argv (NULL-terminated) with stdout and stderr into log_path; the exit code, -1 when it did
 * not start or died of a signal. */
static int run_logged(char *const *argv, const char *log_path) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    int status = 0;
    if (rc != 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

/* Why the folder cannot be generated here, or NULL when it can. */
static const char *missing_prerequisite(void) {
    const char *formats = sc_image_formats_built();
    if (!strstr(formats, "jpeg") || !strstr(formats, "tiff"))
        return "this build reads no JPEG or no TIFF (the generated folder has both)";
    if (access(FASHION_MNIST "/train-images-idx3-ubyte.gz", R_OK) != 0)
        return "no Fashion-MNIST in " FASHION_MNIST " (Debian's dataset-fashion-mnist)";
    char *probe[] = {PYTHON, "-c", "import numpy, PIL", NULL};
    if (run_logged(probe, "/dev/null") != 0)
        return PYTHON " cannot import numpy and PIL (Debian's python3-numpy, python3-pil)";
    return NULL;
}

START_TEST(folder_run_beats_chance_and_eval_agrees) {
    char dir[256], script[512], log_path[400], log[4096], folder[400], run[400], eval[400],
        ckpt[500], path[500];
    ck_assert_ptr_nonnull(sc_test_tmpdir("e2e-folder", dir, sizeof dir));
    snprintf(script, sizeof script, "%s/tools/make_image_datasets.py", SCAAT_SOURCE_DIR);
    snprintf(log_path, sizeof log_path, "%s/generate.log", dir);
    char *generate[] = {PYTHON, script, "--out", dir, "--no-pcam", "--classes", "5",
                        "--train-per-class", "200", "--val-per-class", "20", NULL};
    int code = run_logged(generate, log_path);
    sc_test_read_file(log_path, log, sizeof log);
    ck_assert_msg(code == 0, "make_image_datasets.py exited %d: %s", code, log);
    snprintf(folder, sizeof folder, "%s/imagefolder", dir);
    snprintf(run, sizeof run, "%s/run", dir);
    sc_cli_result r = sc_check_cli(dir, (const char *const[]){
        "train", "--dataset", "imagefolder", "--data", folder, "--model", "resnet18", "--stem",
        "imagenet", "--image-size", "64", "--epochs", "4", "--batch", "32", "--lr", "0.02",
        "--device", "cpu", "--out", run, NULL});
    ck_assert_msg(r.exit_code == 0, "train failed: %s", r.err);
    snprintf(path, sizeof path, "%s/metrics.json", run);
    const double trained = sc_test_json_number(path, "test_accuracy");
    ck_assert_msg(trained >= 2.0 / CLASSES, "test accuracy %.2f%%, expected at least twice "
                  "chance (%.0f%%)", 100.0 * trained, 200.0 / CLASSES);
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint-last.safetensors", run);
    snprintf(eval, sizeof eval, "%s/eval", dir);
    r = sc_check_cli(dir, (const char *const[]){"eval", "--checkpoint", ckpt, "--data", folder,
                                                "--device", "cpu", "--out", eval, NULL});
    ck_assert_msg(r.exit_code == 0, "eval failed: %s", r.err);
    snprintf(path, sizeof path, "%s/metrics.json", eval);
    ck_assert_double_eq(sc_test_json_number(path, "test_accuracy"), trained);
    ck_assert_int_eq((int)sc_test_json_number(path, "test_samples"), CLASSES * 20);
    sc_test_rmtree(dir);
}
END_TEST

int main(void) {
    const char *missing = missing_prerequisite();
    if (missing) {
        printf("skipped: %s\n", missing);
        return 77;
    }
    Suite *s = suite_create("e2e-imagefolder");
    TCase *tc = tcase_create("e2e-imagefolder");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, folder_run_beats_chance_and_eval_agrees);
    suite_add_tcase(s, tc);
    return sc_check_run(s);
}
