/* Private to cpu_dnnl.c and cpu_dnnl_conv.c: the oneDNN context of the CPU backend (engine,
 * stream, the per-shape convolution plans and the scratch buffers of blocked copies). */
#ifndef SC_CPU_DNNL_INTERNAL_H
#define SC_CPU_DNNL_INTERNAL_H

#include <oneapi/dnnl/dnnl.h>

#include "cpu_dnnl.h"

/* A call's tensors in the kernel's own layout: slot 0 and 1 for the two inputs, 2 for the
 * output. */
#define SC_DNNL_SCRATCH_SLOTS 3

typedef struct sc_dnnl_conv_plan sc_dnnl_conv_plan; /* cpu_dnnl_conv.c */

struct sc_cpu_dnnl {
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    int threads;                /* OpenMP team size of every primitive */
    sc_dnnl_conv_plan **plans;  /* (plan_count) one per convolution shape */
    int plan_count, plan_capacity;
    void *scratch[SC_DNNL_SCRATCH_SLOTS]; /* 64-byte aligned, grown to the largest need */
    size_t scratch_bytes[SC_DNNL_SCRATCH_SLOTS];
};

/* One line for a failed oneDNN call: what failed, where, and oneDNN's status. */
sc_status sc_dnnl_fail(sc_error *err, dnnl_status_t status, const char *call, const char *file,
                       int line);

#define SC_DNNL_TRY(err, call)                                                  \
    do {                                                                        \
        dnnl_status_t sc_dnnl_status_ = (call);                                 \
        if (sc_dnnl_status_ != dnnl_success)                                    \
            return sc_dnnl_fail((err), sc_dnnl_status_, #call, __FILE__, __LINE__); \
    } while (0)

/* Destroys the plans of cpu_dnnl_conv.c. */
void sc_dnnl_conv_plans_destroy(sc_cpu_dnnl *dnnl);

#endif
