/* Convolution forward, backward-data and backward-filter through oneDNN, one plan per shape.
 *
 * A plan holds three passes (one per direction). Each pass is a oneDNN convolution primitive
 * whose tensors the library lays out as its kernel wants (format "any"), plus reorders
 * between the engine's NCHW / OIHW tensors and those layouts:
 *
 *   forward      x, w            -> reorder in -> conv -> reorder out -> y  (overwrite)
 *   bwd_data     dy, w           -> reorder in -> conv -> reorder out -> dx (overwrite or +=)
 *   bwd_filter   x, dy           -> reorder in -> conv -> reorder out -> dw (+=)
 *
 * A tensor already in the kernel's layout is used in place; an output that must be added to
 * goes through the scratch copy and a reorder with oneDNN's sum post-op (user += copy).
 * Direct convolution only (no Winograd), so results match the 7-loop reference within 1e-5. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_dnnl_internal.h"

enum { PASS_FWD, PASS_BWD_DATA, PASS_BWD_FILTER, PASS_COUNT };

typedef struct conv_key {
    int n, c, h, w, k, r, s, stride, pad, oh, ow;
} conv_key;

/* One tensor of a pass: the engine's memory (data handle set per call) and, when the kernel
 * wants another layout or the output is added to, a copy in scratch slot `slot`. */
typedef struct dnnl_port {
    int arg;                      /* DNNL_ARG_SRC, ... */
    int slot;
    dnnl_memory_t user;           /* NCHW / OIHW */
    dnnl_memory_t inner;          /* the kernel's layout in scratch */
    int same_layout;              /* inner and user have the same layout */
    dnnl_primitive_t reorder;     /* input: user -> inner; output: inner -> user */
    dnnl_primitive_t reorder_add; /* output: user += inner */
} dnnl_port;

typedef struct dnnl_pass {
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t conv;
    dnnl_port in[2], out;
} dnnl_pass;

struct sc_dnnl_conv_plan {
    conv_key key;
    dnnl_primitive_desc_t fwd_hint; /* the forward description the backward passes need */
    dnnl_pass pass[PASS_COUNT];
};

static conv_key key_of(const sc_conv_params *p, const sc_tensor *x, const sc_tensor *w,
                       const sc_tensor *y) {
    conv_key k = {(int)x->shape[0], (int)x->shape[1], (int)x->shape[2], (int)x->shape[3],
                  (int)w->shape[0], (int)w->shape[2], (int)w->shape[3], p->stride, p->pad,
                  (int)y->shape[2], (int)y->shape[3]};
    return k;
}

/* oneDNN reads the team size when it creates a primitive and when it runs one. */
static void use_threads(const sc_cpu_dnnl *dnnl) { omp_set_num_threads(dnnl->threads); }

static void port_destroy(dnnl_port *port) {
    dnnl_memory_destroy(port->user);
    dnnl_memory_destroy(port->inner);
    dnnl_primitive_destroy(port->reorder);
    dnnl_primitive_destroy(port->reorder_add);
}

static void plan_destroy(sc_dnnl_conv_plan *plan) {
    if (!plan)
        return;
    for (int i = 0; i < PASS_COUNT; i++) {
        dnnl_pass *pass = &plan->pass[i];
        port_destroy(&pass->in[0]);
        port_destroy(&pass->in[1]);
        port_destroy(&pass->out);
        dnnl_primitive_destroy(pass->conv);
        dnnl_primitive_desc_destroy(pass->pd);
    }
    dnnl_primitive_desc_destroy(plan->fwd_hint);
    free(plan);
}

void sc_dnnl_conv_plans_destroy(sc_cpu_dnnl *dnnl) {
    for (int i = 0; i < dnnl->plan_count; i++)
        plan_destroy(dnnl->plans[i]);
    free(dnnl->plans);
    dnnl->plans = NULL;
    dnnl->plan_count = dnnl->plan_capacity = 0;
}

static sc_status reorder_create(sc_error *err, sc_cpu_dnnl *dnnl, const dnnl_memory_desc_t *from,
                                const dnnl_memory_desc_t *to, int add, dnnl_primitive_t *out) {
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t post_ops = NULL;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t st = dnnl_success;
    if (add) {
        st = dnnl_primitive_attr_create(&attr);
        if (st == dnnl_success)
            st = dnnl_post_ops_create(&post_ops);
        if (st == dnnl_success)
            st = dnnl_post_ops_append_sum(post_ops, 1.0f);
        if (st == dnnl_success)
            st = dnnl_primitive_attr_set_post_ops(attr, post_ops);
    }
    if (st == dnnl_success)
        st = dnnl_reorder_primitive_desc_create(&pd, from, dnnl->engine, to, dnnl->engine, attr);
    if (st == dnnl_success)
        st = dnnl_primitive_create(out, pd);
    dnnl_primitive_desc_destroy(pd);
    dnnl_post_ops_destroy(post_ops);
    dnnl_primitive_attr_destroy(attr);
    if (st != dnnl_success)
        return sc_dnnl_fail(err, st,
                            add ? "creating an accumulating reorder" : "creating a reorder",
                            __FILE__, __LINE__);
    return SC_OK;
}

/* Grows scratch slot `slot` to hold `bytes`. */
static sc_status scratch_reserve(sc_error *err, sc_cpu_dnnl *dnnl, int slot, size_t bytes) {
    if (bytes <= dnnl->scratch_bytes[slot])
        return SC_OK;
    size_t rounded = (bytes + 63) / 64 * 64;
    void *fresh = aligned_alloc(64, rounded);
    if (!fresh)
        return sc_fail(err, SC_ERR_OOM, "oneDNN convolution: out of memory growing scratch "
                       "slot %d to %zu bytes", slot, rounded);
    free(dnnl->scratch[slot]);
    dnnl->scratch[slot] = fresh;
    dnnl->scratch_bytes[slot] = rounded;
    return SC_OK;
}

/* A port of tensor `arg` (query `what` of the pass's description) whose engine layout is
 * `user_md`. Outputs always get a scratch copy (needed to add), inputs only when the layouts
 * differ. */
static sc_status port_create(sc_error *err, sc_cpu_dnnl *dnnl, const dnnl_pass *pass,
                             dnnl_port *port, int arg, dnnl_query_t what,
                             const dnnl_memory_desc_t *user_md, int slot, int output, int add) {
    const dnnl_memory_desc_t *inner_md = dnnl_primitive_desc_query_md(pass->pd, what, 0);
    port->arg = arg;
    port->slot = slot;
    port->same_layout = dnnl_memory_desc_equal(inner_md, user_md);
    SC_DNNL_TRY(err, dnnl_memory_create(&port->user, user_md, dnnl->engine, DNNL_MEMORY_NONE));
    if (port->same_layout && !output)
        return SC_OK;
    SC_DNNL_TRY(err, dnnl_memory_create(&port->inner, inner_md, dnnl->engine, DNNL_MEMORY_NONE));
    SC_TRY(scratch_reserve(err, dnnl, slot, dnnl_memory_desc_get_size(inner_md)));
    if (!output)
        return reorder_create(err, dnnl, user_md, inner_md, 0, &port->reorder);
    if (!port->same_layout)
        SC_TRY(reorder_create(err, dnnl, inner_md, user_md, 0, &port->reorder));
    return add ? reorder_create(err, dnnl, inner_md, user_md, 1, &port->reorder_add) : SC_OK;
}

/* The engine's layouts of x (NCHW), w (OIHW) and y (NCHW), the same shapes with the layout
 * left to oneDNN ("any"), and the geometry. */
enum { TENSOR_X, TENSOR_W, TENSOR_Y };

typedef struct plan_mds {
    dnnl_memory_desc_t plain[3], any[3]; /* [TENSOR_X, TENSOR_W, TENSOR_Y] */
    dnnl_dims_t strides, pad_l, pad_r;
} plan_mds;

/* Which of x, w, y feeds each port of a pass (inputs first, then the output), as what. */
typedef struct port_spec {
    int arg;
    dnnl_query_t query;
    int tensor;
} port_spec;

static const port_spec pass_ports[PASS_COUNT][3] = {
    [PASS_FWD] = {{DNNL_ARG_SRC, dnnl_query_src_md, TENSOR_X},
                  {DNNL_ARG_WEIGHTS, dnnl_query_weights_md, TENSOR_W},
                  {DNNL_ARG_DST, dnnl_query_dst_md, TENSOR_Y}},
    [PASS_BWD_DATA] = {{DNNL_ARG_DIFF_DST, dnnl_query_diff_dst_md, TENSOR_Y},
                       {DNNL_ARG_WEIGHTS, dnnl_query_weights_md, TENSOR_W},
                       {DNNL_ARG_DIFF_SRC, dnnl_query_diff_src_md, TENSOR_X}},
    [PASS_BWD_FILTER] = {{DNNL_ARG_SRC, dnnl_query_src_md, TENSOR_X},
                         {DNNL_ARG_DIFF_DST, dnnl_query_diff_dst_md, TENSOR_Y},
                         {DNNL_ARG_DIFF_WEIGHTS, dnnl_query_diff_weights_md, TENSOR_W}},
};

static sc_status mds_init(sc_error *err, const conv_key *k, plan_mds *m) {
    const dnnl_dims_t dims[3] = {{k->n, k->c, k->h, k->w}, {k->k, k->c, k->r, k->s},
                                 {k->n, k->k, k->oh, k->ow}};
    const dnnl_format_tag_t tags[3] = {dnnl_nchw, dnnl_oihw, dnnl_nchw};
    for (int t = 0; t < 3; t++) {
        SC_DNNL_TRY(err, dnnl_memory_desc_init_by_tag(&m->plain[t], 4, dims[t], dnnl_f32,
                                                      tags[t]));
        SC_DNNL_TRY(err, dnnl_memory_desc_init_by_tag(&m->any[t], 4, dims[t], dnnl_f32,
                                                      dnnl_format_tag_any));
    }
    /* The right/bottom padding that gives exactly (OH, OW): less than pad (even negative)
     * when the last window does not reach the padding. */
    m->strides[0] = m->strides[1] = k->stride;
    m->pad_l[0] = m->pad_l[1] = k->pad;
    m->pad_r[0] = (k->oh - 1) * k->stride + k->r - k->h - k->pad;
    m->pad_r[1] = (k->ow - 1) * k->stride + k->s - k->w - k->pad;
    return SC_OK;
}

/* The three passes' descriptions: direct convolution, layouts left to oneDNN. */
static sc_status descriptions_create(sc_error *err, sc_cpu_dnnl *dnnl, sc_dnnl_conv_plan *plan,
                                     const plan_mds *m) {
    dnnl_convolution_desc_t desc;
    const dnnl_memory_desc_t *x = &m->any[TENSOR_X], *w = &m->any[TENSOR_W],
                             *y = &m->any[TENSOR_Y];
    SC_DNNL_TRY(err, dnnl_convolution_forward_desc_init(&desc, dnnl_forward_training,
                                                        dnnl_convolution_direct, x, w, NULL, y,
                                                        m->strides, m->pad_l, m->pad_r));
    SC_DNNL_TRY(err, dnnl_primitive_desc_create(&plan->pass[PASS_FWD].pd, &desc, NULL,
                                                dnnl->engine, NULL));
    SC_DNNL_TRY(err, dnnl_primitive_desc_clone(&plan->fwd_hint, plan->pass[PASS_FWD].pd));
    SC_DNNL_TRY(err, dnnl_convolution_backward_data_desc_init(&desc, dnnl_convolution_direct, x,
                                                              w, y, m->strides, m->pad_l,
                                                              m->pad_r));
    SC_DNNL_TRY(err, dnnl_primitive_desc_create(&plan->pass[PASS_BWD_DATA].pd, &desc, NULL,
                                                dnnl->engine, plan->fwd_hint));
    SC_DNNL_TRY(err, dnnl_convolution_backward_weights_desc_init(
                         &desc, dnnl_convolution_direct, x, w, NULL, y, m->strides, m->pad_l,
                         m->pad_r));
    SC_DNNL_TRY(err, dnnl_primitive_desc_create(&plan->pass[PASS_BWD_FILTER].pd, &desc, NULL,
                                                dnnl->engine, plan->fwd_hint));
    return SC_OK;
}

static sc_status plan_build(sc_error *err, sc_cpu_dnnl *dnnl, sc_dnnl_conv_plan *plan) {
    plan_mds m;
    SC_TRY(mds_init(err, &plan->key, &m));
    SC_TRY(descriptions_create(err, dnnl, plan, &m));
    for (int i = 0; i < PASS_COUNT; i++) {
        dnnl_pass *pass = &plan->pass[i];
        dnnl_port *ports[3] = {&pass->in[0], &pass->in[1], &pass->out};
        for (int j = 0; j < 3; j++) {
            const port_spec *spec = &pass_ports[i][j];
            const int output = j == 2, add = output && i != PASS_FWD;
            SC_TRY(port_create(err, dnnl, pass, ports[j], spec->arg, spec->query,
                               &m.plain[spec->tensor], j, output, add));
        }
        SC_DNNL_TRY(err, dnnl_primitive_create(&pass->conv, pass->pd));
    }
    return SC_OK;
}

/* The plan of a shape, created and cached on first use. */
static sc_status plan_for(sc_backend *be, sc_cpu_dnnl *dnnl, const sc_conv_params *p,
                          const sc_tensor *x, const sc_tensor *w, const sc_tensor *y,
                          sc_dnnl_conv_plan **out) {
    const conv_key key = key_of(p, x, w, y);
    for (int i = 0; i < dnnl->plan_count; i++)
        if (memcmp(&dnnl->plans[i]->key, &key, sizeof key) == 0) {
            *out = dnnl->plans[i];
            return SC_OK;
        }
    if (dnnl->plan_count == dnnl->plan_capacity) {
        int capacity = dnnl->plan_capacity ? 2 * dnnl->plan_capacity : 16;
        sc_dnnl_conv_plan **grown = realloc(dnnl->plans, (size_t)capacity * sizeof *grown);
        if (!grown)
            return sc_fail(&be->err, SC_ERR_OOM, "oneDNN convolution: out of memory caching plans");
        dnnl->plans = grown;
        dnnl->plan_capacity = capacity;
    }
    sc_dnnl_conv_plan *plan = calloc(1, sizeof *plan);
    if (!plan)
        return sc_fail(&be->err, SC_ERR_OOM, "oneDNN convolution: out of memory creating a plan");
    plan->key = key;
    use_threads(dnnl);
    sc_status st = plan_build(&be->err, dnnl, plan);
    if (st != SC_OK) {
        plan_destroy(plan);
        sc_error_prefix(&be->err,
                        "convolution x (%d, %d, %d, %d), w (%d, %d, %d, %d), stride %d, pad %d",
                        key.n, key.c, key.h, key.w, key.k, key.c, key.r, key.s, key.stride,
                        key.pad);
        return st;
    }
    dnnl->plans[dnnl->plan_count++] = plan;
    *out = plan;
    return SC_OK;
}

static sc_status reorder_run(sc_error *err, sc_cpu_dnnl *dnnl, dnnl_primitive_t reorder,
                             dnnl_memory_t from, dnnl_memory_t to) {
    const dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
    SC_DNNL_TRY(err, dnnl_primitive_execute(reorder, dnnl->stream, 2, args));
    return SC_OK;
}

/* Runs a pass on the engine's tensors in0, in1 and out; add: out += result. */
static sc_status pass_run(sc_error *err, sc_cpu_dnnl *dnnl, dnnl_pass *pass, const float *in0,
                          const float *in1, float *out, int add) {
    use_threads(dnnl);
    dnnl_exec_arg_t args[3];
    const float *inputs[2] = {in0, in1};
    for (int i = 0; i < 2; i++) {
        dnnl_port *port = &pass->in[i];
        SC_DNNL_TRY(err, dnnl_memory_set_data_handle(port->user, (void *)inputs[i]));
        args[i].arg = port->arg;
        args[i].memory = port->user;
        if (port->inner) {
            SC_DNNL_TRY(err, dnnl_memory_set_data_handle(port->inner, dnnl->scratch[port->slot]));
            SC_TRY(reorder_run(err, dnnl, port->reorder, port->user, port->inner));
            args[i].memory = port->inner;
        }
    }
    dnnl_port *port = &pass->out;
    SC_DNNL_TRY(err, dnnl_memory_set_data_handle(port->user, out));
    SC_DNNL_TRY(err, dnnl_memory_set_data_handle(port->inner, dnnl->scratch[port->slot]));
    const int direct = port->same_layout && !add;
    args[2].arg = port->arg;
    args[2].memory = direct ? port->user : port->inner;
    SC_DNNL_TRY(err, dnnl_primitive_execute(pass->conv, dnnl->stream, 3, args));
    if (!direct)
        SC_TRY(reorder_run(err, dnnl, add ? port->reorder_add : port->reorder, port->inner,
                           port->user));
    SC_DNNL_TRY(err, dnnl_stream_wait(dnnl->stream));
    return SC_OK;
}

sc_status sc_cpu_dnnl_conv_prepare(sc_backend *be, sc_cpu_dnnl *dnnl, const sc_conv_params *p,
                                   const sc_tensor *x, const sc_tensor *w, const sc_tensor *y) {
    sc_dnnl_conv_plan *plan;
    return plan_for(be, dnnl, p, x, w, y, &plan);
}

sc_status sc_cpu_dnnl_conv_fwd(sc_backend *be, sc_cpu_dnnl *dnnl, const sc_conv_params *p,
                               const sc_tensor *x, const sc_tensor *w, const sc_tensor *y) {
    sc_dnnl_conv_plan *plan;
    SC_TRY(plan_for(be, dnnl, p, x, w, y, &plan));
    return pass_run(&be->err, dnnl, &plan->pass[PASS_FWD], sc_f32(x), sc_f32(w), sc_f32(y), 0);
}

sc_status sc_cpu_dnnl_conv_bwd_data(sc_backend *be, sc_cpu_dnnl *dnnl, const sc_conv_params *p,
                                    const sc_tensor *dy, const sc_tensor *w, const sc_tensor *dx,
                                    int accumulate) {
    sc_dnnl_conv_plan *plan;
    SC_TRY(plan_for(be, dnnl, p, dx, w, dy, &plan));
    return pass_run(&be->err, dnnl, &plan->pass[PASS_BWD_DATA], sc_f32(dy), sc_f32(w),
                    sc_f32(dx), accumulate);
}

sc_status sc_cpu_dnnl_conv_bwd_filter(sc_backend *be, sc_cpu_dnnl *dnnl,
                                      const sc_conv_params *p, const sc_tensor *x,
                                      const sc_tensor *dy, const sc_tensor *dw) {
    sc_dnnl_conv_plan *plan;
    SC_TRY(plan_for(be, dnnl, p, x, dw, dy, &plan));
    return pass_run(&be->err, dnnl, &plan->pass[PASS_BWD_FILTER], sc_f32(x), sc_f32(dy),
                    sc_f32(dw), 1);
}

sc_status sc_cpu_dnnl_conv_impls(sc_backend *be, sc_cpu_dnnl *dnnl, const sc_conv_params *p,
                                 const sc_tensor *x, const sc_tensor *w, const sc_tensor *y,
                                 const char *names[3]) {
    sc_dnnl_conv_plan *plan;
    SC_TRY(plan_for(be, dnnl, p, x, w, y, &plan));
    for (int i = 0; i < PASS_COUNT; i++)
        SC_DNNL_TRY(&be->err, dnnl_primitive_desc_query(plan->pass[i].pd,
                                                        dnnl_query_impl_info_str, 0, &names[i]));
    return SC_OK;
}
