/* The overlap of the gradient all-reduce with the backward pass (host/dist/gradient_sync.c),
 * without a second process: a full backward of resnet8 on the CPU backend, with buckets far
 * smaller than the model, tells a probe after every layer. Each bucket that
 * sc_gradient_sync_ready_count lets start at that point must already hold the gradients of the
 * whole pass, bit for bit (a bucket started too early would be all-reduced half-written); the
 * count never falls, some buckets are ready well before the pass ends (the overlap is real)
 * and all of them after layer 0. The bucket plan of a single bucket and a split parameter is
 * covered too. Sums over two ranks, overlapped or not, are compared in test_dist_mpi.c. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/test_util.h"
#include "host/dist/gradient_sync.h"
#include "models/resnet.h"
#include "tests/common/check_run.h"

#define BATCH 4
#define BUCKET_FLOATS 1500 /* resnet8 has 78k gradient floats: about 52 buckets */

typedef struct probe {
    sc_gradient_sync *sync;
    const float *live;   /* net->flat_grads as the backward writes it */
    const float *final;  /* the same pass's gradients, computed beforehand */
    sc_dist_bucket *buckets;
    int n_buckets;
    int last_count;
    int calls, early_ready; /* layers seen; buckets ready before the last layer was done */
    int failed_bucket;      /* -1, or a bucket ready but not final */
} probe;

static sc_status on_layer(void *ctx, int layer, sc_error *err) {
    (void)err;
    probe *p = ctx;
    int ready = sc_gradient_sync_ready_count(p->sync, layer);
    ck_assert_int_ge(ready, p->last_count);
    for (int i = 0; i < ready; i++) {
        const sc_dist_bucket *b = &p->buckets[i];
        if (memcmp(p->live + b->offset, p->final + b->offset, (size_t)b->count * sizeof(float)))
            p->failed_bucket = i;
    }
    if (layer > 0)
        p->early_ready = ready;
    p->last_count = ready;
    p->calls++;
    return SC_OK;
}

/* The loss gradient of the batch into dlogits (a backward pass reuses that buffer for other
 * gradients, so every pass needs it afresh). */
static void loss_gradient(sc_backend *be, sc_acts *acts) {
    sc_xent_params xp = {0.0f, 1.0f};
    float stats_data[2];
    sc_tensor stats = sc_tensor_1d(stats_data, SC_F32, 2);
    sc_tensor logits = sc_as_matrix(sc_acts_logits(acts));
    sc_tensor dlogits = sc_as_matrix(sc_acts_dlogits(acts));
    ck_assert_msg(be->ops->softmax_xent(be, &xp, &logits, &acts->labels, &dlogits, &stats) ==
                  SC_OK, "%s", be->err.msg);
}

/* resnet8 on 16x16 RGB after a training forward of a fixed batch. */
static void make_net(sc_backend **be, sc_net **net, sc_acts **acts) {
    sc_error err;
    ck_assert_msg(sc_backend_create("cpu", NULL, be, &err) == SC_OK, "%s", err.msg);
    sc_model_spec spec = {"resnet8", "cifar", 3, 10, 16, 16};
    ck_assert_msg(sc_model_create(&spec, *be, 5, net, &err) == SC_OK, "%s", err.msg);
    ck_assert_msg(sc_acts_create(*net, BATCH, 1, 0, acts, &err) == SC_OK, "%s", err.msg);
    float *x = sc_f32(&(*acts)->values[0]);
    for (int64_t i = 0; i < sc_tensor_numel(&(*acts)->values[0]); i++)
        x[i] = (float)((i * 37) % 101) / 50.0f - 1.0f;
    int32_t *labels = (*acts)->labels.data;
    for (int i = 0; i < BATCH; i++)
        labels[i] = (i * 3) % 10;
    ck_assert_msg(sc_net_forward(*net, *acts, SC_FWD_TRAIN, &err) == SC_OK, "%s", err.msg);
}

START_TEST(test_buckets_ready_only_when_final) {
    sc_backend *be;
    sc_net *net;
    sc_acts *acts;
    make_net(&be, &net, &acts);
    sc_error err;
    int64_t total = sc_tensor_numel(&net->flat_grads);
    float *final = malloc((size_t)total * sizeof *final);
    ck_assert_ptr_nonnull(final);
    ck_assert_int_eq(sc_net_zero_grads(net, &err), SC_OK);
    loss_gradient(be, acts);
    ck_assert_msg(sc_net_backward(net, acts, SC_BWD_FULL, &err) == SC_OK, "%s", err.msg);
    memcpy(final, sc_f32(&net->flat_grads), (size_t)total * sizeof *final);

    sc_dist d = {.rank = 0, .world_size = 1, .local_size = 1};
    sc_gradient_sync *sync = NULL;
    ck_assert_msg(sc_gradient_sync_create(&d, net, BUCKET_FLOATS, 1, &sync, &err) == SC_OK, "%s",
                  err.msg);
    probe p = {.sync = sync, .live = sc_f32(&net->flat_grads), .final = final,
               .failed_bucket = -1};
    p.n_buckets = sc_gradient_sync_bucket_count(sync);
    ck_assert_int_eq(p.n_buckets, (int)((total + BUCKET_FLOATS - 1) / BUCKET_FLOATS));
    p.buckets = calloc((size_t)p.n_buckets, sizeof *p.buckets);
    ck_assert_ptr_nonnull(p.buckets);
    sc_dist_plan_buckets(total, BUCKET_FLOATS, p.buckets, p.n_buckets);
    /* a single process without NCCL has nothing to overlap: no hook for the trainer */
    ck_assert_ptr_null(sc_gradient_sync_hook(sync));

    ck_assert_int_eq(sc_net_zero_grads(net, &err), SC_OK);
    loss_gradient(be, acts);
    sc_backward_hook hook = {on_layer, &p};
    ck_assert_msg(sc_net_backward_hooked(net, acts, SC_BWD_FULL, &hook, &err) == SC_OK, "%s",
                  err.msg);
    ck_assert_int_eq(p.calls, net->n_layers);
    ck_assert_msg(p.failed_bucket < 0, "bucket %d was ready before its gradients were final",
                  p.failed_bucket);
    ck_assert_int_eq(p.last_count, p.n_buckets);
    /* layer3 (a third of resnet8's weights) is done long before the stem */
    ck_assert_msg(p.early_ready >= p.n_buckets / 3, "only %d of %d buckets ready before the "
                  "last layer", p.early_ready, p.n_buckets);
    ck_assert_int_lt(p.early_ready, p.n_buckets);

    /* one bucket for the whole buffer: ready only once the stem (layer 0) is done */
    sc_gradient_sync *one = NULL;
    ck_assert_int_eq(sc_gradient_sync_create(&d, net, 0, 1, &one, &err), SC_OK);
    ck_assert_int_eq(sc_gradient_sync_bucket_count(one), 1);
    ck_assert_int_eq(sc_gradient_sync_ready_count(one, 1), 0);
    ck_assert_int_eq(sc_gradient_sync_ready_count(one, 0), 1);
    sc_gradient_sync_destroy(one);

    free(p.buckets);
    free(final);
    sc_gradient_sync_destroy(sync);
    sc_acts_destroy(acts);
    sc_net_destroy(net);
    sc_backend_destroy(be);
}
END_TEST

/* A parameter split by a bucket edge keeps both buckets waiting for its layer. */
START_TEST(test_split_parameter_waits_for_its_layer) {
    sc_backend *be;
    sc_net *net;
    sc_acts *acts;
    make_net(&be, &net, &acts);
    sc_error err;
    int fc = sc_net_find_param(net, "fc.weight");
    ck_assert_int_ge(fc, 0);
    int fc_layer = -1;
    for (int l = 0; l < net->n_layers; l++)
        if (net->layers[l].param_weight == fc)
            fc_layer = l;
    ck_assert_int_ge(fc_layer, 1);
    int64_t total = sc_tensor_numel(&net->flat_grads);
    int64_t fc_first = (int64_t)(net->params[fc].offset / sizeof(float));
    /* the edge of the last bucket falls in the middle of fc.weight */
    int64_t bucket = total - (fc_first + 100);
    sc_dist d = {.rank = 0, .world_size = 1, .local_size = 1};
    sc_gradient_sync *sync = NULL;
    ck_assert_int_eq(sc_gradient_sync_create(&d, net, bucket, 1, &sync, &err), SC_OK);
    ck_assert_int_eq(sc_gradient_sync_ready_count(sync, fc_layer + 1), 0);
    /* the next bucket holds the rest of fc.weight and earlier layers: not ready with fc */
    ck_assert_int_eq(sc_gradient_sync_ready_count(sync, fc_layer), 1);
    sc_gradient_sync_destroy(sync);
    sc_acts_destroy(acts);
    sc_net_destroy(net);
    sc_backend_destroy(be);
}
END_TEST

int main(void) {
    Suite *s = suite_create("grad-overlap");
    TCase *tc = tcase_create("grad-overlap");
    tcase_add_test(tc, test_buckets_ready_only_when_final);
    tcase_add_test(tc, test_split_parameter_waits_for_its_layer);
    suite_add_tcase(s, tc);
    return sc_check_run(s);
}
