/* Batch normalisation on the CPU, as torch.nn.BatchNorm2d: statistics per channel over
 * (N, H, W), sums in double, the biased variance for normalising and the unbiased one for
 * running_var. Channels are spread over an OpenMP team; every channel's statistics are taken
 * before that channel is written, so y may alias x and dx may alias dy. */
#include <math.h>
#include <string.h>

#include "../backend/shape_check.h"
#include "cpu_internal.h"

/* A tensor (N, C, H, W) seen per channel: plane (n, c) starts at data + (n * C + c) * hw. */
typedef struct bn_dims {
    int batch, channels;
    size_t hw;
    double count; /* M = N * H * W values per channel */
} bn_dims;

static bn_dims dims_of(const sc_tensor *x) {
    bn_dims d;
    d.batch = (int)x->shape[0];
    d.channels = (int)x->shape[1];
    d.hw = (size_t)(x->shape[2] * x->shape[3]);
    d.count = (double)d.batch * (double)d.hw;
    return d;
}

/* Whether a tensor is big enough to spread its channels over the team. */
static int worth_parallel(const bn_dims *d) {
    return d->count * d->channels >= SC_CPU_PARALLEL_MIN;
}

static size_t plane_offset(const bn_dims *d, int n, int c) {
    return ((size_t)n * d->channels + c) * d->hw;
}

/* The plane sums below keep SUM_LANES independent double accumulators: no long dependency
 * chain, and the compiler turns the lanes into vector registers. */
#define SUM_LANES 16

static double reduce_lanes(const double *acc) {
    double total = 0.0;
    for (int k = 0; k < SUM_LANES; k++)
        total += acc[k];
    return total;
}

/* Sum of x[i]. */
static double sum_plane(const float *x, size_t n) {
    double acc[SUM_LANES] = {0.0};
    size_t i = 0;
    for (; i + SUM_LANES <= n; i += SUM_LANES)
        for (int k = 0; k < SUM_LANES; k++)
            acc[k] += x[i + k];
    for (; i < n; i++)
        acc[0] += x[i];
    return reduce_lanes(acc);
}

/* Sum of (x[i] - mean)^2. */
static double sum_sq_dev_plane(const float *x, size_t n, double mean) {
    double acc[SUM_LANES] = {0.0};
    size_t i = 0;
    for (; i + SUM_LANES <= n; i += SUM_LANES)
        for (int k = 0; k < SUM_LANES; k++) {
            double d = (double)x[i + k] - mean;
            acc[k] += d * d;
        }
    for (; i < n; i++) {
        double d = (double)x[i] - mean;
        acc[0] += d * d;
    }
    return reduce_lanes(acc);
}

/* Sum of dy[i] * (x[i] - mean). */
static double sum_dy_dev_plane(const float *dy, const float *x, size_t n, double mean) {
    double acc[SUM_LANES] = {0.0};
    size_t i = 0;
    for (; i + SUM_LANES <= n; i += SUM_LANES)
        for (int k = 0; k < SUM_LANES; k++)
            acc[k] += (double)dy[i + k] * ((double)x[i + k] - mean);
    for (; i < n; i++)
        acc[0] += (double)dy[i] * ((double)x[i] - mean);
    return reduce_lanes(acc);
}

/* out = (x - center) * scale + shift (or out += ...), one plane. Centring first keeps the
 * precision when the mean is large against the spread. */
static void affine_plane(const float *x, float *out, size_t n, float center, float scale,
                         float shift, int accumulate) {
    if (accumulate) {
        for (size_t i = 0; i < n; i++)
            out[i] += (x[i] - center) * scale + shift;
    } else {
        for (size_t i = 0; i < n; i++)
            out[i] = (x[i] - center) * scale + shift;
    }
}

/* gamma / sqrt(running_var + eps): the scale of the inference form, shared by fwd and bwd. */
static float infer_scale(float gamma, float running_var, float eps) {
    return (float)((double)gamma / sqrt((double)running_var + (double)eps));
}

sc_status sc_cpu_bn_train_fwd(sc_backend *be, const sc_bn_params *p, const sc_tensor *x,
                              const sc_tensor *gamma, const sc_tensor *beta,
                              const sc_tensor *running_mean, const sc_tensor *running_var,
                              const sc_tensor *save_mean, const sc_tensor *save_invstd,
                              const sc_tensor *y) {
    const sc_tensor *tensors[8] = {x, y, gamma, beta, running_mean, running_var, save_mean,
                                   save_invstd};
    const char *names[8] = {"x", "y", "gamma", "beta", "running_mean", "running_var",
                            "save_mean", "save_invstd"};
    SC_TRY(sc_cpu_check_f32_all(be, SC_OP_BN_TRAIN_FWD, tensors, names, 8));
    SC_TRY(sc_check_bn(&be->err, SC_OP_BN_TRAIN_FWD, p, x, y, tensors + 2, 6));
    SC_TRY(sc_check_bn_apart(&be->err, SC_OP_BN_TRAIN_FWD, y, "y", x, "x", NULL, NULL));
    const bn_dims d = dims_of(x);
    const double needed = p->momentum > 0.0f ? 2.0 : 1.0; /* the unbiased variance needs 2 */
    if (d.count < needed)
        return sc_fail(&be->err, SC_ERR_SHAPE,
                       "bn_train_fwd: batch statistics%s need at least %d values per channel, "
                       "got x (%d, %d, %lld, %lld)",
                       p->momentum > 0.0f ? " with a running-statistics update" : "",
                       (int)needed, d.batch, d.channels, (long long)x->shape[2],
                       (long long)x->shape[3]);
    const float *x_data = sc_f32(x); /* (N, C, H, W) */
    float *y_data = sc_f32(y);       /* (N, C, H, W) */
    const float momentum = p->momentum;
    sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    const int parallel = worth_parallel(&d);
#pragma omp parallel for num_threads(ctx->threads) if (parallel) schedule(dynamic)
    for (int c = 0; c < d.channels; c++) {
        /* One pass over the channel: each plane's mean and squared deviations (the plane is
         * read twice while it sits in cache), merged as in Chan et al.'s parallel variance. */
        double mean = 0.0, sq = 0.0, seen = 0.0;
        for (int n = 0; n < d.batch; n++) {
            const float *plane = x_data + plane_offset(&d, n, c);
            const double plane_mean = sum_plane(plane, d.hw) / (double)d.hw;
            const double plane_sq = sum_sq_dev_plane(plane, d.hw, plane_mean);
            const double delta = plane_mean - mean;
            const double merged = seen + (double)d.hw;
            mean += delta * (double)d.hw / merged;
            sq += plane_sq + delta * delta * seen * (double)d.hw / merged;
            seen = merged;
        }
        const double var = sq / d.count; /* biased */
        const double invstd = 1.0 / sqrt(var + (double)p->eps);
        sc_f32(save_mean)[c] = (float)mean;
        sc_f32(save_invstd)[c] = (float)invstd;
        if (momentum > 0.0f) {
            const double unbiased = var * d.count / (d.count - 1.0);
            float *rm = sc_f32(running_mean) + c;
            float *rv = sc_f32(running_var) + c;
            *rm = (1.0f - momentum) * *rm + momentum * (float)mean;
            *rv = (1.0f - momentum) * *rv + momentum * (float)unbiased;
        }
        const float scale = sc_f32(gamma)[c] * (float)invstd;
        for (int n = 0; n < d.batch; n++) {
            size_t off = plane_offset(&d, n, c);
            affine_plane(x_data + off, y_data + off, d.hw, (float)mean, scale, sc_f32(beta)[c], 0);
        }
    }
    return SC_OK;
}

sc_status sc_cpu_bn_infer_fwd(sc_backend *be, const sc_bn_params *p, const sc_tensor *x,
                              const sc_tensor *gamma, const sc_tensor *beta,
                              const sc_tensor *running_mean, const sc_tensor *running_var,
                              const sc_tensor *y) {
    const sc_tensor *tensors[6] = {x, y, gamma, beta, running_mean, running_var};
    const char *names[6] = {"x", "y", "gamma", "beta", "running_mean", "running_var"};
    SC_TRY(sc_cpu_check_f32_all(be, SC_OP_BN_INFER_FWD, tensors, names, 6));
    SC_TRY(sc_check_bn(&be->err, SC_OP_BN_INFER_FWD, p, x, y, tensors + 2, 4));
    SC_TRY(sc_check_bn_apart(&be->err, SC_OP_BN_INFER_FWD, y, "y", x, "x", NULL, NULL));
    const bn_dims d = dims_of(x);
    const float *x_data = sc_f32(x); /* (N, C, H, W) */
    float *y_data = sc_f32(y);       /* (N, C, H, W) */
    sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    const int parallel = worth_parallel(&d);
#pragma omp parallel for num_threads(ctx->threads) if (parallel) schedule(dynamic)
    for (int c = 0; c < d.channels; c++) {
        const float scale = infer_scale(sc_f32(gamma)[c], sc_f32(running_var)[c], p->eps);
        for (int n = 0; n < d.batch; n++) {
            size_t off = plane_offset(&d, n, c);
            affine_plane(x_data + off, y_data + off, d.hw, sc_f32(running_mean)[c], scale,
                         sc_f32(beta)[c], 0);
        }
    }
    return SC_OK;
}

/* dx = gamma * invstd * (dy - mean(dy) - xhat * mean(dy * xhat)), xhat = (x - mean) * invstd:
 * the standard formula, M * dx = invstd * gamma * (M dy - sum dy - xhat sum(dy xhat)). */
sc_status sc_cpu_bn_train_bwd(sc_backend *be, const sc_bn_params *p, const sc_tensor *x,
                              const sc_tensor *dy, const sc_tensor *gamma,
                              const sc_tensor *save_mean, const sc_tensor *save_invstd,
                              const sc_tensor *dx, const sc_tensor *dgamma,
                              const sc_tensor *dbeta, int accumulate) {
    const sc_tensor *tensors[6] = {x, dy, dx, gamma, save_mean, save_invstd};
    const char *names[6] = {"x", "dy", "dx", "gamma", "save_mean", "save_invstd"};
    SC_TRY(sc_cpu_check_f32_all(be, SC_OP_BN_TRAIN_BWD, tensors, names, 6));
    if (dgamma)
        SC_TRY(sc_check_f32(&be->err, SC_OP_BN_TRAIN_BWD, dgamma, "dgamma"));
    if (dbeta)
        SC_TRY(sc_check_f32(&be->err, SC_OP_BN_TRAIN_BWD, dbeta, "dbeta"));
    const sc_tensor *per_channel[5] = {gamma, save_mean, save_invstd, dgamma, dbeta};
    SC_TRY(sc_check_bn(&be->err, SC_OP_BN_TRAIN_BWD, p, x, dy, per_channel, 5));
    SC_TRY(sc_check_same(&be->err, SC_OP_BN_TRAIN_BWD, x, dx));
    SC_TRY(sc_check_bn_apart(&be->err, SC_OP_BN_TRAIN_BWD, dx, "dx", x, "x", dy, "dy"));
    const bn_dims d = dims_of(x);
    const float *x_data = sc_f32(x);   /* (N, C, H, W) */
    const float *dy_data = sc_f32(dy); /* (N, C, H, W) */
    float *dx_data = sc_f32(dx);       /* (N, C, H, W) */
    sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    const int parallel = worth_parallel(&d);
#pragma omp parallel for num_threads(ctx->threads) if (parallel) schedule(dynamic)
    for (int c = 0; c < d.channels; c++) {
        const double mean = sc_f32(save_mean)[c];
        const double invstd = sc_f32(save_invstd)[c];
        double sum_dy = 0.0, sum_dy_dev = 0.0;
        for (int n = 0; n < d.batch; n++) {
            size_t off = plane_offset(&d, n, c);
            sum_dy += sum_plane(dy_data + off, d.hw);
            sum_dy_dev += sum_dy_dev_plane(dy_data + off, x_data + off, d.hw, mean);
        }
        const double sum_dy_xhat = sum_dy_dev * invstd;
        if (dgamma)
            sc_f32(dgamma)[c] += (float)sum_dy_xhat;
        if (dbeta)
            sc_f32(dbeta)[c] += (float)sum_dy;
        const float mean_f = sc_f32(save_mean)[c];
        const float invstd_f = sc_f32(save_invstd)[c];
        const float scale = sc_f32(gamma)[c] * invstd_f;
        const float mean_dy = (float)(sum_dy / d.count);
        const float mean_dy_xhat = (float)(sum_dy_xhat / d.count);
        for (int n = 0; n < d.batch; n++) {
            size_t off = plane_offset(&d, n, c);
            const float *dy_p = dy_data + off;
            const float *x_p = x_data + off;
            float *dx_p = dx_data + off;
            for (size_t i = 0; i < d.hw; i++) {
                float xhat = (x_p[i] - mean_f) * invstd_f;
                float g = scale * (dy_p[i] - mean_dy - xhat * mean_dy_xhat);
                dx_p[i] = accumulate ? dx_p[i] + g : g;
            }
        }
    }
    return SC_OK;
}

sc_status sc_cpu_bn_infer_bwd(sc_backend *be, const sc_bn_params *p, const sc_tensor *dy,
                              const sc_tensor *gamma, const sc_tensor *running_var,
                              const sc_tensor *dx, int accumulate) {
    const sc_tensor *tensors[4] = {dy, dx, gamma, running_var};
    const char *names[4] = {"dy", "dx", "gamma", "running_var"};
    SC_TRY(sc_cpu_check_f32_all(be, SC_OP_BN_INFER_BWD, tensors, names, 4));
    SC_TRY(sc_check_bn(&be->err, SC_OP_BN_INFER_BWD, p, dy, dx, tensors + 2, 2));
    SC_TRY(sc_check_bn_apart(&be->err, SC_OP_BN_INFER_BWD, dx, "dx", dy, "dy", NULL, NULL));
    const bn_dims d = dims_of(dy);
    const float *dy_data = sc_f32(dy); /* (N, C, H, W) */
    float *dx_data = sc_f32(dx);       /* (N, C, H, W) */
    sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    const int parallel = worth_parallel(&d);
#pragma omp parallel for num_threads(ctx->threads) if (parallel) schedule(dynamic)
    for (int c = 0; c < d.channels; c++) {
        const float scale = infer_scale(sc_f32(gamma)[c], sc_f32(running_var)[c], p->eps);
        for (int n = 0; n < d.batch; n++) {
            size_t off = plane_offset(&d, n, c);
            affine_plane(dy_data + off, dx_data + off, d.hw, 0.0f, scale, 0.0f, accumulate);
        }
    }
    return SC_OK;
}
