/* Element-wise formulas shared by the CPU backend and the CUDA kernels (SC_HD), so both
 * backends evaluate the same expression in the same order. Compiled without FP contraction
 * on both sides (see hd.h), these give bit-identical results where the inputs are identical. */
#ifndef SC_OP_MATH_H
#define SC_OP_MATH_H

#include <math.h>
#include <stdint.h>

#include "hd.h"

SC_HD static inline float sc_relu(float x) { return x > 0.0f ? x : 0.0f; }

/* Gradient of ReLU from its output: dy where y > 0. */
SC_HD static inline float sc_relu_grad(float y, float dy) { return y > 0.0f ? dy : 0.0f; }

/* One element of torch.optim.SGD (dampening 0). Updates *param and *buf in place. */
SC_HD static inline void sc_sgd_update_elem(float *param, float grad, float *buf, float lr,
                                            float momentum, float weight_decay, int nesterov) {
    float g = grad + weight_decay * *param;
    float b = momentum * *buf + g;
    *buf = b;
    float step = nesterov ? g + momentum * b : b;
    *param = *param - lr * step;
}

/* Softmax cross-entropy of one row of logits (k classes) with label smoothing s:
 * loss = -sum_j t_j log softmax_j, t = (1 - s) onehot(label) + s / k.
 * Writes dlogits_row[j] = grad_scale_over_n * (softmax_j - t_j) when dlogits_row is non-NULL.
 * Returns the loss; *correct = 1 when the first argmax equals the label. */
SC_HD static inline float sc_xent_row(const float *logits_row, int k, int label, float smoothing,
                                      float grad_scale_over_n, float *dlogits_row, int *correct) {
    float max_logit = logits_row[0];
    int argmax = 0;
    for (int j = 1; j < k; j++) {
        if (logits_row[j] > max_logit) {
            max_logit = logits_row[j];
            argmax = j;
        }
    }
    float sum_exp = 0.0f;
    for (int j = 0; j < k; j++)
        sum_exp += expf(logits_row[j] - max_logit);
    float log_sum_exp = logf(sum_exp) + max_logit;
    float off_target = smoothing / (float)k;
    float on_target = 1.0f - smoothing + off_target;
    float loss = 0.0f;
    for (int j = 0; j < k; j++) {
        float target = j == label ? on_target : off_target;
        float log_p = logits_row[j] - log_sum_exp;
        loss -= target * log_p;
        if (dlogits_row)
            dlogits_row[j] = grad_scale_over_n * (expf(log_p) - target);
    }
    *correct = argmax == label;
    return loss;
}

#endif
