/* Per-sample scores and row statistics of the metrics on the CPU (formulas in metric_math.h):
 * the target class's probability, logit or correctness (target_score), the trapezoid area of
 * curves (curve_auc), the Pearson correlation of two rows (pearson_rows), the masked sum of a
 * map (masked_sum) and ||a - b|| / ||b|| (relative_distance). Every sum is in double in index
 * order, and each sample is computed by one thread, so the results do not depend on the
 * thread count. */
#include <math.h>

#include "../backend/shape_check.h"
#include "../core/metric_math.h"
#include "cpu_internal.h"

sc_status sc_cpu_target_score(sc_backend *be, sc_score_kind kind, const sc_tensor *logits,
                              const sc_tensor *targets, int column, const sc_tensor *out) {
    SC_TRY(sc_check_target_score(&be->err, kind, logits, targets, column, out));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t rows = logits->shape[0], classes = logits->shape[1], steps = out->shape[1];
    const float *logit_data = sc_f32(logits);    /* (N, K) */
    const int32_t *target_data = sc_i32(targets); /* (N) */
    float *out_data = sc_f32(out);               /* (N, S), column `column` written */
    for (int64_t n = 0; n < rows; n++)
        if (target_data[n] < 0 || target_data[n] >= classes)
            return sc_fail(&be->err, SC_ERR_SHAPE,
                           "target_score: target %d of sample %lld outside [0, %lld)",
                           (int)target_data[n], (long long)n, (long long)classes);
#pragma omp parallel for num_threads(team) if (sc_tensor_numel(logits) >= SC_CPU_PARALLEL_MIN) \
    schedule(static)
    for (int64_t n = 0; n < rows; n++) {
        const float *row = logit_data + n * classes; /* (K) */
        const int t = target_data[n];
        float score;
        if (kind == SC_SCORE_PROB)
            score = sc_softmax_prob_row(row, (int)classes, t);
        else if (kind == SC_SCORE_LOGIT)
            score = row[t];
        else
            score = sc_correct_row(row, (int)classes, t);
        out_data[n * steps + column] = score;
    }
    return SC_OK;
}

sc_status sc_cpu_curve_auc(sc_backend *be, const sc_tensor *curves, const sc_tensor *auc) {
    SC_TRY(sc_check_curve_auc(&be->err, curves, auc));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t rows = curves->shape[0], points = curves->shape[1];
    const float *curve_data = sc_f32(curves); /* (N, S) */
    float *auc_data = sc_f32(auc);            /* (N) */
#pragma omp parallel for num_threads(team) if (sc_tensor_numel(curves) >= SC_CPU_PARALLEL_MIN) \
    schedule(static)
    for (int64_t n = 0; n < rows; n++) {
        const float *y = curve_data + n * points; /* (S) */
        double sum = 0.0;
        for (int64_t i = 0; i + 1 < points; i++)
            sum += sc_trapezoid_term(y[i], y[i + 1]);
        auc_data[n] = (float)sc_trapezoid_finish(sum, points);
    }
    return SC_OK;
}

/* Pearson correlation of two rows of m values: NaN when either holds a NaN or is constant
 * (its min equals its max); else the centred sums around the double means. */
static double row_pearson(const float *a, const float *b, int64_t m) {
    float a_lo = a[0], a_hi = a[0], b_lo = b[0], b_hi = b[0];
    double sum_a = 0.0, sum_b = 0.0;
    for (int64_t i = 0; i < m; i++) {
        if (isnan(a[i]) || isnan(b[i]))
            return NAN;
        a_lo = fminf(a_lo, a[i]);
        a_hi = fmaxf(a_hi, a[i]);
        b_lo = fminf(b_lo, b[i]);
        b_hi = fmaxf(b_hi, b[i]);
        sum_a += (double)a[i];
        sum_b += (double)b[i];
    }
    if (a_lo == a_hi || b_lo == b_hi)
        return NAN;
    const double mean_a = sum_a / (double)m, mean_b = sum_b / (double)m;
    double sab = 0.0, saa = 0.0, sbb = 0.0;
    for (int64_t i = 0; i < m; i++) {
        const double da = (double)a[i] - mean_a, db = (double)b[i] - mean_b;
        sab += da * db;
        saa += da * da;
        sbb += db * db;
    }
    return sc_pearson_finish(sab, saa, sbb);
}

sc_status sc_cpu_pearson_rows(sc_backend *be, const sc_tensor *a, const sc_tensor *b,
                              const sc_tensor *out) {
    SC_TRY(sc_check_pearson_rows(&be->err, a, b, out));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t rows = a->shape[0], cols = a->shape[1];
    const float *a_data = sc_f32(a); /* (N, M) */
    const float *b_data = sc_f32(b); /* (N, M) */
    float *out_data = sc_f32(out);   /* (N) */
#pragma omp parallel for num_threads(team) if (sc_tensor_numel(a) >= SC_CPU_PARALLEL_MIN) \
    schedule(static)
    for (int64_t n = 0; n < rows; n++)
        out_data[n] = (float)row_pearson(a_data + n * cols, b_data + n * cols, cols);
    return SC_OK;
}

sc_status sc_cpu_masked_sum(sc_backend *be, const sc_tensor *map, const sc_tensor *mask,
                            int column, const sc_tensor *out) {
    SC_TRY(sc_check_masked_sum(&be->err, map, mask, column, out));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t samples = map->shape[0], hw = map->shape[2] * map->shape[3];
    const int64_t steps = out->shape[1];
    const float *map_data = sc_f32(map);                 /* (N, 1, H, W) */
    const float *mask_data = mask ? sc_f32(mask) : NULL; /* (N, 1, H, W) or NULL (all) */
    float *out_data = sc_f32(out);                       /* (N, S), column `column` written */
#pragma omp parallel for num_threads(team) if (sc_tensor_numel(map) >= SC_CPU_PARALLEL_MIN) \
    schedule(static)
    for (int64_t n = 0; n < samples; n++) {
        double sum = 0.0;
        for (int64_t i = n * hw; i < (n + 1) * hw; i++)
            if (!mask_data || mask_data[i] != 0.0f)
                sum += (double)map_data[i];
        out_data[n * steps + column] = (float)sum;
    }
    return SC_OK;
}

sc_status sc_cpu_relative_distance(sc_backend *be, const sc_tensor *a, const sc_tensor *b,
                                   const sc_tensor *out) {
    SC_TRY(sc_check_relative_distance(&be->err, a, b, out));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t samples = a->shape[0], per_sample = sc_cols(a);
    const float *a_data = sc_f32(a); /* (N, ...) */
    const float *b_data = sc_f32(b); /* (N, ...) */
    float *out_data = sc_f32(out);   /* (N) */
#pragma omp parallel for num_threads(team) if (sc_tensor_numel(a) >= SC_CPU_PARALLEL_MIN) \
    schedule(static)
    for (int64_t n = 0; n < samples; n++) {
        double diff_sq = 0.0, ref_sq = 0.0;
        for (int64_t i = n * per_sample; i < (n + 1) * per_sample; i++) {
            diff_sq += sc_sq_diff(a_data[i], b_data[i]);
            ref_sq += sc_sq_diff(b_data[i], 0.0f);
        }
        out_data[n] = (float)sc_relative_distance_finish(diff_sq, ref_sq);
    }
    return SC_OK;
}
