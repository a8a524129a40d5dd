/* Saliency methods of `scaat explain` and `scaat evaluate`, all through backend ops:
 * - gradient: mean over c of |g|, g = d f_t(x) / dx, BN in eval mode (saliency.h);
 * - input-x-gradient: mean over c of |x * g|;
 * - smoothgrad: mean over c of |mean over `samples` noisy copies of g| (noise N(0, sigma^2),
 *   sigma = noise * (max(x_n) - min(x_n)), Philox key (seed, batch index, SC_RNG_NOISE));
 * - integrated-gradients: baseline 0 (the dataset mean), attribution
 *   a = x * sum_i w_i g(alpha_i x) with `steps` Gauss-Legendre nodes alpha_i / weights w_i on
 *   [0, 1]; map = mean over c of |a|; completeness gap sum a - (f_t(x) - f_t(0)) per sample;
 * - gradcam: A = the value feeding the global-average-pool layer, alpha_k = spatial mean of
 *   d f_t / dA_k, map = ReLU(sum_k alpha_k A_k) bilinearly resized to H x W.
 * Maps are (N, 1, H, W) and non-negative. */
#ifndef SC_METHODS_H
#define SC_METHODS_H

#include <stdint.h>

#include "host/nn/net.h"

typedef enum sc_method_kind {
    SC_METHOD_GRADIENT = 0,
    SC_METHOD_INPUT_X_GRADIENT,
    SC_METHOD_SMOOTHGRAD,
    SC_METHOD_INTEGRATED_GRADIENTS,
    SC_METHOD_GRADCAM,
    SC_METHOD_COUNT
} sc_method_kind;

/* "gradient", "input-x-gradient", "smoothgrad", "integrated-gradients", "gradcam";
 * anything else is SC_ERR_USAGE naming the choices. */
sc_status sc_method_parse(const char *name, sc_method_kind *out, sc_error *err);
const char *sc_method_name(sc_method_kind k);

typedef struct sc_method_config {
    sc_method_kind kind;
    int samples;        /* smoothgrad copies, default 25 */
    float noise;        /* smoothgrad sigma as a fraction of the image range, default 0.15 */
    int steps;          /* integrated-gradients steps (Gauss-Legendre nodes on [0,1]), default 32 */
    int internal_batch; /* images per device batch for the noisy copies / IG steps (0 = the batch) */
    uint64_t seed;      /* keys SmoothGrad's noise */
} sc_method_config;

void sc_method_config_default(sc_method_config *c);

/* Owns activations with input gradients and scratch, planned once for one network. */
typedef struct sc_explainer sc_explainer;

/* Explains batches of up to `batch` images. */
sc_status sc_explainer_create(sc_net *net, int batch, const sc_method_config *cfg,
                              sc_explainer **out, sc_error *err);
/* x (n, C, H, W) device, targets (n) int32 device (n <= batch) -> maps (n, 1, H, W) device,
 * non-negative; ig_gap (n) device F32 or NULL: IG's completeness gap
 * sum IG - (f_t(x) - f_t(baseline)) (left untouched by the other methods). */
sc_status sc_explainer_run(sc_explainer *e, const sc_tensor *x, const sc_tensor *targets,
                           const sc_tensor *maps, const sc_tensor *ig_gap, sc_error *err);
/* The predicted classes of x (n) into targets (n) int32 (eval mode). */
sc_status sc_explainer_predict(sc_explainer *e, const sc_tensor *x, const sc_tensor *targets,
                               sc_error *err);
void sc_explainer_destroy(sc_explainer *e);

#endif
