/* GPU error paths and transfer contracts of the CUDA backend, on the GPU machine (exit 77
 * without a GPU or without the CUDA backend):
 *   - a bad device index is refused with SC_ERR_USAGE and one line naming the devices present;
 *   - a batch too big for the card fails at prepare time (the activation arena) with
 *     SC_ERR_OOM and one line naming the planned size and the device's free memory;
 *   - upload_async: the data lands in stream order (after an op issued before that writes the
 *     same buffer, before an op issued after), two uploads between waits keep their own
 *     staging regions, and a buffer grows the staging without losing an upload;
 *   - a bad label found on the device without debug_sync is refused at the next download with
 *     the CPU's message, once: the next call succeeds;
 *   - batch norm refuses to run in place.
 * A standalone program (no Check), like every tests/gpu_*.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/expect.h"
#include "common/gpu_skip.h"
#include "host/backend/backend.h"
#include "models/resnet.h"

static void bad_device_index(sc_expect *expect) {
    printf("bad device index\n");
    const int bad[2] = {-1, 4096};
    for (int i = 0; i < 2; i++) {
        sc_backend_config config = sc_backend_config_default();
        config.device_index = bad[i];
        sc_backend *be = NULL;
        sc_error err = {0};
        sc_status st = sc_backend_create("cuda", &config, &be, &err);
        char expected[64];
        snprintf(expected, sizeof expected, "device index %d is out of range", bad[i]);
        SC_EXPECT(expect, st == SC_ERR_USAGE && be == NULL, "device %d: status %d", bad[i],
                  (int)st);
        SC_EXPECT(expect, strstr(err.msg, expected) && !strchr(err.msg, '\n'), "device %d: '%s'",
                  bad[i], err.msg);
        printf("  device %d: %s\n", bad[i], err.msg);
        if (be)
            sc_backend_destroy(be);
    }
}

static void oom_at_prepare(sc_expect *expect, sc_backend *gpu) {
    printf("a batch too big for the card\n");
    const sc_model_spec spec = {"resnet50", "imagenet", 3, 1000, 224, 224};
    sc_net *net = NULL;
    sc_acts *acts = NULL;
    sc_error err = {0};
    sc_status st = sc_model_create(&spec, gpu, 1, &net, &err);
    SC_EXPECT(expect, st == SC_OK, "creating resnet50: %s", err.msg);
    if (st != SC_OK)
        return;
    st = sc_acts_create(net, 8192, 1, 1, &acts, &err);
    printf("  %s\n", err.msg);
    SC_EXPECT(expect, st == SC_ERR_OOM, "batch 8192 of resnet50 at 224x224: status %d", (int)st);
    SC_EXPECT(expect,
              strstr(err.msg, "activation arena") && strstr(err.msg, "GiB free of") &&
                  !strchr(err.msg, '\n'),
              "the message names the planned size and the free memory on one line: '%s'", err.msg);
    if (acts)
        sc_acts_destroy(acts);
    /* the backend still works after the failed allocation */
    float one = 1.0f, back = 0.0f;
    void *cell = NULL;
    st = gpu->ops->alloc(gpu, sizeof one, &cell);
    if (st == SC_OK)
        st = gpu->ops->upload(gpu, cell, &one, sizeof one);
    if (st == SC_OK)
        st = gpu->ops->download(gpu, &back, cell, sizeof back);
    SC_EXPECT(expect, st == SC_OK && back == 1.0f, "the backend after the failure: %s",
              gpu->err.msg);
    gpu->ops->free(gpu, cell);
    sc_net_destroy(net);
}

/* n floats of host_alloc memory set to base + i. */
static float *pinned_ramp(sc_backend *be, size_t n, float base) {
    float *host = NULL;
    if (be->ops->host_alloc(be, n * sizeof *host, (void **)&host) != SC_OK)
        return NULL;
    for (size_t i = 0; i < n; i++)
        host[i] = base + (float)i;
    return host;
}

static int equals_ramp(const float *got, size_t n, float base) {
    for (size_t i = 0; i < n; i++)
        if (got[i] != base + (float)i)
            return 0;
    return 1;
}

static void upload_async_order(sc_expect *expect, sc_backend *gpu) {
    printf("upload_async ordering\n");
    const size_t n = (size_t)1 << 20, big = (size_t)3 << 20; /* the second grows the staging */
    float *a = pinned_ramp(gpu, n, 1.0f), *b = pinned_ramp(gpu, n, -7.0f);
    float *c = pinned_ramp(gpu, big, 0.5f), *back = malloc(big * sizeof *back);
    void *dev_a = NULL, *dev_b = NULL, *dev_c = NULL;
    sc_status st = a && b && c && back ? SC_OK : SC_ERR_OOM;
    if (st == SC_OK)
        st = gpu->ops->alloc(gpu, n * sizeof(float), &dev_a);
    if (st == SC_OK)
        st = gpu->ops->alloc(gpu, n * sizeof(float), &dev_b);
    if (st == SC_OK)
        st = gpu->ops->alloc(gpu, big * sizeof(float), &dev_c);
    SC_EXPECT(expect, st == SC_OK, "buffers: %s", gpu->err.msg);
    for (int round = 0; st == SC_OK && round < 3; round++) {
        /* an op issued before writes dev_a; the upload must land after it */
        st = gpu->ops->zero(gpu, dev_a, n * sizeof(float));
        if (st == SC_OK)
            st = gpu->ops->upload_async(gpu, dev_a, a, n * sizeof(float));
        if (st == SC_OK)
            st = gpu->ops->upload_async(gpu, dev_b, b, n * sizeof(float));
        if (st == SC_OK && round == 1)
            st = gpu->ops->upload_async(gpu, dev_c, c, big * sizeof(float));
        /* an op issued after reads what landed: a copy of dev_a into dev_c's start */
        if (st == SC_OK && round == 2)
            st = gpu->ops->copy(gpu, dev_c, dev_a, n * sizeof(float));
        if (st == SC_OK)
            st = gpu->ops->upload_wait(gpu);
        if (st == SC_OK)
            st = gpu->ops->download(gpu, back, dev_a, n * sizeof(float));
        SC_EXPECT(expect, st == SC_OK && equals_ramp(back, n, 1.0f), "round %d: dev_a (%s)", round,
                  gpu->err.msg);
        if (st == SC_OK)
            st = gpu->ops->download(gpu, back, dev_b, n * sizeof(float));
        SC_EXPECT(expect, st == SC_OK && equals_ramp(back, n, -7.0f), "round %d: dev_b", round);
        if (st == SC_OK && round >= 1)
            st = gpu->ops->download(gpu, back, dev_c, big * sizeof(float));
        if (st == SC_OK && round == 1)
            SC_EXPECT(expect, equals_ramp(back, big, 0.5f),
                      "round 1: dev_c after the staging grew");
        if (st == SC_OK && round == 2)
            SC_EXPECT(expect, equals_ramp(back, n, 1.0f),
                      "round 2: the op after the upload saw old data");
    }
    gpu->ops->free(gpu, dev_a);
    gpu->ops->free(gpu, dev_b);
    gpu->ops->free(gpu, dev_c);
    gpu->ops->host_free(gpu, a);
    gpu->ops->host_free(gpu, b);
    gpu->ops->host_free(gpu, c);
    free(back);
}

static void bad_label_at_download(sc_expect *expect, sc_backend *gpu) {
    printf("a bad label without debug_sync\n");
    const int rows = 4, classes = 3;
    const float logits[12] = {0};
    const int32_t bad[4] = {0, 2, 3, 1}, good[4] = {0, 2, 2, 1};
    void *dev_logits = NULL, *dev_labels = NULL, *dev_stats = NULL;
    float stats[2] = {0, 0};
    sc_status st = gpu->ops->alloc(gpu, sizeof logits, &dev_logits);
    if (st == SC_OK)
        st = gpu->ops->alloc(gpu, sizeof bad, &dev_labels);
    if (st == SC_OK)
        st = gpu->ops->alloc(gpu, sizeof stats, &dev_stats);
    if (st == SC_OK)
        st = gpu->ops->upload(gpu, dev_logits, logits, sizeof logits);
    if (st == SC_OK)
        st = gpu->ops->upload(gpu, dev_labels, bad, sizeof bad);
    if (st == SC_OK)
        st = gpu->ops->zero(gpu, dev_stats, sizeof stats);
    SC_EXPECT(expect, st == SC_OK, "buffers: %s", gpu->err.msg);
    if (st == SC_OK) {
        const sc_xent_params p = {0.0f, 1.0f};
        sc_tensor l = sc_tensor_2d(dev_logits, SC_F32, rows, classes);
        sc_tensor y = sc_tensor_1d(dev_labels, SC_I32, rows);
        sc_tensor s = sc_tensor_1d(dev_stats, SC_F32, 2);
        st = gpu->ops->softmax_xent(gpu, &p, &l, &y, NULL, &s);
        SC_EXPECT(expect, st == SC_OK, "the call itself is asynchronous: %s", gpu->err.msg);
        st = gpu->ops->download(gpu, stats, dev_stats, sizeof stats);
        SC_EXPECT(expect,
                  st == SC_ERR_SHAPE &&
                      strcmp(gpu->err.msg, "softmax_xent: label 3 of sample 2 outside [0, 3)") == 0,
                  "the download reports the label as the CPU would: status %d, '%s'", (int)st,
                  gpu->err.msg);
        st = gpu->ops->upload(gpu, dev_labels, good, sizeof good);
        if (st == SC_OK)
            st = gpu->ops->softmax_xent(gpu, &p, &l, &y, NULL, &s);
        if (st == SC_OK)
            st = gpu->ops->download(gpu, stats, dev_stats, sizeof stats);
        SC_EXPECT(expect, st == SC_OK, "reported once, then valid calls succeed: %s", gpu->err.msg);
    }
    gpu->ops->free(gpu, dev_logits);
    gpu->ops->free(gpu, dev_labels);
    gpu->ops->free(gpu, dev_stats);
}

static void bn_not_in_place(sc_expect *expect, sc_backend *gpu) {
    printf("batch norm in place\n");
    void *x = NULL, *c = NULL;
    sc_status st = gpu->ops->alloc(gpu, 2 * 4 * 3 * 3 * sizeof(float), &x);
    if (st == SC_OK)
        st = gpu->ops->alloc(gpu, 4 * 4 * sizeof(float), &c);
    SC_EXPECT(expect, st == SC_OK, "buffers: %s", gpu->err.msg);
    if (st == SC_OK) {
        const int64_t xs[4] = {2, 4, 3, 3};
        sc_tensor xt = sc_tensor_make(x, SC_F32, 4, xs);
        sc_tensor ch[4];
        for (int i = 0; i < 4; i++)
            ch[i] = sc_tensor_1d((float *)c + 4 * i, SC_F32, 4);
        const sc_bn_params p = {1e-5f, 0.1f};
        st = gpu->ops->bn_infer_fwd(gpu, &p, &xt, &ch[0], &ch[1], &ch[2], &ch[3], &xt);
        SC_EXPECT(expect, st == SC_ERR_SHAPE && strstr(gpu->err.msg, "does not run in place"),
                  "bn_infer_fwd with y = x: status %d, '%s'", (int)st, gpu->err.msg);
    }
    gpu->ops->free(gpu, x);
    gpu->ops->free(gpu, c);
}

int main(void) {
    sc_backend_config config = sc_backend_config_default();
    config.deterministic = 1;
    sc_backend *cpu = NULL, *gpu = NULL;
    int rc = sc_test_gpu_backends(&config, &cpu, &gpu);
    if (rc != 0)
        return rc;
    sc_expect expect = {0};
    bad_device_index(&expect);
    oom_at_prepare(&expect, gpu);
    upload_async_order(&expect, gpu);
    bad_label_at_download(&expect, gpu);
    bn_not_in_place(&expect, gpu);
    sc_backend_destroy(gpu);
    sc_backend_destroy(cpu);
    return sc_expect_finish(&expect);
}
