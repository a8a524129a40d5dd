/* Gaussian blur of every image channel on the CPU (gaussian_blur), as torchvision's
 * gaussian_blur: the normalised 1-D kernel of sc_gaussian_kernel1d (metric_math.h), the 2-D
 * weight of a tap the float product of two 1-D weights, reflect padding, each output pixel a
 * direct 2-D sum (sc_blur_pixel) in a fixed tap order. Each output element is computed by one
 * thread, so the result does not depend on the thread count. */
#include "../backend/shape_check.h"
#include "../core/metric_math.h"
#include "cpu_internal.h"

sc_status sc_cpu_gaussian_blur(sc_backend *be, const sc_blur_params *p, const sc_tensor *x,
                               const sc_tensor *out) {
    SC_TRY(sc_check_gaussian_blur(&be->err, p, x, out));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t height = x->shape[2], width = x->shape[3], hw = height * width;
    const int64_t total = sc_tensor_numel(x);
    const int kernel = p->kernel;
    float weights[SC_BLUR_MAX_KERNEL]; /* (kernel) */
    sc_gaussian_kernel1d(kernel, p->sigma, weights);
    const float *x_data = sc_f32(x); /* (N, C, H, W) */
    float *out_data = sc_f32(out);   /* (N, C, H, W), apart from x */
#pragma omp parallel for num_threads(team) if (total >= SC_CPU_PARALLEL_MIN) schedule(static)
    for (int64_t i = 0; i < total; i++) {
        const int64_t plane = i / hw, h = (i % hw) / width, w = i % width;
        out_data[i] = sc_blur_pixel(x_data + plane * hw, h, w, height, width, weights, kernel);
    }
    return SC_OK;
}
