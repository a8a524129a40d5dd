/* KL(softmax(p_logits) || softmax(q_logits)) on the CPU, fused with both gradients: one
 * sc_kl_row (saliency_math.h) per row with grad_scale / N, the rows' KL values summed in
 * double in row order (whatever the thread count) and added to stats. */
#include "../backend/shape_check.h"
#include "../core/saliency_math.h"
#include "cpu_internal.h"

sc_status sc_cpu_kl_div(sc_backend *be, const sc_kl_params *p, const sc_tensor *p_logits,
                        const sc_tensor *q_logits, const sc_tensor *dp, const sc_tensor *dq,
                        const sc_tensor *stats) {
    SC_TRY(sc_check_kl_div(&be->err, p, p_logits, q_logits, dp, dq, stats));
    const int64_t rows = p_logits->shape[0];
    const int classes = (int)p_logits->shape[1];
    SC_TRY(sc_cpu_reserve_sample_scratch(be, 0, (size_t)rows));
    const sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    const float scale_over_n = p->grad_scale / (float)rows;
    const int accumulate = p->accumulate;
    const float *p_data = sc_f32(p_logits);      /* (N, K) */
    const float *q_data = sc_f32(q_logits);      /* (N, K) */
    float *dp_data = dp ? sc_f32(dp) : NULL;     /* (N, K) or NULL */
    float *dq_data = dq ? sc_f32(dq) : NULL;     /* (N, K) or NULL */
    double *kl_rows = ctx->sample_values;        /* (N) */
#pragma omp parallel for num_threads(ctx->threads) \
    if (sc_tensor_numel(p_logits) >= SC_CPU_PARALLEL_MIN) schedule(static)
    for (int64_t n = 0; n < rows; n++) {
        const int64_t row = n * classes;
        kl_rows[n] = (double)sc_kl_row(p_data + row, q_data + row, classes, scale_over_n,
                                       dp_data ? dp_data + row : NULL,
                                       dq_data ? dq_data + row : NULL, accumulate);
    }
    if (stats) {
        double sum = 0.0;
        for (int64_t n = 0; n < rows; n++)
            sum += kl_rows[n];
        sc_f32(stats)[0] += (float)sum;
    }
    return SC_OK;
}
