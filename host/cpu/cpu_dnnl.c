/* The oneDNN context of the CPU backend: engine, stream, scratch, errors and the description
 * `scaat info` and the training start line show (library version and chosen ISA). */
#include <stdio.h>
#include <stdlib.h>

#include "cpu_dnnl_internal.h"

static const char *status_name(dnnl_status_t status) {
    switch (status) {
    case dnnl_out_of_memory: return "out of memory";
    case dnnl_invalid_arguments: return "invalid arguments";
    case dnnl_unimplemented: return "no implementation for these shapes";
    case dnnl_iterator_ends: return "iterator ends";
    case dnnl_runtime_error: return "runtime error";
    case dnnl_not_required: return "not required";
    default: return "unknown status";
    }
}

sc_status sc_dnnl_fail(sc_error *err, dnnl_status_t status, const char *call, const char *file,
                       int line) {
    return sc_fail(err, status == dnnl_out_of_memory ? SC_ERR_OOM : SC_ERR_BACKEND,
                   "oneDNN: %s failed at %s:%d: %s (status %d)", call, file, line,
                   status_name(status), (int)status);
}

const char *sc_cpu_dnnl_isa_name(void) {
    switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_mic: return "avx512_mic";
    case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return "generic (no JIT kernels)";
    }
}

void sc_cpu_dnnl_describe(char *buf, size_t len) {
    const dnnl_version_t *v = dnnl_version();
    snprintf(buf, len, "oneDNN %d.%d.%d (ISA %s)", v->major, v->minor, v->patch,
             sc_cpu_dnnl_isa_name());
}

sc_status sc_cpu_dnnl_create(int threads, sc_cpu_dnnl **out, sc_error *err) {
    *out = NULL;
    sc_cpu_dnnl *dnnl = calloc(1, sizeof *dnnl);
    if (!dnnl)
        return sc_fail(err, SC_ERR_OOM, "cpu backend: out of memory creating the oneDNN context");
    dnnl->threads = threads;
    dnnl_status_t st = dnnl_engine_create(&dnnl->engine, dnnl_cpu, 0);
    if (st == dnnl_success)
        st = dnnl_stream_create(&dnnl->stream, dnnl->engine, dnnl_stream_default_flags);
    if (st != dnnl_success) {
        sc_cpu_dnnl_destroy(dnnl);
        return sc_dnnl_fail(err, st, "creating the CPU engine and stream", __FILE__, __LINE__);
    }
    *out = dnnl;
    return SC_OK;
}

void sc_cpu_dnnl_destroy(sc_cpu_dnnl *dnnl) {
    if (!dnnl)
        return;
    sc_dnnl_conv_plans_destroy(dnnl);
    for (int i = 0; i < SC_DNNL_SCRATCH_SLOTS; i++)
        free(dnnl->scratch[i]);
    if (dnnl->stream)
        dnnl_stream_destroy(dnnl->stream);
    if (dnnl->engine)
        dnnl_engine_destroy(dnnl->engine);
    free(dnnl);
}
