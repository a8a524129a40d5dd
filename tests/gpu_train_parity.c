/* End-to-end GPU test: five steps of every training mode (standard, adv, sgt, scaat, asgt) of
 * small ResNets with the same seed and data on the CPU and on the GPU (TF32 off, deterministic
 * on). Per-step losses must agree within 1e-4 relative for standard training and 1e-3 for the
 * saliency-guided modes (their masks are chosen from maps that agree only to rounding, so a pixel
 * at a near-tie may swap), and every parameter tensor within 1e-3 (max |gpu - cpu| / max |cpu|)
 * after the last step. With --deterministic's promise, a second GPU run of every case must give
 * bit-identical losses and parameters. A standalone program (no Check); exits 77 without a GPU
 * or without the CUDA backend.
 *   gpu_train_parity [--steps N] [--mode M] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/expect.h"
#include "common/gpu_skip.h"
#include "common/test_util.h"
#include "host/core/rng.h"
#include "host/train/train_step.h"
#include "models/resnet.h"

typedef struct side {
    sc_backend *be;
    sc_net *net;
    sc_acts *acts;
    sc_mode_state *mode;
} side;

static int make_side(sc_backend *be, const sc_model_spec *spec, int batch,
                     const sc_mode_config *mode, side *s) {
    sc_error err;
    s->be = be;
    sc_channel_norm norm = {spec->in_channels, {0.5f, 0.5f, 0.5f, 0.5f}, {0.25f, 0.25f, 0.25f, 0.25f}};
    if (sc_model_create(spec, be, 11, &s->net, &err) != SC_OK ||
        sc_acts_create(s->net, batch, 1, sc_mode_needs_clean_input_grad(mode), &s->acts, &err) != SC_OK ||
        sc_mode_state_create(s->net, batch, mode, &norm, &s->mode, &err) != SC_OK) {
        fprintf(stderr, "error: %s on %s: %s\n", spec->name, be->name, err.msg);
        return 1;
    }
    return 0;
}

static void free_side(side *s) {
    sc_mode_state_destroy(s->mode);
    sc_acts_destroy(s->acts);
    sc_net_destroy(s->net);
}

/* The same host batch into both sides. */
static int upload_batch(side *s, const float *images, const int32_t *labels, size_t n_images,
                        int batch) {
    sc_backend *be = s->be;
    return be->ops->upload(be, s->acts->values[0].data, images, n_images * sizeof(float)) != SC_OK ||
           be->ops->upload(be, s->acts->labels.data, labels, (size_t)batch * sizeof(int32_t)) != SC_OK;
}

static double step_loss(side *s, const sc_train_config *cfg, int step, int *failed) {
    sc_error err;
    sc_train_step_args args = {s->net, s->acts, s->mode, cfg, 0.05f, (uint64_t)step, 0, NULL};
    float stats[SC_STAT_COUNT];
    sc_backend *be = s->be;
    if (sc_train_step_for_mode(cfg->mode.kind)(&args, &err) != SC_OK) {
        fprintf(stderr, "error: step %d on %s: %s\n", step, be->name, err.msg);
        *failed = 1;
        return NAN;
    }
    if (be->ops->download(be, stats, s->mode->stats.data, sizeof stats) != SC_OK ||
        be->ops->zero(be, s->mode->stats.data, sizeof stats) != SC_OK) {
        fprintf(stderr, "error: reading the loss on %s: %s\n", be->name, be->err.msg);
        *failed = 1;
        return NAN;
    }
    sc_loss_terms terms;
    sc_loss_terms_from_stats(&cfg->mode, stats, s->acts->batch, &terms);
    return terms.loss;
}

static int compare_params(const side *cpu, const side *gpu) {
    size_t bytes = cpu->net->param_arena.size;
    float *a = malloc(bytes), *b = malloc(bytes);
    int failures = 0;
    if (!a || !b ||
        cpu->be->ops->download(cpu->be, a, cpu->net->param_arena.base, bytes) != SC_OK ||
        gpu->be->ops->download(gpu->be, b, gpu->net->param_arena.base, bytes) != SC_OK) {
        fprintf(stderr, "error: reading parameters back\n");
        free(a);
        free(b);
        return 1;
    }
    double worst = 0.0;
    const char *worst_name = "";
    for (int i = 0; i < cpu->net->n_params; i++) {
        const sc_param *p = &cpu->net->params[i];
        size_t n = (size_t)sc_tensor_numel(&p->value);
        const float *ref = (const float *)((const char *)a + p->offset);
        const float *got = (const float *)((const char *)b + p->offset);
        double err = sc_test_max_rel_err(got, ref, n, 1e-6);
        if (err > worst) {
            worst = err;
            worst_name = p->name;
        }
        if (!(err <= 1e-3)) {
            printf("  FAIL parameter %s: normalised error %.3g > 1e-3\n", p->name, err);
            failures++;
        }
    }
    printf("  parameters: worst normalised error %.3g (%s)\n", worst, worst_name);
    free(a);
    free(b);
    return failures;
}

/* The parameters of a side, downloaded (malloc'd; NULL on failure). */
static float *download_params(const side *s) {
    size_t bytes = s->net->param_arena.size;
    float *host = malloc(bytes);
    if (host && s->be->ops->download(s->be, host, s->net->param_arena.base, bytes) != SC_OK) {
        free(host);
        return NULL;
    }
    return host;
}

/* A second GPU run of the same steps: losses and parameters must equal the first run's bit for
 * bit (the deterministic configuration: heuristic cuDNN algorithms, ordered reductions). */
static int rerun_identical(sc_backend *gpu_be, const sc_model_spec *spec, int batch,
                           const sc_train_config *cfg, const double *losses, int steps,
                           const float *params, const float *images, const int32_t *labels,
                           size_t n_images) {
    side again = {0};
    if (make_side(gpu_be, spec, batch, &cfg->mode, &again))
        return 1;
    int failures = 0, failed = 0;
    for (int step = 0; step < steps && !failed; step++) {
        const float *step_images = images + (size_t)step * n_images;
        if (upload_batch(&again, step_images, labels + (size_t)step * batch, n_images, batch)) {
            failed = 1;
            break;
        }
        double loss = step_loss(&again, cfg, step, &failed);
        if (!failed && memcmp(&loss, &losses[step], sizeof loss) != 0) {
            printf("  FAIL rerun step %d: loss %.9g differs from the first run's %.9g\n", step,
                   loss, losses[step]);
            failures++;
        }
    }
    float *rerun_params = failed ? NULL : download_params(&again);
    if (!rerun_params) {
        failed = 1;
    } else if (memcmp(rerun_params, params, again.net->param_arena.size) != 0) {
        printf("  FAIL rerun: parameters differ from the first run's\n");
        failures++;
    } else {
        printf("  rerun on the GPU: losses and parameters bit-identical\n");
    }
    free(rerun_params);
    free_side(&again);
    return failures + failed;
}

static int run_model(sc_backend *cpu_be, sc_backend *gpu_be, const sc_model_spec *spec, int batch,
                     int steps, sc_mode_kind kind) {
    sc_train_config cfg;
    sc_train_config_default(&cfg);
    cfg.mode.kind = kind;
    sc_error err;
    if (sc_mode_config_resolve(&cfg.mode, &err) != SC_OK) {
        fprintf(stderr, "error: %s\n", err.msg);
        return 1;
    }
    double loss_limit = kind == SC_MODE_STANDARD ? 1e-4 : 1e-3;
    printf("%s, mode %s (stem %s, %dx%dx%d, batch %d), %d steps:\n", spec->name,
           sc_mode_name(kind), spec->stem, spec->in_channels, spec->in_h, spec->in_w, batch, steps);
    side cpu = {0}, gpu = {0};
    if (make_side(cpu_be, spec, batch, &cfg.mode, &cpu) ||
        make_side(gpu_be, spec, batch, &cfg.mode, &gpu))
        return 1;
    size_t n_images = (size_t)batch * spec->in_channels * spec->in_h * spec->in_w;
    /* every step's batch, kept for the rerun */
    float *all_images = malloc((size_t)steps * n_images * sizeof(float));
    int32_t *all_labels = malloc((size_t)steps * batch * sizeof(int32_t));
    double *gpu_losses = malloc((size_t)steps * sizeof(double));
    if (!all_images || !all_labels || !gpu_losses) {
        fprintf(stderr, "error: out of host memory\n");
        free(all_images);
        free(all_labels);
        free(gpu_losses);
        free_side(&cpu);
        free_side(&gpu);
        return 1;
    }
    int failures = 0, failed = 0;
    for (int step = 0; step < steps && !failed; step++) {
        float *images = all_images + (size_t)step * n_images;
        int32_t *labels = all_labels + (size_t)step * batch;
        sc_rng_key key = sc_rng_key_make(3, (uint32_t)step, SC_RNG_TEST);
        for (size_t i = 0; i < n_images; i++)
            images[i] = 0.5f * sc_rng_normal(key, i); /* mostly inside the valid range [-2, 2] */
        for (int i = 0; i < batch; i++)
            labels[i] = (int32_t)sc_rng_below(key, (uint64_t)i, (uint32_t)spec->num_classes);
        if (upload_batch(&cpu, images, labels, n_images, batch) ||
            upload_batch(&gpu, images, labels, n_images, batch)) {
            fprintf(stderr, "error: uploading the batch\n");
            failed = 1;
            break;
        }
        double lc = step_loss(&cpu, &cfg, step, &failed);
        double lg = step_loss(&gpu, &cfg, step, &failed);
        gpu_losses[step] = lg;
        double rel = fabs(lg - lc) / fabs(lc);
        int ok = rel <= loss_limit;
        printf("  step %d: loss cpu %.7f gpu %.7f rel %.2e %s\n", step, lc, lg, rel, ok ? "OK" : "FAIL");
        failures += !ok;
    }
    if (!failed)
        failures += compare_params(&cpu, &gpu);
    float *gpu_params = failed ? NULL : download_params(&gpu);
    if (gpu_params && gpu_be->config.deterministic)
        failures += rerun_identical(gpu_be, spec, batch, &cfg, gpu_losses, steps, gpu_params,
                                    all_images, all_labels, n_images);
    free(gpu_params);
    free(all_images);
    free(all_labels);
    free(gpu_losses);
    free_side(&cpu);
    free_side(&gpu);
    return failures + failed;
}

int main(int argc, char **argv) {
    int steps = 5;
    int only_mode = -1;
    for (int i = 1; i < argc; i++) {
        sc_error err;
        sc_mode_kind kind;
        if (strcmp(argv[i], "--steps") == 0 && i + 1 < argc) {
            steps = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc) {
            if (sc_mode_parse(argv[++i], &kind, &err) != SC_OK) {
                fprintf(stderr, "%s\n", err.msg);
                return 2;
            }
            only_mode = (int)kind;
        } else {
            fprintf(stderr, "usage: %s [--steps N] [--mode M]\n", argv[0]);
            return 2;
        }
    }
    sc_backend_config config = sc_backend_config_default();
    config.tf32 = 0;
    config.deterministic = 1; /* the default of every GPU test */
    sc_backend *cpu = NULL, *gpu = NULL;
    int rc = sc_test_gpu_backends(&config, &cpu, &gpu);
    if (rc != 0)
        return rc;
    const sc_model_spec models[] = {
        {"resnet8", "cifar", 3, 10, 16, 16},
        {"resnet18", "imagenet", 3, 10, 64, 64},
        {"resnet50", "imagenet", 3, 10, 64, 64},
    };
    sc_expect expect = {0};
    for (int kind = 0; kind < SC_MODE_COUNT; kind++) {
        if (only_mode >= 0 && kind != only_mode)
            continue;
        /* every model for standard training; the saliency-guided modes on the two smaller */
        size_t n_models = kind == SC_MODE_STANDARD ? sizeof models / sizeof models[0] : 2;
        for (size_t i = 0; i < n_models; i++)
            expect.failures += run_model(cpu, gpu, &models[i], 8, steps, (sc_mode_kind)kind);
    }
    sc_backend_destroy(cpu);
    sc_backend_destroy(gpu);
    return sc_expect_finish(&expect);
}
