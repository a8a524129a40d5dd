/* Max-sensitivity (Yeh et al. 2019): `copies` noisy copies x' = x + U(-r, r) (normalised
 * units, add_noise), the map of each for the same target, and
 * max over copies of ||s(x') - s(x)||_2 / ||s(x)||_2 (relative_distance) among the copies
 * whose predicted class is that of x; NaN when every copy changed the prediction. The copies
 * are forwarded in batches (for the predictions) and explained one after another; the final
 * maximum over at most `copies` numbers per sample is taken on the host. */
#include <math.h>
#include <stdlib.h>

#include "metric_batch.h"

typedef struct sens_rows {
    sc_tensor unchanged; /* (n, copies) 1 where the copy keeps the clean prediction */
    float *distance;     /* (copies, n) on the device: row j = copy j */
} sens_rows;

static sc_status sens_make(sc_metric_batch *b, const void *ctx, int j, const sc_tensor *dst,
                           sc_error *err) {
    sc_backend *be = b->be;
    sc_tensor x = sc_metric_cur(b, &b->x);
    sc_noise_params np = {SC_NOISE_UNIFORM, b->cfg->sens_radius,
                          sc_metric_key(b, SC_METRIC_MAX_SENSITIVITY, j)};
    return sc_metric_op(b, be->ops->add_noise(be, &np, &x, dst), "sensitivity noise", err);
}

static sc_status sens_score(sc_metric_batch *b, const void *ctx, int j, const sc_tensor *noisy,
                            const sc_tensor *logits, sc_error *err) {
    const sens_rows *r = ctx;
    sc_backend *be = b->be;
    sc_tensor pred = sc_metric_cur(b, &b->pred), target = sc_metric_cur(b, &b->target);
    sc_tensor map = sc_metric_cur(b, &b->map), noisy_map = sc_metric_cur(b, &b->map2);
    SC_TRY(sc_metric_op(b, be->ops->target_score(be, SC_SCORE_CORRECT, logits, &pred, j,
                                                 &r->unchanged),
                        "sensitivity prediction", err));
    int64_t n = b->n;
    SC_TRY(sc_explainer_run(b->explainer, noisy, &target, &noisy_map, NULL, err));
    sc_tensor dist = sc_tensor_1d(r->distance + (size_t)j * (size_t)n, SC_F32, n);
    return sc_metric_op(b, be->ops->relative_distance(be, &noisy_map, &map, &dist),
                        "sensitivity distance", err);
}

sc_status sc_metric_max_sensitivity(sc_metric_batch *b, float *out, sc_error *err) {
    sc_backend *be = b->be;
    int n = b->n, copies = b->cfg->sens_copies;
    sens_rows r = {sc_tensor_2d(b->scratch_b.data, SC_F32, n, copies), b->scratch_a.data};
    sc_copy_job job = {copies, sens_make, sens_score, &r};
    SC_TRY(sc_metric_run_copies(b, &job, err));
    size_t count = (size_t)n * (size_t)copies;
    float *host = malloc(2 * count * sizeof *host);
    if (!host)
        return sc_fail(err, SC_ERR_OOM, "no host memory for the sensitivity rows");
    float *unchanged = host, *distance = host + count;
    sc_status st = be->ops->download(be, unchanged, r.unchanged.data, count * sizeof *host);
    if (st == SC_OK)
        st = be->ops->download(be, distance, r.distance, count * sizeof *host);
    for (int i = 0; st == SC_OK && i < n; i++) {
        float best = NAN; /* no copy kept the prediction, or a NaN distance */
        int kept = 0;
        for (int j = 0; j < copies; j++) {
            float d = distance[(size_t)j * (size_t)n + (size_t)i];
            if (unchanged[(size_t)i * (size_t)copies + (size_t)j] == 0.0f)
                continue;
            if (isnan(d)) {
                best = NAN;
                break;
            }
            if (!kept || d > best)
                best = d;
            kept = 1;
        }
        out[i] = best;
    }
    free(host);
    return sc_metric_op(b, st, "sensitivity rows", err);
}
