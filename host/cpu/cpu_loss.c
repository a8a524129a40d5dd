/* Softmax cross-entropy on the CPU: sc_xent_row (op_math.h) per sample, the batch's loss sum
 * and correct count added to stats, dlogits = grad_scale * (softmax - target) / N. */
#include "../backend/shape_check.h"
#include "../core/op_math.h"
#include "cpu_internal.h"

sc_status sc_cpu_softmax_xent(sc_backend *be, const sc_xent_params *p, const sc_tensor *logits,
                              const sc_tensor *labels, const sc_tensor *dlogits,
                              const sc_tensor *stats) {
    SC_TRY(sc_check_xent(&be->err, p, logits, labels, dlogits, stats));
    const int64_t rows = logits->shape[0];
    const int classes = (int)logits->shape[1];
    const int32_t *label_data = sc_i32(labels); /* (N) */
    for (int64_t n = 0; n < rows; n++)
        if (label_data[n] < 0 || label_data[n] >= classes)
            return sc_fail(&be->err, SC_ERR_SHAPE,
                           "softmax_xent: label %d of sample %lld outside [0, %d)",
                           (int)label_data[n], (long long)n, classes);
    const float grad_scale_over_n = p->grad_scale / (float)rows;
    const float *logit_data = sc_f32(logits);                  /* (N, K) */
    float *dlogit_data = dlogits ? sc_f32(dlogits) : NULL;     /* (N, K) */
    double loss_sum = 0.0;
    int64_t correct_sum = 0;
    for (int64_t n = 0; n < rows; n++) {
        int correct;
        loss_sum += sc_xent_row(logit_data + n * classes, classes, label_data[n],
                                p->label_smoothing, grad_scale_over_n,
                                dlogit_data ? dlogit_data + n * classes : NULL, &correct);
        correct_sum += correct;
    }
    float *stat_data = sc_f32(stats); /* (2) */
    stat_data[0] += (float)loss_sum;
    stat_data[1] += (float)correct_sum;
    return SC_OK;
}
