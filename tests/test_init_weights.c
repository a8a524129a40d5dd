/* `scaat train --init` (host/train/init_weights.h). tests/make_init_fixtures.py exported a
 * PyTorch resnet8's state_dict with safetensors.torch.save_file (no metadata,
 * num_batches_tracked included) and its eval-mode logits on a fixed input: loaded here, the
 * engine's logits must match within 1e-4. Then a torchvision-named resnet18 written by the
 * engine's checkpoint writer loads back exactly; --init-skip keeps the skipped parameters'
 * initialisation; a wrong class count, a missing tensor, an extra tensor, a wrong dtype, a NaN
 * and a prefix that matches nothing are each refused with one line naming the tensor, leaving
 * the model unchanged; and the command line: a run from --init and its one-line refusals. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/test_util.h"
#include "host/backend/backend.h"
#include "host/core/safetensors.h"
#include "host/train/checkpoint.h"
#include "host/train/init_weights.h"
#include "models/resnet.h"
#include "tests/common/check_cli.h"
#include "tests/common/check_run.h"

#define TOLERANCE 1e-4

static const char *fixture(const char *name, char *buf, size_t len) {
    char rel[256];
    snprintf(rel, sizeof rel, "tests/fixtures/%s", name);
    return sc_test_source_path(rel, buf, len);
}

static sc_net *make_model(sc_backend *be, const char *name, int channels, int classes, int size,
                          uint64_t seed) {
    sc_model_spec spec;
    memset(&spec, 0, sizeof spec);
    snprintf(spec.name, sizeof spec.name, "%s", name);
    snprintf(spec.stem, sizeof spec.stem, "cifar");
    spec.in_channels = channels;
    spec.num_classes = classes;
    spec.in_h = spec.in_w = size;
    sc_net *net = NULL;
    sc_error err = {0};
    ck_assert_msg(sc_model_create(&spec, be, seed, &net, &err) == SC_OK, "%s", err.msg);
    return net;
}

static sc_backend *cpu_backend(void) {
    sc_backend_config config = sc_backend_config_default();
    config.threads = 1;
    sc_backend *be = NULL;
    sc_error err = {0};
    ck_assert_msg(sc_backend_create("cpu", &config, &be, &err) == SC_OK, "%s", err.msg);
    return be;
}

/* A host copy of the whole parameter arena (free() it). */
static char *params_of(sc_net *net) {
    char *host = malloc(net->param_arena.size);
    ck_assert(net->be->ops->download(net->be, host, net->param_arena.base, net->param_arena.size) == SC_OK);
    return host;
}

START_TEST(test_pytorch_state_dict_logits) {
    sc_backend *be = cpu_backend();
    sc_net *net = make_model(be, "resnet8", 1, 10, 12, 99);
    char path[1024], ref_path[1024];
    sc_error err = {0};
    ck_assert_msg(sc_init_weights_load(fixture("init_resnet8_state_dict.safetensors", path, sizeof path), "", net,
                                       &err) == SC_OK, "%s", err.msg);
    sc_st_file ref;
    ck_assert_msg(sc_st_open(&ref, fixture("init_resnet8_reference.safetensors", ref_path, sizeof ref_path), &err) ==
                      SC_OK, "%s", err.msg);
    const sc_st_entry *input = sc_st_find(&ref, "input"), *logits_ref = sc_st_find(&ref, "logits");
    ck_assert(input && logits_ref && input->numel == 2 * 12 * 12 && logits_ref->numel == 20);
    sc_acts *acts = NULL;
    ck_assert_msg(sc_acts_create(net, 2, 0, 0, &acts, &err) == SC_OK, "%s", err.msg);
    ck_assert(be->ops->upload(be, acts->values[0].data, input->data, input->nbytes) == SC_OK);
    ck_assert_msg(sc_net_forward(net, acts, SC_FWD_EVAL, &err) == SC_OK, "%s", err.msg);
    float logits[20], expected[20];
    ck_assert(be->ops->download(be, logits, sc_acts_logits(acts)->data, sizeof logits) == SC_OK);
    memcpy(expected, logits_ref->data, sizeof expected);
    double scale = 0.0, worst = 0.0;
    for (int i = 0; i < 20; i++)
        scale = fmax(scale, fabs(expected[i]));
    for (int i = 0; i < 20; i++)
        worst = fmax(worst, fabs((double)logits[i] - expected[i]) / scale);
    ck_assert_msg(worst <= TOLERANCE, "logits differ from PyTorch's by %g (relative to max %g)", worst, scale);
    /* The random initialisation alone is far off: the weights really came from the file. */
    sc_net *fresh = make_model(be, "resnet8", 1, 10, 12, 99);
    sc_acts *fresh_acts = NULL;
    ck_assert(sc_acts_create(fresh, 2, 0, 0, &fresh_acts, &err) == SC_OK);
    ck_assert(be->ops->upload(be, fresh_acts->values[0].data, input->data, input->nbytes) == SC_OK);
    ck_assert(sc_net_forward(fresh, fresh_acts, SC_FWD_EVAL, &err) == SC_OK);
    ck_assert(be->ops->download(be, logits, sc_acts_logits(fresh_acts)->data, sizeof logits) == SC_OK);
    double fresh_diff = 0.0;
    for (int i = 0; i < 20; i++)
        fresh_diff = fmax(fresh_diff, fabs((double)logits[i] - expected[i]) / scale);
    ck_assert_msg(fresh_diff > 100 * TOLERANCE, "a fresh model already gives the fixture's logits");
    sc_acts_destroy(fresh_acts);
    sc_net_destroy(fresh);
    sc_acts_destroy(acts);
    sc_st_close(&ref);
    sc_net_destroy(net);
    sc_backend_destroy(be);
}
END_TEST

/* resnet18 (torchvision names) written by the engine's checkpoint writer, loaded into a model
 * initialised with another seed: every parameter equal; with --init-skip fc, fc keeps its own. */
START_TEST(test_resnet18_round_trip_and_skip) {
    sc_backend *be = cpu_backend();
    sc_net *source = make_model(be, "resnet18", 3, 10, 32, 1);
    char dir[256], path[512];
    ck_assert_ptr_nonnull(sc_test_tmpdir("init-weights", dir, sizeof dir));
    snprintf(path, sizeof path, "%s/resnet18.safetensors", dir);
    sc_checkpoint_meta meta;
    memset(&meta, 0, sizeof meta);
    snprintf(meta.model.name, sizeof meta.model.name, "resnet18");
    snprintf(meta.model.stem, sizeof meta.model.stem, "cifar");
    snprintf(meta.mode, sizeof meta.mode, "standard");
    sc_error err = {0};
    ck_assert_msg(sc_checkpoint_save(path, source, &meta, 0, &err) == SC_OK, "%s", err.msg);
    char *want = params_of(source);

    sc_net *target = make_model(be, "resnet18", 3, 10, 32, 2);
    ck_assert_msg(sc_init_weights_load(path, "", target, &err) == SC_OK, "%s", err.msg);
    char *got = params_of(target);
    ck_assert(memcmp(want, got, source->param_arena.size) == 0);
    free(got);

    sc_net *skipping = make_model(be, "resnet18", 3, 10, 32, 3);
    char *own = params_of(skipping);
    ck_assert_msg(sc_init_weights_load(path, "fc,layer4.1", skipping, &err) == SC_OK, "%s", err.msg);
    got = params_of(skipping);
    int skipped = 0;
    for (int i = 0; i < skipping->n_params; i++) {
        const sc_param *p = &skipping->params[i];
        int skip = strncmp(p->name, "fc.", 3) == 0 || strncmp(p->name, "layer4.1.", 9) == 0;
        const char *expected = skip ? own : want;
        skipped += skip;
        ck_assert_msg(memcmp(got + p->offset, expected + p->offset, (size_t)sc_tensor_bytes(&p->value)) == 0,
                      "%s: not the %s values", p->name, skip ? "initial" : "file's");
    }
    ck_assert_int_gt(skipped, 2);
    free(got);
    free(own);

    /* Another class count: fc is refused by name, and loads with --init-skip fc. */
    sc_net *seven = make_model(be, "resnet18", 3, 7, 32, 4);
    char *before = params_of(seven);
    ck_assert_int_eq(sc_init_weights_load(path, "", seven, &err), SC_ERR_SHAPE);
    ck_assert_ptr_nonnull(strstr(err.msg, "'fc.weight' is F32 (10, 512)"));
    ck_assert_ptr_nonnull(strstr(err.msg, "--init-skip fc"));
    char *after = params_of(seven);
    ck_assert(memcmp(before, after, seven->param_arena.size) == 0);
    ck_assert_msg(sc_init_weights_load(path, "fc", seven, &err) == SC_OK, "%s", err.msg);
    free(before);
    free(after);

    ck_assert_int_eq(sc_init_weights_load(path, "fcc", seven, &err), SC_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "prefix 'fcc' matches no parameter"));
    ck_assert_int_eq(sc_init_weights_load(path, "fc,,bn1", seven, &err), SC_ERR_USAGE);

    /* Another architecture: the first tensor the model lacks is named. */
    sc_net *small = make_model(be, "resnet8", 3, 10, 32, 5);
    ck_assert_int_eq(sc_init_weights_load(path, "", small, &err), SC_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "is not a parameter of this model"));

    sc_net_destroy(small);
    sc_net_destroy(seven);
    sc_net_destroy(skipping);
    sc_net_destroy(target);
    sc_net_destroy(source);
    free(want);
    sc_test_rmtree(dir);
    sc_backend_destroy(be);
}
END_TEST

/* The fixture rewritten with one change: drop `drop`, add an extra tensor, retype or poison
 * `change`; loading it must fail with `needle` in the message. */
static void expect_refusal(const char *drop, const char *extra, const char *retype, const char *poison,
                           sc_status status, const char *needle) {
    char src_path[1024], dir[256], path[512];
    sc_error err = {0};
    sc_st_file f;
    ck_assert(sc_st_open(&f, fixture("init_resnet8_state_dict.safetensors", src_path, sizeof src_path), &err) == SC_OK);
    ck_assert_ptr_nonnull(sc_test_tmpdir("init-refuse", dir, sizeof dir));
    snprintf(path, sizeof path, "%s/changed.safetensors", dir);
    sc_st_writer w;
    sc_st_writer_init(&w);
    float *copies[64] = {0};
    static const float extra_value[4] = {1, 2, 3, 4};
    for (size_t i = 0; i < f.count && i < 64; i++) {
        const sc_st_entry *e = &f.entries[i];
        if (drop && strcmp(e->name, drop) == 0)
            continue;
        copies[i] = malloc(e->nbytes ? e->nbytes : 1);
        memcpy(copies[i], e->data, e->nbytes);
        sc_st_dtype dtype = e->dtype;
        if (retype && strcmp(e->name, retype) == 0)
            dtype = SC_ST_I32; /* same byte size */
        if (poison && strcmp(e->name, poison) == 0)
            copies[i][1] = NAN;
        ck_assert(sc_st_writer_add(&w, e->name, dtype, e->ndim, e->shape, copies[i], &err) == SC_OK);
    }
    if (extra) {
        int64_t shape[1] = {4};
        ck_assert(sc_st_writer_add(&w, extra, SC_ST_F32, 1, shape, extra_value, &err) == SC_OK);
    }
    ck_assert_msg(sc_st_writer_write(&w, path, &err) == SC_OK, "%s", err.msg);
    sc_backend *be = cpu_backend();
    sc_net *net = make_model(be, "resnet8", 1, 10, 12, 7);
    char *before = params_of(net);
    ck_assert_int_eq(sc_init_weights_load(path, "", net, &err), status);
    ck_assert_msg(strstr(err.msg, needle) != NULL, "'%s' not in: %s", needle, err.msg);
    ck_assert_msg(strchr(err.msg, '\n') == NULL, "more than one line: %s", err.msg);
    char *after = params_of(net);
    ck_assert(memcmp(before, after, net->param_arena.size) == 0);
    free(before);
    free(after);
    sc_net_destroy(net);
    sc_backend_destroy(be);
    sc_st_writer_free(&w);
    for (int i = 0; i < 64; i++)
        free(copies[i]);
    sc_st_close(&f);
    sc_test_rmtree(dir);
}

START_TEST(test_refusals) {
    expect_refusal("layer2.0.bn1.running_var", NULL, NULL, NULL, SC_ERR_FORMAT,
                   "tensor 'layer2.0.bn1.running_var' (32) of the model is missing");
    expect_refusal(NULL, "head.weight", NULL, NULL, SC_ERR_FORMAT, "tensor 'head.weight' is not a parameter");
    expect_refusal(NULL, NULL, "conv1.weight", NULL, SC_ERR_SHAPE, "tensor 'conv1.weight' is I32 (16, 1, 3, 3)");
    expect_refusal(NULL, NULL, NULL, "layer1.0.conv2.weight", SC_ERR_FORMAT,
                   "tensor 'layer1.0.conv2.weight' holds nan at element 1");
}
END_TEST

START_TEST(test_command_line) {
    char dir[256], data[300], out[400], init[1024], bad_out[400];
    sc_check_cli_mnist("init-cli", dir, data, 64, 32, 3);
    fixture("init_resnet8_state_dict.safetensors", init, sizeof init);
    snprintf(out, sizeof out, "%s/run", dir);
    const char *ok_args[] = {"train", "--dataset", "mnist", "--data", data, "--model", "resnet8", "--init", init,
                             "--epochs", "1", "--batch", "32", "--out", out, "--threads", "1", NULL};
    sc_cli_result r = sc_check_cli(dir, ok_args);
    ck_assert_msg(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    char config[512], text[8192];
    snprintf(config, sizeof config, "%s/config.json", out);
    sc_test_read_file(config, text, sizeof text);
    ck_assert_msg(strstr(text, "init_resnet8_state_dict.safetensors") != NULL, "config.json does not record --init");

    snprintf(bad_out, sizeof bad_out, "%s/refused", dir);
    const char *skip_typo[] = {"train", "--dataset", "mnist", "--data", data, "--model", "resnet8", "--init", init,
                               "--init-skip", "fcc", "--batch", "32", "--out", bad_out, NULL};
    sc_check_cli_input_error(dir, skip_typo, "prefix 'fcc' matches no parameter", bad_out);
    const char *wrong_model[] = {"train", "--dataset", "mnist", "--data", data, "--model", "resnet20", "--init",
                                 init, "--batch", "32", "--out", bad_out, NULL};
    sc_check_cli_input_error(dir, wrong_model, "--init", bad_out);
    const char *skip_alone[] = {"train", "--dataset", "mnist", "--data", data, "--init-skip", "fc", "--out",
                                bad_out, NULL};
    sc_check_cli_input_error(dir, skip_alone, "--init-skip needs --init", bad_out);
    sc_test_rmtree(dir);
}
END_TEST

int main(void) {
    Suite *s = suite_create("init_weights");
    TCase *tc = tcase_create("init_weights");
    tcase_add_test(tc, test_pytorch_state_dict_logits);
    tcase_add_test(tc, test_resnet18_round_trip_and_skip);
    tcase_add_test(tc, test_refusals);
    tcase_add_test(tc, test_command_line);
    suite_add_tcase(s, tc);
    return sc_check_run(s);
}
