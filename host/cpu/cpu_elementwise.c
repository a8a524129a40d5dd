/* Element-wise ops on the CPU: ReLU (sc_relu / sc_relu_grad from op_math.h) and residual add.
 * Large tensors are split over the OpenMP team; outputs may alias inputs of the same shape. */
#include "../backend/shape_check.h"
#include "../core/op_math.h"
#include "cpu_internal.h"

sc_status sc_cpu_relu_fwd(sc_backend *be, const sc_tensor *x, const sc_tensor *y) {
    SC_TRY(sc_check_same(&be->err, SC_OP_RELU_FWD, x, y));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t n = sc_tensor_numel(x);
    const float *x_data = sc_f32(x); /* (n) */
    float *y_data = sc_f32(y);       /* (n) */
#pragma omp parallel for num_threads(team) if (n >= SC_CPU_PARALLEL_MIN) schedule(static)
    for (int64_t i = 0; i < n; i++)
        y_data[i] = sc_relu(x_data[i]);
    return SC_OK;
}

sc_status sc_cpu_relu_bwd(sc_backend *be, const sc_tensor *y, const sc_tensor *dy,
                          const sc_tensor *dx, int accumulate) {
    SC_TRY(sc_check_same(&be->err, SC_OP_RELU_BWD, y, dy));
    SC_TRY(sc_check_same(&be->err, SC_OP_RELU_BWD, dy, dx));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t n = sc_tensor_numel(y);
    const float *y_data = sc_f32(y);   /* (n) */
    const float *dy_data = sc_f32(dy); /* (n) */
    float *dx_data = sc_f32(dx);       /* (n) */
    if (accumulate) {
#pragma omp parallel for num_threads(team) if (n >= SC_CPU_PARALLEL_MIN) schedule(static)
        for (int64_t i = 0; i < n; i++)
            dx_data[i] += sc_relu_grad(y_data[i], dy_data[i]);
    } else {
#pragma omp parallel for num_threads(team) if (n >= SC_CPU_PARALLEL_MIN) schedule(static)
        for (int64_t i = 0; i < n; i++)
            dx_data[i] = sc_relu_grad(y_data[i], dy_data[i]);
    }
    return SC_OK;
}

sc_status sc_cpu_add_fwd(sc_backend *be, const sc_tensor *a, const sc_tensor *b,
                         const sc_tensor *y) {
    SC_TRY(sc_check_same(&be->err, SC_OP_ADD_FWD, a, b));
    SC_TRY(sc_check_same(&be->err, SC_OP_ADD_FWD, a, y));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t n = sc_tensor_numel(a);
    const float *a_data = sc_f32(a); /* (n) */
    const float *b_data = sc_f32(b); /* (n) */
    float *y_data = sc_f32(y);       /* (n) */
#pragma omp parallel for num_threads(team) if (n >= SC_CPU_PARALLEL_MIN) schedule(static)
    for (int64_t i = 0; i < n; i++)
        y_data[i] = a_data[i] + b_data[i];
    return SC_OK;
}

sc_status sc_cpu_add_bwd(sc_backend *be, const sc_tensor *dy, const sc_tensor *dx, int accumulate) {
    SC_TRY(sc_check_same(&be->err, SC_OP_ADD_BWD, dy, dx));
    const int team = sc_cpu_ctx_of(be)->threads;
    const int64_t n = sc_tensor_numel(dy);
    const float *dy_data = sc_f32(dy); /* (n) */
    float *dx_data = sc_f32(dx);       /* (n) */
    if (!accumulate && dx_data == dy_data)
        return SC_OK; /* the gradient is already in place */
    if (accumulate) {
#pragma omp parallel for num_threads(team) if (n >= SC_CPU_PARALLEL_MIN) schedule(static)
        for (int64_t i = 0; i < n; i++)
            dx_data[i] += dy_data[i];
    } else {
#pragma omp parallel for num_threads(team) if (n >= SC_CPU_PARALLEL_MIN) schedule(static)
        for (int64_t i = 0; i < n; i++)
            dx_data[i] = dy_data[i];
    }
    return SC_OK;
}
