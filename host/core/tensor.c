/* Tensor descriptor helpers (see tensor.h). */
#include "tensor.h"

#include <stdio.h>
#include <string.h>

size_t sc_dtype_size(sc_dtype dtype) {
    switch (dtype) {
    case SC_F32: return 4;
    case SC_BF16: return 2;
    case SC_I32: return 4;
    case SC_I64: return 8;
    case SC_U8: return 1;
    }
    return 0;
}

const char *sc_dtype_name(sc_dtype dtype) {
    switch (dtype) {
    case SC_F32: return "F32";
    case SC_BF16: return "BF16";
    case SC_I32: return "I32";
    case SC_I64: return "I64";
    case SC_U8: return "U8";
    }
    return "?";
}

sc_tensor sc_tensor_make(void *data, sc_dtype dtype, int ndim, const int64_t *shape) {
    sc_tensor t;
    memset(&t, 0, sizeof t);
    t.data = data;
    t.dtype = dtype;
    t.layout = SC_NCHW;
    t.ndim = ndim < 0 ? 0 : (ndim > SC_MAX_DIMS ? SC_MAX_DIMS : ndim);
    for (int i = 0; i < t.ndim; i++)
        t.shape[i] = shape[i];
    return t;
}

sc_tensor sc_tensor_1d(void *data, sc_dtype dtype, int64_t n) {
    return sc_tensor_make(data, dtype, 1, &n);
}

sc_tensor sc_tensor_2d(void *data, sc_dtype dtype, int64_t rows, int64_t cols) {
    int64_t shape[2] = {rows, cols};
    return sc_tensor_make(data, dtype, 2, shape);
}

sc_tensor sc_tensor_4d(void *data, sc_dtype dtype, int64_t n, int64_t c, int64_t h, int64_t w) {
    int64_t shape[4] = {n, c, h, w};
    return sc_tensor_make(data, dtype, 4, shape);
}

int64_t sc_tensor_numel(const sc_tensor *t) {
    int64_t n = 1;
    for (int i = 0; i < t->ndim; i++)
        n *= t->shape[i];
    return n;
}

size_t sc_tensor_bytes(const sc_tensor *t) {
    return (size_t)sc_tensor_numel(t) * sc_dtype_size(t->dtype);
}

int sc_tensor_same_shape(const sc_tensor *a, const sc_tensor *b) {
    if (a->ndim != b->ndim)
        return 0;
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i])
            return 0;
    return 1;
}

const char *sc_tensor_shape_str(const sc_tensor *t, char *buf, size_t len) {
    size_t used = 0;
    used += (size_t)snprintf(buf + used, len - used, "(");
    for (int i = 0; i < t->ndim && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, i ? ", %lld" : "%lld", (long long)t->shape[i]);
    if (used < len)
        snprintf(buf + used, len - used, ")");
    return buf;
}
