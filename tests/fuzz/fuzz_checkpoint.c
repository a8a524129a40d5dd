/* Fuzz harness of the checkpoint loader (host/train/checkpoint.h): the metadata reader and the
 * loader of parameters, batch-norm statistics and optimizer state, through a checkpoint file.
 *
 * The input is the file. It is read as metadata, then loaded into a tiny network (conv1, bn1,
 * fc on 1x4x4 images: a few hundred bytes of tensors, so the fuzzer can reach every entry)
 * without and with the optimizer state. The input counts as accepted when the metadata and
 * the weights are (a file without optimizer state is refused for resuming). Accepted metadata
 * must lie in the ranges the reader checks and hold NUL-terminated strings; every refusal must
 * be a clear input error. The backend and the network are made once per process and released
 * at exit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_target.h"
#include "host/backend/backend.h"
#include "host/train/checkpoint.h"

#define HARNESS "checkpoint"

typedef struct tiny_model {
    sc_backend *be;
    sc_net *net;
} tiny_model;

static tiny_model model;

static void release_model(void) {
    sc_net_destroy(model.net);
    sc_backend_destroy(model.be);
}

/* conv1 (2 channels, 3x3) -> bn1 -> relu -> global average pool -> fc (3 classes) */
static sc_net *tiny_net(void) {
    if (model.net)
        return model.net;
    sc_error err = {0};
    sc_backend_config config = sc_backend_config_default();
    config.threads = 1;
    if (sc_backend_create("cpu", &config, &model.be, &err) != SC_OK)
        sc_fuzz_fail(HARNESS, "cannot create the CPU backend: %s", err.msg);
    sc_net_builder b;
    sc_nb_init(&b, 1, 4, 4);
    int v = sc_nb_conv(&b, "conv1", 0, 2, 3, 1, 1);
    v = sc_nb_relu(&b, sc_nb_bn(&b, "bn1", v));
    sc_nb_linear(&b, "fc", sc_nb_gap(&b, v), 3);
    if (sc_net_create(&b, model.be, 1, &model.net, &err) != SC_OK)
        sc_fuzz_fail(HARNESS, "cannot build the tiny network: %s", err.msg);
    sc_nb_free(&b);
    atexit(release_model);
    return model.net;
}

static void check_meta(const sc_checkpoint_meta *m) {
    const sc_model_spec *s = &m->model;
    if (!memchr(s->name, '\0', sizeof s->name) || !memchr(s->stem, '\0', sizeof s->stem) ||
        !memchr(m->dataset, '\0', sizeof m->dataset) || !memchr(m->mode, '\0', sizeof m->mode))
        sc_fuzz_fail(HARNESS, "accepted metadata with a string that is not NUL-terminated");
    if (s->in_channels < 1 || s->in_channels > 64 || s->in_h < 1 || s->in_h > 1 << 16 ||
        s->in_w < 1 || s->in_w > 1 << 16 || s->num_classes < 1 || s->num_classes > 1 << 20)
        sc_fuzz_fail(HARNESS, "accepted a model of %d x %d x %d inputs and %d classes",
                     s->in_channels, s->in_h, s->in_w, s->num_classes);
    if (m->norm_channels < 0 || m->norm_channels > 4 || m->epoch < 0 || m->step_in_epoch < 0 ||
        m->global_step < 0 || m->epoch_logged_steps < 0)
        sc_fuzz_fail(HARNESS, "accepted %d normalisation channels, epoch %lld, step %lld/%lld, "
                     "%lld logged steps", m->norm_channels, (long long)m->epoch,
                     (long long)m->step_in_epoch, (long long)m->global_step,
                     (long long)m->epoch_logged_steps);
}

static int run(const uint8_t *data, size_t size) {
    sc_net *net = tiny_net();
    const char *path = sc_fuzz_scratch_write(HARNESS, "checkpoint.safetensors", data, size);
    sc_error err = {0};
    sc_checkpoint_meta meta;
    int accepted = 1;
    sc_status st = sc_checkpoint_read_meta(path, &meta, &err);
    if (st == SC_OK)
        check_meta(&meta);
    else
        accepted = sc_fuzz_refused(HARNESS, st, &err);
    st = sc_checkpoint_load(path, net, 0, &err);
    if (st != SC_OK)
        accepted = sc_fuzz_refused(HARNESS, st, &err);
    st = sc_checkpoint_load(path, net, 1, &err); /* a file without optimizer state is refused */
    if (st != SC_OK)
        sc_fuzz_refused(HARNESS, st, &err);
    return accepted;
}

/* ---- seeds: the tiny network saved by the engine, with and without optimizer state ----------- */

static sc_checkpoint_meta seed_meta(void) {
    sc_checkpoint_meta m;
    memset(&m, 0, sizeof m);
    m.model = (sc_model_spec){"resnet8", "cifar", 1, 3, 4, 4};
    snprintf(m.dataset, sizeof m.dataset, "mnist");
    snprintf(m.mode, sizeof m.mode, "scaat");
    m.norm_channels = 1;
    m.norm_mean[0] = 0.1307f;
    m.norm_std[0] = 0.3081f;
    m.epoch = 2;
    m.step_in_epoch = 5;
    m.global_step = 45;
    m.seed = 7;
    m.best_accuracy = 0.75;
    m.test_accuracy = -1;
    m.epoch_loss_sum = 3.5;
    m.epoch_correct_sum = 2.25;
    m.epoch_logged_steps = 5;
    m.epoch_saliency_sums[0] = 1.5;
    return m;
}

static int write_seeds(sc_fuzz_emit_fn emit, void *ctx) {
    sc_net *net = tiny_net();
    sc_checkpoint_meta meta = seed_meta();
    for (int with_optimizer = 0; with_optimizer < 2; with_optimizer++) {
        const char *path = sc_fuzz_scratch_write(HARNESS, "seed.safetensors", "", 0);
        sc_error err = {0};
        if (sc_checkpoint_save(path, net, &meta, with_optimizer, &err) != SC_OK) {
            fprintf(stderr, "fuzz %s: %s\n", HARNESS, err.msg);
            return -1;
        }
        if (sc_fuzz_emit_file(emit, ctx, with_optimizer ? "with-optimizer" : "weights-only",
                              path) != 0)
            return -1;
    }
    return 0;
}

const sc_fuzz_target sc_fuzz_target_checkpoint = {HARNESS, 8192, run, write_seeds};
