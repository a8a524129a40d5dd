/* Cascading model randomisation (Adebayo et al. 2018): the parameterised layers are
 * re-initialised from the top (the classifier) down, one more at a time, each with the rule
 * the network was built with (net_reinit.h; BN back to gamma 1, beta 0). After each, the map of
 * the same input and target is compared with the original map by Spearman's rank correlation
 * (rank_rows, then pearson_rows of the ranks). The randomised weights are the same for every
 * batch (keyed by the run's seed); the loaded weights come back from a device copy. */
#include <math.h>
#include <stdlib.h>

#include "host/nn/net_reinit.h"
#include "metric_batch.h"

/* Row l of out (L, n): Spearman between the original map's ranks and the map after each step. */
static sc_status cascade(sc_metric_batch *b, const sc_tensor *ranks0, float *out, sc_error *err) {
    sc_backend *be = b->be;
    sc_net *net = b->net;
    int64_t n = b->n, hw = (int64_t)net->in_h * net->in_w;
    sc_tensor x = sc_metric_cur(b, &b->x), target = sc_metric_cur(b, &b->target);
    sc_tensor map = sc_metric_cur(b, &b->map2);
    sc_tensor map_rows = sc_tensor_2d(map.data, SC_F32, n, hw);
    sc_tensor ranks = sc_tensor_2d(b->scratch_b.data, SC_F32, n, hw);
    int step = 0;
    for (int l = net->n_layers - 1; l >= 0; l--) {
        if (!sc_net_layer_has_params(net, l))
            continue;
        SC_TRY(sc_net_reinit_layer(net, l, b->cfg->seed, err));
        SC_TRY(sc_explainer_run(b->explainer, &x, &target, &map, NULL, err));
        SC_TRY(sc_metric_op(b, be->ops->rank_rows(be, &map_rows, &ranks), "randomised ranks",
                            err));
        sc_tensor rho = sc_tensor_1d(out + (size_t)step * (size_t)n, SC_F32, n);
        SC_TRY(sc_metric_op(b, be->ops->pearson_rows(be, ranks0, &ranks, &rho),
                            "randomisation correlation", err));
        step++;
    }
    return SC_OK;
}

/* curve (n, L) from the device's (L, n); mean over the finite points of each row. */
static void gather(const float *rows, int64_t n, int layers, float *curve, float *mean) {
    for (int64_t i = 0; i < n; i++) {
        double sum = 0.0;
        int finite = 0;
        for (int l = 0; l < layers; l++) {
            float v = rows[(size_t)l * (size_t)n + (size_t)i];
            curve[i * layers + l] = v;
            if (isfinite(v)) {
                sum += v;
                finite++;
            }
        }
        mean[i] = finite > 0 ? (float)(sum / finite) : NAN;
    }
}

sc_status sc_metric_randomisation(sc_metric_batch *b, float *curve, float *mean, sc_error *err) {
    sc_backend *be = b->be;
    sc_net *net = b->net;
    int64_t n = b->n, hw = (int64_t)net->in_h * net->in_w;
    int layers = sc_metric_field_points(b->cfg, net, SC_FIELD_RANDOMISATION);
    sc_tensor map_rows = sc_tensor_2d(b->map.data, SC_F32, n, hw);
    sc_tensor ranks0 = sc_tensor_2d(b->scratch_a.data, SC_F32, n, hw);
    float *out = b->curve[SC_FIELD_RANDOMISATION].data;
    sc_status st = sc_metric_op(b, be->ops->rank_rows(be, &map_rows, &ranks0), "original ranks",
                                err);
    if (st == SC_OK)
        st = cascade(b, &ranks0, out, err);
    sc_status restored = be->ops->copy(be, net->param_arena.base, b->param_backup,
                                       net->param_arena.size);
    if (st == SC_OK)
        st = sc_metric_op(b, restored, "restoring the parameters", err);
    size_t count = (size_t)layers * (size_t)n;
    float *host = malloc(count * sizeof *host + 1);
    if (st == SC_OK && !host)
        st = sc_fail(err, SC_ERR_OOM, "no host memory for the randomisation rows");
    if (st == SC_OK)
        st = sc_metric_op(b, be->ops->download(be, host, out, count * sizeof *host),
                          "randomisation rows", err);
    if (st == SC_OK)
        gather(host, n, layers, curve, mean);
    free(host);
    return st;
}
