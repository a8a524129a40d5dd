/* Fully connected layer on the CPU, as torch.nn.Linear, through OpenBLAS:
 *   forward      y (N, OUT)  = x (N, IN) w^T + b
 *   bwd_data     dx (N, IN)  = dy (N, OUT) w (OUT, IN)       (or +=)
 *   bwd_weight   dw (OUT, IN) += dy^T x,  db (OUT) += sum_n dy
 * x and dx may be 4-D (N, C, 1, 1) or any (N, ...): they are read as (N, product of the rest). */
#include <cblas.h>
#include <limits.h>

#include "../backend/shape_check.h"
#include "cpu_internal.h"

static sc_status check_linear_call(sc_backend *be, sc_op op, const sc_tensor *x, const sc_tensor *w,
                                   const sc_tensor *b, const sc_tensor *y, const char *x_name,
                                   const char *w_name, const char *y_name) {
    const sc_tensor *tensors[3] = {x, w, y};
    const char *names[3] = {x_name, w_name, y_name};
    SC_TRY(sc_cpu_check_f32_all(be, op, tensors, names, 3));
    if (b)
        SC_TRY(sc_check_f32(&be->err, op, b, "bias"));
    SC_TRY(sc_check_linear(&be->err, op, x, w, b, y));
    if (sc_rows(x) > INT_MAX || sc_cols(x) > INT_MAX || sc_cols(y) > INT_MAX)
        return sc_fail(&be->err, SC_ERR_UNSUPPORTED, "%s: dimensions exceed OpenBLAS's int range",
                       sc_op_name(op));
    return SC_OK;
}

sc_status sc_cpu_linear_fwd(sc_backend *be, const sc_tensor *x, const sc_tensor *w,
                            const sc_tensor *b, const sc_tensor *y) {
    SC_TRY(check_linear_call(be, SC_OP_LINEAR_FWD, x, w, b, y, "x", "w", "y"));
    const int rows = (int)sc_rows(x), in = (int)sc_cols(x), out = (int)sc_cols(y);
    float *y_data = sc_f32(y); /* (N, OUT) */
    float beta = 0.0f;
    if (b) {
        const float *b_data = sc_f32(b); /* (OUT) */
        for (int n = 0; n < rows; n++)
            for (int o = 0; o < out; o++)
                y_data[(size_t)n * out + o] = b_data[o];
        beta = 1.0f;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, out, in, 1.0f, sc_f32(x), in,
                sc_f32(w), in, beta, y_data, out);
    return SC_OK;
}

sc_status sc_cpu_linear_bwd_data(sc_backend *be, const sc_tensor *dy, const sc_tensor *w,
                                 const sc_tensor *dx, int accumulate) {
    SC_TRY(check_linear_call(be, SC_OP_LINEAR_BWD_DATA, dx, w, NULL, dy, "dx", "w", "dy"));
    const int rows = (int)sc_rows(dx), in = (int)sc_cols(dx), out = (int)sc_cols(dy);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, in, out, 1.0f, sc_f32(dy), out,
                sc_f32(w), in, accumulate ? 1.0f : 0.0f, sc_f32(dx), in);
    return SC_OK;
}

sc_status sc_cpu_linear_bwd_weight(sc_backend *be, const sc_tensor *x, const sc_tensor *dy,
                                   const sc_tensor *dw, const sc_tensor *db) {
    SC_TRY(check_linear_call(be, SC_OP_LINEAR_BWD_WEIGHT, x, dw, db, dy, "x", "dw", "dy"));
    const int rows = (int)sc_rows(x), in = (int)sc_cols(x), out = (int)sc_cols(dy);
    const float *dy_data = sc_f32(dy); /* (N, OUT) */
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, out, in, rows, 1.0f, dy_data, out,
                sc_f32(x), in, 1.0f, sc_f32(dw), in);
    if (db) {
        float *db_data = sc_f32(db); /* (OUT) */
        for (int o = 0; o < out; o++) {
            double sum = 0.0;
            for (int n = 0; n < rows; n++)
                sum += dy_data[(size_t)n * out + o];
            db_data[o] += (float)sum;
        }
    }
    return SC_OK;
}
