/* The dtype table of the safetensors format: names, element sizes, engine equivalents
 * (see safetensors.h). */
#include "safetensors.h"

#include <string.h>

typedef struct dtype_info {
    const char *name;
    size_t size;
} dtype_info;

/* indexed by sc_st_dtype */
static const dtype_info DTYPES[SC_ST_DTYPE_COUNT] = {
    [SC_ST_BOOL] = {"BOOL", 1},       [SC_ST_U8] = {"U8", 1},
    [SC_ST_I8] = {"I8", 1},           [SC_ST_F8_E5M2] = {"F8_E5M2", 1},
    [SC_ST_F8_E4M3] = {"F8_E4M3", 1}, [SC_ST_F8_E8M0] = {"F8_E8M0", 1},
    [SC_ST_I16] = {"I16", 2},         [SC_ST_U16] = {"U16", 2},
    [SC_ST_F16] = {"F16", 2},         [SC_ST_BF16] = {"BF16", 2},
    [SC_ST_I32] = {"I32", 4},         [SC_ST_U32] = {"U32", 4},
    [SC_ST_F32] = {"F32", 4},         [SC_ST_I64] = {"I64", 8},
    [SC_ST_U64] = {"U64", 8},         [SC_ST_F64] = {"F64", 8},
    [SC_ST_C64] = {"C64", 8},
};

const char *sc_st_dtype_name(sc_st_dtype dtype) {
    if ((unsigned)dtype >= SC_ST_DTYPE_COUNT)
        return "?";
    return DTYPES[dtype].name;
}

size_t sc_st_dtype_size(sc_st_dtype dtype) {
    if ((unsigned)dtype >= SC_ST_DTYPE_COUNT)
        return 0;
    return DTYPES[dtype].size;
}

int sc_st_dtype_parse(const char *name, sc_st_dtype *out) {
    for (int i = 0; i < SC_ST_DTYPE_COUNT; i++) {
        if (strcmp(name, DTYPES[i].name) == 0) {
            *out = (sc_st_dtype)i;
            return 1;
        }
    }
    return 0;
}

sc_st_dtype sc_st_dtype_from_tensor(sc_dtype dtype) {
    switch (dtype) {
    case SC_F32: return SC_ST_F32;
    case SC_BF16: return SC_ST_BF16;
    case SC_I32: return SC_ST_I32;
    case SC_I64: return SC_ST_I64;
    case SC_U8: return SC_ST_U8;
    }
    return SC_ST_DTYPE_COUNT;
}

int sc_st_dtype_to_tensor(sc_st_dtype dtype, sc_dtype *out) {
    switch (dtype) {
    case SC_ST_F32: *out = SC_F32; return 1;
    case SC_ST_BF16: *out = SC_BF16; return 1;
    case SC_ST_I32: *out = SC_I32; return 1;
    case SC_ST_I64: *out = SC_I64; return 1;
    case SC_ST_U8: *out = SC_U8; return 1;
    default: return 0;
    }
}
