/* Tensors: a data pointer plus shape, dtype and layout. A tensor does not own its memory (the
 * arena of its lifetime does), and its pointer belongs to one backend's memory space (host
 * memory for the CPU backend, device memory for CUDA).
 *
 * Shapes are always given in logical order (N, C, H, W) whatever the layout; `layout` says how
 * the elements are stored. Everything is fp32 NCHW today; dtype and layout travel with every
 * tensor so bf16 / NHWC can be added inside the backends without changing callers. */
#ifndef SC_TENSOR_H
#define SC_TENSOR_H

#include <stddef.h>
#include <stdint.h>

#define SC_MAX_DIMS 4

typedef enum sc_dtype { SC_F32 = 0, SC_BF16, SC_I32, SC_I64, SC_U8 } sc_dtype;
typedef enum sc_layout { SC_NCHW = 0, SC_NHWC } sc_layout;

typedef struct sc_tensor {
    void *data;
    int ndim;
    int64_t shape[SC_MAX_DIMS];
    sc_dtype dtype;
    sc_layout layout;
} sc_tensor;

size_t sc_dtype_size(sc_dtype dtype);
const char *sc_dtype_name(sc_dtype dtype); /* safetensors spelling: "F32", "BF16", ... */

sc_tensor sc_tensor_make(void *data, sc_dtype dtype, int ndim, const int64_t *shape);
sc_tensor sc_tensor_1d(void *data, sc_dtype dtype, int64_t n);
sc_tensor sc_tensor_2d(void *data, sc_dtype dtype, int64_t rows, int64_t cols);
sc_tensor sc_tensor_4d(void *data, sc_dtype dtype, int64_t n, int64_t c, int64_t h, int64_t w);

int64_t sc_tensor_numel(const sc_tensor *t);
size_t sc_tensor_bytes(const sc_tensor *t);
int sc_tensor_same_shape(const sc_tensor *a, const sc_tensor *b);
/* "(128, 64, 32, 32)" into buf; returns buf. */
const char *sc_tensor_shape_str(const sc_tensor *t, char *buf, size_t len);

static inline float *sc_f32(const sc_tensor *t) { return (float *)t->data; }
static inline int32_t *sc_i32(const sc_tensor *t) { return (int32_t *)t->data; }

#endif
