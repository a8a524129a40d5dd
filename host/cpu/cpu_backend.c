/* The CPU backend's context, memory operations, description and op table. Memory is plain
 * host memory (64-byte aligned), so upload/download/copy are memcpy and sync does nothing. */
#include "cpu_backend.h"

#include <cblas.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../backend/shape_check.h"
#include "../core/log.h"
#include "cpu_internal.h"

#define SC_CPU_ALIGN 64

static size_t round_up(size_t n, size_t multiple) {
    return (n + multiple - 1) / multiple * multiple;
}

static void *aligned_block(size_t bytes) {
    return aligned_alloc(SC_CPU_ALIGN, round_up(bytes ? bytes : 1, SC_CPU_ALIGN));
}

static sc_status cpu_alloc(sc_backend *be, size_t bytes, void **ptr) {
    *ptr = aligned_block(bytes);
    if (!*ptr)
        return sc_fail(&be->err, SC_ERR_OOM, "cpu alloc: out of memory allocating %zu bytes",
                       bytes);
    return SC_OK;
}

static void cpu_free(sc_backend *be, void *ptr) { free(ptr); }

static sc_status cpu_host_alloc(sc_backend *be, size_t bytes, void **ptr) {
    *ptr = malloc(bytes ? bytes : 1);
    if (!*ptr)
        return sc_fail(&be->err, SC_ERR_OOM, "cpu host_alloc: out of memory allocating %zu bytes",
                       bytes);
    return SC_OK;
}

static void cpu_host_free(sc_backend *be, void *ptr) { free(ptr); }

static sc_status cpu_copy(sc_backend *be, void *dst, const void *src, size_t bytes) {
    if (bytes && dst != src)
        memmove(dst, src, bytes);
    return SC_OK;
}

static sc_status cpu_upload(sc_backend *be, void *dst, const void *src_host, size_t bytes) {
    return cpu_copy(be, dst, src_host, bytes);
}

static sc_status cpu_upload_wait(sc_backend *be) { return SC_OK; }

static sc_status cpu_download(sc_backend *be, void *dst_host, const void *src, size_t bytes) {
    return cpu_copy(be, dst_host, src, bytes);
}

static sc_status cpu_zero(sc_backend *be, void *ptr, size_t bytes) {
    if (bytes)
        memset(ptr, 0, bytes);
    return SC_OK;
}

static sc_status cpu_sync(sc_backend *be) { return SC_OK; }

static int cpu_supports(sc_backend *be, sc_op op, sc_dtype dtype, sc_layout layout) {
    return op >= 0 && op < SC_OP_COUNT && dtype == SC_F32 && layout == SC_NCHW;
}

static void cpu_range_push(sc_backend *be, const char *name) {}

static void cpu_range_pop(sc_backend *be) {}

static sc_status cpu_timer_mark(sc_backend *be, int slot) {
    if (slot < 0 || slot >= SC_TIMER_SLOTS)
        return sc_fail(&be->err, SC_ERR_USAGE, "timer slot %d out of range", slot);
    sc_cpu_ctx_of(be)->timer_marks[slot] = sc_now_seconds();
    return SC_OK;
}

static sc_status cpu_timer_elapsed(sc_backend *be, int from, int to, double *seconds) {
    if (from < 0 || from >= SC_TIMER_SLOTS || to < 0 || to >= SC_TIMER_SLOTS)
        return sc_fail(&be->err, SC_ERR_USAGE, "timer slots %d, %d out of range", from, to);
    const sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    *seconds = ctx->timer_marks[to] - ctx->timer_marks[from];
    return SC_OK;
}

static void cpu_describe(sc_backend *be, char *buf, size_t len) {
    sc_cpu_describe(sc_cpu_ctx_of(be), buf, len);
}

static void cpu_destroy(sc_backend *be) {
    sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    if (ctx) {
#ifdef SCAAT_HAVE_DNNL
        sc_cpu_dnnl_destroy(ctx->dnnl);
#endif
        free(ctx->columns);
        free(ctx->wgrad_partials);
        free(ctx->sort_keys);
        free(ctx->sample_values);
        free(ctx->plane_scratch);
        free(ctx);
    }
    free(be);
}

/* Replaces *buf by a zeroed buffer of slots * new_stride floats when new_stride > *stride. */
static sc_status grow_slots(sc_backend *be, float **buf, size_t *stride, int slots, size_t floats,
                            const char *what) {
    size_t new_stride = round_up(floats, 16);
    if (new_stride <= *stride)
        return SC_OK;
    size_t bytes = (size_t)slots * new_stride * sizeof(float);
    float *fresh = aligned_block(bytes);
    if (!fresh)
        return sc_fail(&be->err, SC_ERR_OOM,
                       "cpu: out of memory growing the %s scratch to %zu bytes (%d slots)",
                       what, bytes, slots);
    memset(fresh, 0, bytes);
    free(*buf);
    *buf = fresh;
    *stride = new_stride;
    return SC_OK;
}

sc_status sc_cpu_reserve_conv_scratch(sc_backend *be, size_t column_floats, size_t wgrad_floats) {
    sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    SC_TRY(grow_slots(be, &ctx->columns, &ctx->column_stride, ctx->threads, column_floats,
                      "im2col"));
    return grow_slots(be, &ctx->wgrad_partials, &ctx->wgrad_stride,
                      ctx->threads * SC_CPU_WGRAD_GROUPS_PER_THREAD, wgrad_floats,
                      "filter-gradient");
}

sc_status sc_cpu_reserve_plane_scratch(sc_backend *be, size_t floats) {
    sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    return grow_slots(be, &ctx->plane_scratch, &ctx->plane_stride, ctx->threads, floats,
                      "image-plane");
}

sc_status sc_cpu_reserve_sample_scratch(sc_backend *be, size_t keys, size_t samples) {
    sc_cpu_ctx *ctx = sc_cpu_ctx_of(be);
    if (keys > ctx->sort_capacity) {
        size_t capacity = round_up(keys, 8);
        size_t bytes = (size_t)ctx->threads * 2 * capacity * sizeof(uint64_t);
        uint64_t *fresh = aligned_block(bytes);
        if (!fresh)
            return sc_fail(&be->err, SC_ERR_OOM,
                           "cpu: out of memory growing the sort scratch to %zu bytes", bytes);
        free(ctx->sort_keys);
        ctx->sort_keys = fresh;
        ctx->sort_capacity = capacity;
    }
    if (samples > ctx->sample_capacity) {
        double *fresh = aligned_block(samples * sizeof(double));
        if (!fresh)
            return sc_fail(&be->err, SC_ERR_OOM,
                           "cpu: out of memory growing the per-sample scratch to %zu samples",
                           samples);
        free(ctx->sample_values);
        free(ctx->plane_scratch);
        ctx->sample_values = fresh;
        ctx->sample_capacity = samples;
    }
    return SC_OK;
}

sc_status sc_cpu_check_f32_all(sc_backend *be, sc_op op, const sc_tensor *const *tensors,
                               const char *const *names, int count) {
    for (int i = 0; i < count; i++)
        SC_TRY(sc_check_f32(&be->err, op, tensors[i], names[i]));
    return SC_OK;
}

static const sc_backend_ops cpu_ops = {
    .alloc = cpu_alloc,
    .free = cpu_free,
    .host_alloc = cpu_host_alloc,
    .host_free = cpu_host_free,
    .upload = cpu_upload,
    .upload_async = cpu_upload,
    .upload_wait = cpu_upload_wait,
    .download = cpu_download,
    .zero = cpu_zero,
    .copy = cpu_copy,
    .sync = cpu_sync,
    .supports = cpu_supports,
    .range_push = cpu_range_push,
    .range_pop = cpu_range_pop,
    .timer_mark = cpu_timer_mark,
    .timer_elapsed = cpu_timer_elapsed,
    .describe = cpu_describe,
    .destroy = cpu_destroy,
    .conv2d_prepare = sc_cpu_conv2d_prepare,
    .conv2d_fwd = sc_cpu_conv2d_fwd,
    .conv2d_bwd_data = sc_cpu_conv2d_bwd_data,
    .conv2d_bwd_filter = sc_cpu_conv2d_bwd_filter,
    .bn_train_fwd = sc_cpu_bn_train_fwd,
    .bn_infer_fwd = sc_cpu_bn_infer_fwd,
    .bn_train_bwd = sc_cpu_bn_train_bwd,
    .bn_infer_bwd = sc_cpu_bn_infer_bwd,
    .bn_bwd_sums = sc_cpu_bn_bwd_sums,
    .bn_bwd_apply = sc_cpu_bn_bwd_apply,
    .relu_fwd = sc_cpu_relu_fwd,
    .relu_bwd = sc_cpu_relu_bwd,
    .add_fwd = sc_cpu_add_fwd,
    .add_bwd = sc_cpu_add_bwd,
    .maxpool_fwd = sc_cpu_maxpool_fwd,
    .maxpool_bwd = sc_cpu_maxpool_bwd,
    .gap_fwd = sc_cpu_gap_fwd,
    .gap_bwd = sc_cpu_gap_bwd,
    .linear_fwd = sc_cpu_linear_fwd,
    .linear_bwd_data = sc_cpu_linear_bwd_data,
    .linear_bwd_weight = sc_cpu_linear_bwd_weight,
    .softmax_xent = sc_cpu_softmax_xent,
    .sgd_update = sc_cpu_sgd_update,
    .rng_uniform = sc_cpu_rng_uniform,
    .rng_normal = sc_cpu_rng_normal,
    .saliency_reduce = sc_cpu_saliency_reduce,
    .mask_select = sc_cpu_mask_select,
    .image_stats = sc_cpu_image_stats,
    .mask_fill = sc_cpu_mask_fill,
    .perturb_budget = sc_cpu_perturb_budget,
    .perturb_init = sc_cpu_perturb_init,
    .perturb_step = sc_cpu_perturb_step,
    .kl_div = sc_cpu_kl_div,
    .map_gini = sc_cpu_map_gini,
    .onehot = sc_cpu_onehot,
    .argmax = sc_cpu_argmax,
    .axpby = sc_cpu_axpby,
    .add_noise = sc_cpu_add_noise,
    .gradcam = sc_cpu_gradcam,
    .resize_bilinear = sc_cpu_resize_bilinear,
    .map_sparsity = sc_cpu_map_sparsity,
    .rank_pixels = sc_cpu_rank_pixels,
    .ranked_replace = sc_cpu_ranked_replace,
    .gaussian_blur = sc_cpu_gaussian_blur,
    .target_score = sc_cpu_target_score,
    .curve_auc = sc_cpu_curve_auc,
    .rank_rows = sc_cpu_rank_rows,
    .pearson_rows = sc_cpu_pearson_rows,
    .masked_sum = sc_cpu_masked_sum,
    .relative_distance = sc_cpu_relative_distance,
    .impute_linear = sc_cpu_impute_linear,
};

/* oneDNN convolutions when the build has them (cpu_conv.c says which shapes), unless
 * SCAAT_CPU_CONV=im2col asks for the im2col + OpenBLAS path; SCAAT_CPU_CONV=onednn runs every
 * shape and direction on oneDNN (and fails in a build without it). */
static sc_status choose_convolutions(sc_cpu_ctx *ctx, sc_error *err) {
    const char *choice = getenv("SCAAT_CPU_CONV");
    if (!choice || !*choice)
        choice = "default";
    else if (strcmp(choice, "im2col") != 0 && strcmp(choice, "onednn") != 0)
        return sc_fail(err, SC_ERR_USAGE,
                       "cpu backend: SCAAT_CPU_CONV=%s: expected im2col or onednn", choice);
    if (strcmp(choice, "im2col") == 0)
        return SC_OK;
#ifdef SCAAT_HAVE_DNNL
    ctx->dnnl_everywhere = strcmp(choice, "onednn") == 0;
    return sc_cpu_dnnl_create(ctx->threads, &ctx->dnnl, err);
#else
    if (strcmp(choice, "onednn") == 0)
        return sc_fail(err, SC_ERR_UNSUPPORTED,
                       "cpu backend: SCAAT_CPU_CONV=onednn, but this build has no oneDNN "
                       "(install libdnnl-dev and reconfigure)");
    return SC_OK;
#endif
}

sc_status sc_cpu_backend_create(const sc_backend_config *config, sc_backend **out, sc_error *err) {
    *out = NULL;
    if (config->threads < 0)
        return sc_fail(err, SC_ERR_USAGE,
                       "cpu backend: threads must be >= 0 (0 = all cores), got %d",
                       config->threads);
    sc_backend *be = calloc(1, sizeof *be);
    sc_cpu_ctx *ctx = calloc(1, sizeof *ctx);
    if (!be || !ctx) {
        free(be);
        free(ctx);
        return sc_fail(err, SC_ERR_OOM, "cpu backend: out of memory creating the context");
    }
    ctx->threads = config->threads > 0 ? config->threads : omp_get_max_threads();
    /* Parallelism comes from OpenMP teams around single-threaded GEMMs (see cpu_internal.h). */
    openblas_set_num_threads(1);
    sc_status st = choose_convolutions(ctx, err);
    if (st != SC_OK) {
        free(ctx);
        free(be);
        return st;
    }
    be->name = "cpu";
    be->kind = SC_BACKEND_CPU;
    be->ops = &cpu_ops;
    be->ctx = ctx;
    be->config = *config;
    *out = be;
    return SC_OK;
}
