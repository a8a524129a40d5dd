/* safetensors writer: collects tensors and metadata, builds the JSON header and writes the
 * file atomically (see safetensors.h). */
#include "safetensors.h"

#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "json_write.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "safetensors data is little-endian and is written from host memory as is"
#endif

void sc_st_writer_init(sc_st_writer *w) { memset(w, 0, sizeof *w); }

void sc_st_writer_free(sc_st_writer *w) {
    for (size_t i = 0; i < w->count; i++)
        free(w->entries[i].name);
    for (size_t i = 0; i < w->metadata_count; i++) {
        free(w->metadata[i].key);
        free(w->metadata[i].value);
    }
    free(w->entries);
    free(w->metadata);
    sc_st_writer_init(w);
}

/* grow a list to hold one more item; 0 when memory runs out */
static int grow(void **items, size_t *cap, size_t count, size_t item_size) {
    if (count < *cap)
        return 1;
    size_t new_cap = *cap ? 2 * *cap : 16;
    void *grown = realloc(*items, new_cap * item_size);
    if (!grown)
        return 0;
    *items = grown;
    *cap = new_cap;
    return 1;
}

sc_status sc_st_writer_add(sc_st_writer *w, const char *name, sc_st_dtype dtype, int ndim,
                           const int64_t *shape, const void *data, sc_error *err) {
    if (!name || !name[0])
        return sc_fail(err, SC_ERR_USAGE, "safetensors writer: a tensor needs a non-empty name");
    if (strcmp(name, "__metadata__") == 0)
        return sc_fail(err, SC_ERR_USAGE, "safetensors writer: \"__metadata__\" is reserved, not a tensor name");
    size_t elem_size = sc_st_dtype_size(dtype);
    if (elem_size == 0)
        return sc_fail(err, SC_ERR_USAGE, "safetensors writer: tensor '%s' has an invalid dtype (%d)",
                       name, (int)dtype);
    if (ndim < 0 || ndim > SC_ST_MAX_DIMS)
        return sc_fail(err, SC_ERR_USAGE, "safetensors writer: tensor '%s' has %d dimensions, expected 0 to %d",
                       name, ndim, SC_ST_MAX_DIMS);
    size_t nbytes = elem_size;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 0)
            return sc_fail(err, SC_ERR_USAGE, "safetensors writer: tensor '%s' has a negative dimension %lld",
                           name, (long long)shape[d]);
        if (shape[d] > 0 && nbytes > SIZE_MAX / (uint64_t)shape[d])
            return sc_fail(err, SC_ERR_USAGE, "safetensors writer: tensor '%s' is too large to address",
                           name);
        nbytes *= (size_t)shape[d];
    }
    if (nbytes > 0 && !data)
        return sc_fail(err, SC_ERR_USAGE, "safetensors writer: tensor '%s' has no data pointer", name);
    for (size_t i = 0; i < w->count; i++)
        if (strcmp(w->entries[i].name, name) == 0)
            return sc_fail(err, SC_ERR_USAGE, "safetensors writer: tensor '%s' was added twice", name);
    if (!grow((void **)&w->entries, &w->cap, w->count, sizeof *w->entries))
        return sc_fail(err, SC_ERR_OOM, "safetensors writer: out of memory adding tensor '%s'", name);
    sc_st_writer_entry *e = &w->entries[w->count];
    memset(e, 0, sizeof *e);
    e->name = strdup(name);
    if (!e->name)
        return sc_fail(err, SC_ERR_OOM, "safetensors writer: out of memory adding tensor '%s'", name);
    e->dtype = dtype;
    e->ndim = ndim;
    for (int d = 0; d < ndim; d++)
        e->shape[d] = shape[d];
    e->data = data;
    e->nbytes = nbytes;
    w->count++;
    return SC_OK;
}

sc_status sc_st_writer_add_tensor(sc_st_writer *w, const char *name, const sc_tensor *t,
                                  sc_error *err) {
    return sc_st_writer_add(w, name, sc_st_dtype_from_tensor(t->dtype), t->ndim, t->shape, t->data,
                            err);
}

sc_status sc_st_writer_set_metadata(sc_st_writer *w, const char *key, const char *value,
                                    sc_error *err) {
    if (!key || !value)
        return sc_fail(err, SC_ERR_USAGE, "safetensors writer: metadata needs a key and a value");
    char *copy = strdup(value);
    if (!copy)
        return sc_fail(err, SC_ERR_OOM, "safetensors writer: out of memory setting metadata '%s'", key);
    for (size_t i = 0; i < w->metadata_count; i++) {
        if (strcmp(w->metadata[i].key, key) == 0) {
            free(w->metadata[i].value);
            w->metadata[i].value = copy;
            return SC_OK;
        }
    }
    char *key_copy = strdup(key);
    if (!key_copy ||
        !grow((void **)&w->metadata, &w->metadata_cap, w->metadata_count, sizeof *w->metadata)) {
        free(copy);
        free(key_copy);
        return sc_fail(err, SC_ERR_OOM, "safetensors writer: out of memory setting metadata '%s'", key);
    }
    w->metadata[w->metadata_count].key = key_copy;
    w->metadata[w->metadata_count].value = copy;
    w->metadata_count++;
    return SC_OK;
}

/* the JSON header, unpadded, into json */
static void build_header(const sc_st_writer *w, sc_json_writer *json) {
    sc_json_begin_object(json);
    if (w->metadata_count > 0) {
        sc_json_key(json, "__metadata__");
        sc_json_begin_object(json);
        for (size_t i = 0; i < w->metadata_count; i++)
            sc_json_field_string(json, w->metadata[i].key, w->metadata[i].value);
        sc_json_end_object(json);
    }
    uint64_t offset = 0;
    for (size_t i = 0; i < w->count; i++) {
        const sc_st_writer_entry *e = &w->entries[i];
        sc_json_key(json, e->name);
        sc_json_begin_object(json);
        sc_json_field_string(json, "dtype", sc_st_dtype_name(e->dtype));
        sc_json_key(json, "shape");
        sc_json_begin_array(json);
        for (int d = 0; d < e->ndim; d++)
            sc_json_value_int(json, e->shape[d]);
        sc_json_end_array(json);
        sc_json_key(json, "data_offsets");
        sc_json_begin_array(json);
        sc_json_value_uint(json, offset);
        sc_json_value_uint(json, offset + e->nbytes);
        sc_json_end_array(json);
        sc_json_end_object(json);
        offset += e->nbytes;
    }
    sc_json_end_object(json);
}

sc_status sc_st_writer_write(const sc_st_writer *w, const char *path, sc_error *err) {
    sc_json_writer json;
    sc_json_writer_init(&json, 0);
    build_header(w, &json);
    sc_status st = sc_json_writer_finish(&json, err);
    if (st != SC_OK) {
        sc_json_writer_free(&json);
        if (err)
            sc_error_prefix(err, "writing %s", path);
        return st;
    }
    /* pad the header with spaces so that 8 + N is a multiple of 8, as the reference writer does */
    static const char SPACES[] = "       ";
    size_t padding = (8 - json.len % 8) % 8;
    uint64_t header_len = (uint64_t)json.len + padding;
    if (header_len > SC_ST_MAX_HEADER_BYTES) {
        sc_json_writer_free(&json);
        return sc_fail(err, SC_ERR_USAGE, "cannot write %s: the header would be %llu bytes, over the %llu that readers accept",
                       path, (unsigned long long)header_len, (unsigned long long)SC_ST_MAX_HEADER_BYTES);
    }
    unsigned char length_prefix[8];
    for (int i = 0; i < 8; i++)
        length_prefix[i] = (unsigned char)(header_len >> (8 * i));

    sc_file_chunk *chunks = malloc((w->count + 3) * sizeof *chunks);
    if (!chunks) {
        sc_json_writer_free(&json);
        return sc_fail(err, SC_ERR_OOM, "cannot write %s: out of memory", path);
    }
    size_t n = 0;
    chunks[n++] = (sc_file_chunk){length_prefix, sizeof length_prefix};
    chunks[n++] = (sc_file_chunk){json.buf, json.len};
    chunks[n++] = (sc_file_chunk){SPACES, padding};
    for (size_t i = 0; i < w->count; i++)
        chunks[n++] = (sc_file_chunk){w->entries[i].data, w->entries[i].nbytes};
    st = sc_file_write_atomic_chunks(path, chunks, n, err);
    free(chunks);
    sc_json_writer_free(&json);
    return st;
}
