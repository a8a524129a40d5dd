/* safetensors files (https://github.com/huggingface/safetensors): the checkpoint format.
 *
 * Layout: 8 bytes little-endian u64 N, then N bytes of JSON header, then the data buffer.
 * The header is {"__metadata__": {string: string}, "<name>": {"dtype": "F32",
 * "shape": [..], "data_offsets": [begin, end]}, ...} with offsets relative to the start of the
 * data buffer; writers pad the header with spaces so 8 + N is a multiple of 8.
 *
 * Writer: collect (name, dtype, shape, host pointer) entries and string metadata, then write
 * the file atomically (fileio.h); tensors go in the order added, metadata first in the header.
 * Reader: loads the whole file and validates it as strictly as the reference implementation:
 * header length within the file and at most 100 MB, a JSON object whose first byte is '{',
 * every entry with a known dtype, a shape and data_offsets, end - begin == numel * dtype size,
 * no two entries overlapping, no gap, the data buffer exactly covered, names unique. Every
 * error names the file and what is wrong (SC_ERR_FORMAT; SC_ERR_IO for a file that cannot be
 * read).
 *
 * Data is raw little-endian bytes; this code requires a little-endian host. Tensor data inside
 * a file read back may be unaligned (offsets are packed with no gaps): copy it with memcpy. */
#ifndef SC_SAFETENSORS_H
#define SC_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "status.h"
#include "tensor.h"

#define SC_ST_MAX_DIMS 8
#define SC_ST_MAX_HEADER_BYTES ((uint64_t)100 * 1000 * 1000)

/* The byte-sized dtypes of the format (sub-byte F4/F6 types are not supported). */
typedef enum sc_st_dtype {
    SC_ST_BOOL = 0,
    SC_ST_U8,
    SC_ST_I8,
    SC_ST_F8_E5M2,
    SC_ST_F8_E4M3,
    SC_ST_F8_E8M0,
    SC_ST_I16,
    SC_ST_U16,
    SC_ST_F16,
    SC_ST_BF16,
    SC_ST_I32,
    SC_ST_U32,
    SC_ST_F32,
    SC_ST_I64,
    SC_ST_U64,
    SC_ST_F64,
    SC_ST_C64,
    SC_ST_DTYPE_COUNT
} sc_st_dtype;

const char *sc_st_dtype_name(sc_st_dtype dtype); /* "F32", ...; "?" when out of range */
size_t sc_st_dtype_size(sc_st_dtype dtype);      /* bytes per element; 0 when out of range */
/* 1 and the dtype for a name of the format ("BF16"), else 0. */
int sc_st_dtype_parse(const char *name, sc_st_dtype *out);
/* The file dtype of an engine dtype (every sc_dtype has one; SC_ST_DTYPE_COUNT for a value
 * outside the enum, which sc_st_writer_add rejects). */
sc_st_dtype sc_st_dtype_from_tensor(sc_dtype dtype);
/* 1 and the engine dtype for a file dtype the engine has (F32, BF16, I32, I64, U8), else 0. */
int sc_st_dtype_to_tensor(sc_st_dtype dtype, sc_dtype *out);

/* ---- writing -------------------------------------------------------------------------------- */

typedef struct sc_st_writer_entry {
    char *name;
    sc_st_dtype dtype;
    int ndim;
    int64_t shape[SC_ST_MAX_DIMS]; /* (ndim) */
    const void *data;              /* (nbytes) host memory, read when the file is written */
    size_t nbytes;
} sc_st_writer_entry;

typedef struct sc_st_metadata_entry {
    char *key;
    char *value;
} sc_st_metadata_entry;

typedef struct sc_st_writer {
    sc_st_writer_entry *entries; /* (count) in the order added */
    size_t count;
    size_t cap;
    sc_st_metadata_entry *metadata; /* (metadata_count) in the order first set */
    size_t metadata_count;
    size_t metadata_cap;
} sc_st_writer;

void sc_st_writer_init(sc_st_writer *w);
void sc_st_writer_free(sc_st_writer *w);
/* Add a tensor: shape (ndim) with 0 <= ndim <= SC_ST_MAX_DIMS (0 is a scalar), data holds
 * numel * dtype size bytes of host memory and must stay valid until the file is written (it
 * is not copied). SC_ERR_USAGE for an empty, reserved ("__metadata__") or repeated name, a
 * negative dimension, or a size that overflows. */
sc_status sc_st_writer_add(sc_st_writer *w, const char *name, sc_st_dtype dtype, int ndim,
                           const int64_t *shape, const void *data, sc_error *err);
/* Add a tensor in host memory (t->data is read when the file is written). */
sc_status sc_st_writer_add_tensor(sc_st_writer *w, const char *name, const sc_tensor *t,
                                  sc_error *err);
/* Set a metadata string (replacing an earlier value of the same key). */
sc_status sc_st_writer_set_metadata(sc_st_writer *w, const char *key, const char *value,
                                    sc_error *err);
/* Write everything added to path, atomically. */
sc_status sc_st_writer_write(const sc_st_writer *w, const char *path, sc_error *err);

/* ---- reading -------------------------------------------------------------------------------- */

typedef struct sc_st_entry {
    const char *name;
    sc_st_dtype dtype;
    int ndim;
    int64_t shape[SC_ST_MAX_DIMS]; /* (ndim) */
    int64_t numel;                 /* 1 for a scalar (ndim 0) */
    uint64_t begin, end;           /* data_offsets, relative to the start of the data buffer */
    const void *data;              /* (nbytes) inside the file's buffer; may be unaligned */
    size_t nbytes;
} sc_st_entry;

typedef struct sc_st_file {
    char *name;                    /* the path, for messages */
    unsigned char *bytes;          /* (size) the whole file */
    size_t size;
    uint64_t header_len;           /* N: the JSON header is bytes[8 .. 8 + N) */
    const unsigned char *data;     /* (data_len) the data buffer, bytes + 8 + N */
    size_t data_len;
    sc_json_doc header;
    const sc_json_value *metadata; /* the "__metadata__" object, or NULL */
    sc_st_entry *entries;          /* (count) in header order */
    size_t count;
    const sc_st_entry **by_name;   /* (count) sorted by name, for lookups */
} sc_st_file;

/* Read and validate a file. On failure f is left empty (sc_st_close is still safe). */
sc_status sc_st_open(sc_st_file *f, const char *path, sc_error *err);
/* The same from bytes in memory (copied); name stands for the path in messages. */
sc_status sc_st_open_memory(sc_st_file *f, const void *bytes, size_t size, const char *name,
                            sc_error *err);
void sc_st_close(sc_st_file *f);

/* The entry of a tensor name, or NULL. */
const sc_st_entry *sc_st_find(const sc_st_file *f, const char *name);
/* A metadata value, or NULL when the file has no such key. */
const char *sc_st_metadata_get(const sc_st_file *f, const char *key);
size_t sc_st_metadata_count(const sc_st_file *f);
/* Metadata pair i in header order: 1 and key/value, or 0 when i is out of range. */
int sc_st_metadata_at(const sc_st_file *f, size_t i, const char **key, const char **value);

#endif
