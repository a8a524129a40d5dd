/* Convolutions of the CPU backend through oneDNN (built when CMake finds it; see
 * cpu_dnnl.c and cpu_dnnl_conv.c): oneDNN picks JIT kernels for the instruction set of the
 * CPU it runs on (AVX2, AVX-512, AMX), where OpenBLAS may fall back to a generic core.
 *
 * The engine keeps its tensors in NCHW / OIHW; each convolution reorders its inputs into the
 * blocked layout the chosen kernel wants (nChw8c / nChw16c, ...) and its output back, as
 * PyTorch does on the CPU. Primitives are created once per shape (conv2d_prepare) and kept in
 * the context, like the cuDNN plans; the blocked copies live in three scratch buffers shared
 * by all shapes. Results are bit-identical from run to run for a given thread count
 * (oneDNN splits work by thread index; verified by the resume and fresh-run tests).
 *
 * Which convolutions run here is decided in cpu_conv.c (all but the backward passes of a
 * stem with fewer than 16 input channels). SCAAT_CPU_CONV in the environment when the backend
 * is created overrides it: "im2col" keeps the older im2col + OpenBLAS convolutions for all,
 * "onednn" runs all on oneDNN (the tests use both). */
#ifndef SC_CPU_DNNL_H
#define SC_CPU_DNNL_H

#include <stddef.h>

#include "../backend/backend.h"

typedef struct sc_cpu_dnnl sc_cpu_dnnl;

/* The oneDNN engine, stream and an empty plan cache; threads is the backend's team size. */
sc_status sc_cpu_dnnl_create(int threads, sc_cpu_dnnl **out, sc_error *err);
void sc_cpu_dnnl_destroy(sc_cpu_dnnl *dnnl);

/* "oneDNN 2.6.3 (ISA avx512_core_bf16)": the library version and the instruction set its
 * kernels use on this CPU. */
void sc_cpu_dnnl_describe(char *buf, size_t len);
/* The instruction set oneDNN dispatches to on this CPU ("avx2", "avx512_core", ...). */
const char *sc_cpu_dnnl_isa_name(void);

/* The three directions of one convolution; the caller has validated the shapes. The plan of
 * a shape is created on first use (conv2d_prepare creates them before training). dy/dx and
 * dy/dw follow cpu_conv.c's conventions: bwd_data overwrites dx or adds to it, bwd_filter
 * always adds to dw. */
sc_status sc_cpu_dnnl_conv_prepare(sc_backend *be, sc_cpu_dnnl *dnnl, const sc_conv_params *p,
                                   const sc_tensor *x, const sc_tensor *w, const sc_tensor *y);
sc_status sc_cpu_dnnl_conv_fwd(sc_backend *be, sc_cpu_dnnl *dnnl, const sc_conv_params *p,
                               const sc_tensor *x, const sc_tensor *w, const sc_tensor *y);
sc_status sc_cpu_dnnl_conv_bwd_data(sc_backend *be, sc_cpu_dnnl *dnnl, const sc_conv_params *p,
                                    const sc_tensor *dy, const sc_tensor *w, const sc_tensor *dx,
                                    int accumulate);
sc_status sc_cpu_dnnl_conv_bwd_filter(sc_backend *be, sc_cpu_dnnl *dnnl,
                                      const sc_conv_params *p, const sc_tensor *x,
                                      const sc_tensor *dy, const sc_tensor *dw);

/* The names oneDNN gives the implementations it chose for a shape's forward, backward-data
 * and backward-filter primitives ("jit:avx512_common", "brgconv:avx512_core", "gemm:jit",
 * "ref:any"...), valid while the backend lives; creates the plan if needed. For tests and
 * diagnostics: a "ref" name means a slow reference loop. */
sc_status sc_cpu_dnnl_conv_impls(sc_backend *be, sc_cpu_dnnl *dnnl, const sc_conv_params *p,
                                 const sc_tensor *x, const sc_tensor *w, const sc_tensor *y,
                                 const char *names[3]);

#endif
