/* Finite-difference gradient checker (see gradcheck.h). */
#include "gradcheck.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

sc_gradcheck_opts sc_gradcheck_opts_default(void) {
    sc_gradcheck_opts o;
    o.eps = 1e-2f;
    o.floor = 1e-3;
    o.max_points = 0;
    return o;
}

double sc_gradcheck_loss(const float *out, const float *r, size_t n_out) {
    double loss = 0.0;
    for (size_t j = 0; j < n_out; j++)
        loss += (double)r[j] * (double)out[j];
    return loss;
}

/* Loss with input[i] set to value (input[i] is restored by the caller). */
static sc_status loss_at(sc_gradcheck_forward_fn forward, void *ctx, float *input, size_t i,
                         float value, float *out, size_t n_out, const float *r, double *loss,
                         sc_error *err) {
    input[i] = value;
    sc_status st = forward(ctx, out);
    if (st != SC_OK)
        return sc_fail(err, st, "gradcheck: forward failed (%s) with element %zu perturbed",
                       sc_status_name(st), i);
    *loss = sc_gradcheck_loss(out, r, n_out);
    return SC_OK;
}

/* Fills res from the analytic gradient at the checked elements index[k] and their central
 * differences numeric[k]. */
static void compare(const float *analytic, const size_t *index, const double *numeric,
                    size_t points, double floor, sc_gradcheck_result *res) {
    double scale = floor;
    for (size_t k = 0; k < points; k++) {
        double a = analytic[index[k]];
        if (isfinite(a) && isfinite(numeric[k]))
            scale = fmax(scale, fmax(fabs(a), fabs(numeric[k])));
    }
    res->scale = scale;
    res->checked = points;
    res->max_err = points ? -1.0 : 0.0;
    res->worst_index = 0;
    res->worst_analytic = res->worst_numeric = 0.0f;
    for (size_t k = 0; k < points; k++) {
        double a = analytic[index[k]];
        double e =
            isfinite(a) && isfinite(numeric[k]) ? fabs(a - numeric[k]) / scale : INFINITY;
        if (e > res->max_err) {
            res->max_err = e;
            res->worst_index = index[k];
            res->worst_analytic = (float)a;
            res->worst_numeric = (float)numeric[k];
        }
    }
}

sc_status sc_gradcheck_run(sc_gradcheck_forward_fn forward, void *ctx, float *input, size_t n_input,
                           size_t n_out, const float *r, const float *analytic,
                           const sc_gradcheck_opts *opts, sc_gradcheck_result *res, sc_error *err) {
    sc_gradcheck_opts defaults = sc_gradcheck_opts_default();
    if (!opts)
        opts = &defaults;
    size_t points = opts->max_points && opts->max_points < n_input ? opts->max_points : n_input;
    float *out = malloc((n_out ? n_out : 1) * sizeof(float));
    size_t *index = malloc((points ? points : 1) * sizeof(size_t));
    double *numeric = malloc((points ? points : 1) * sizeof(double));
    if (!out || !index || !numeric) {
        free(out);
        free(index);
        free(numeric);
        return sc_fail(err, SC_ERR_OOM, "gradcheck: out of memory (%zu outputs, %zu points)", n_out,
                       points);
    }
    sc_status st = SC_OK;
    for (size_t k = 0; k < points && st == SC_OK; k++) {
        size_t i = points == n_input ? k : k * n_input / points;
        float saved = input[i];
        double loss_plus = 0.0, loss_minus = 0.0;
        st = loss_at(forward, ctx, input, i, saved + opts->eps, out, n_out, r, &loss_plus, err);
        if (st == SC_OK)
            st = loss_at(forward, ctx, input, i, saved - opts->eps, out, n_out, r, &loss_minus,
                         err);
        input[i] = saved;
        /* the step actually taken, after rounding saved +- eps to float */
        double step = (double)(saved + opts->eps) - (double)(saved - opts->eps);
        index[k] = i;
        numeric[k] = (loss_plus - loss_minus) / step;
    }
    if (st == SC_OK) {
        /* leave forward's side effects (outputs, saved statistics) as at the unperturbed point */
        st = forward(ctx, out);
        if (st != SC_OK)
            sc_fail(err, st, "gradcheck: forward failed (%s) at the unperturbed input",
                    sc_status_name(st));
    }
    if (st == SC_OK)
        compare(analytic, index, numeric, points, opts->floor, res);
    free(out);
    free(index);
    free(numeric);
    return st;
}

const char *sc_gradcheck_describe(const sc_gradcheck_result *res, char *buf, size_t len) {
    snprintf(buf, len,
             "max error %.3g at element %zu (analytic %.7g, numeric %.7g, scale %.3g), %zu "
             "elements checked",
             res->max_err, res->worst_index, (double)res->worst_analytic,
             (double)res->worst_numeric, res->scale, res->checked);
    return buf;
}
