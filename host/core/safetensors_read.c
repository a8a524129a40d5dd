/* safetensors reader: loads a file, parses its header and validates every entry and the
 * coverage of the data buffer (see safetensors.h for the rules). */
#include "safetensors.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "safetensors data is little-endian and is handed out as host memory as is"
#endif

static const char METADATA_KEY[] = "__metadata__";

/* SC_ERR_FORMAT with "<file>: <message>" */
static sc_status bad_file(const sc_st_file *f, sc_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static sc_status bad_file(const sc_st_file *f, sc_error *err, const char *fmt, ...) {
    char what[SC_ERROR_MSG_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return sc_fail(err, SC_ERR_FORMAT, "%s: %s", f->name, what);
}

/* "[2, 3]" */
static const char *shape_text(const int64_t *shape, int ndim, char *buf, size_t len) {
    size_t used = (size_t)snprintf(buf, len, "[");
    for (int d = 0; d < ndim && used < len; d++)
        used += (size_t)snprintf(buf + used, len - used, "%s%lld", d ? ", " : "", (long long)shape[d]);
    if (used < len)
        snprintf(buf + used, len - used, "]");
    return buf;
}

/* ---- one entry ------------------------------------------------------------------------------ */

static sc_status read_dtype(const sc_st_file *f, const char *name, const sc_json_value *v,
                            sc_st_entry *e, sc_error *err) {
    const char *text = sc_json_get_string(v);
    if (!text)
        return bad_file(f, err, "tensor '%s': dtype is a JSON %s, expected a string such as \"F32\"", name,
                        sc_json_type_name(v->type));
    if (!sc_st_dtype_parse(text, &e->dtype))
        return bad_file(f, err, "tensor '%s': unknown dtype \"%.32s\"", name, text);
    return SC_OK;
}

static sc_status read_shape(const sc_st_file *f, const char *name, const sc_json_value *v,
                            sc_st_entry *e, sc_error *err) {
    if (v->type != SC_JSON_ARRAY)
        return bad_file(f, err, "tensor '%s': shape is a JSON %s, expected an array of integers", name,
                        sc_json_type_name(v->type));
    size_t ndim = sc_json_count(v);
    if (ndim > SC_ST_MAX_DIMS)
        return sc_fail(err, SC_ERR_UNSUPPORTED, "%s: tensor '%s' has %zu dimensions, at most %d are supported",
                       f->name, name, ndim, SC_ST_MAX_DIMS);
    e->ndim = (int)ndim;
    e->numel = 1;
    for (size_t d = 0; d < ndim; d++) {
        int64_t dim;
        if (!sc_json_get_i64(sc_json_array_at(v, d), &dim) || dim < 0)
            return bad_file(f, err, "tensor '%s': shape entry %zu is not a non-negative integer", name, d);
        e->shape[d] = dim;
        if (dim > 0 && e->numel > INT64_MAX / dim)
            return bad_file(f, err, "tensor '%s': shape has more elements than fit in 64 bits", name);
        e->numel *= dim;
    }
    return SC_OK;
}

static sc_status read_offsets(const sc_st_file *f, const char *name, const sc_json_value *v,
                              sc_st_entry *e, sc_error *err) {
    if (v->type != SC_JSON_ARRAY || sc_json_count(v) != 2 ||
        !sc_json_get_u64(sc_json_array_at(v, 0), &e->begin) ||
        !sc_json_get_u64(sc_json_array_at(v, 1), &e->end))
        return bad_file(f, err, "tensor '%s': data_offsets must be two non-negative integers [begin, end]",
                        name);
    if (e->begin > e->end)
        return bad_file(f, err, "tensor '%s': data_offsets [%llu, %llu] end before they begin", name,
                        (unsigned long long)e->begin, (unsigned long long)e->end);
    if (e->end > f->data_len)
        return bad_file(f, err, "tensor '%s': data_offsets [%llu, %llu] run past the end of the data (%zu bytes)",
                        name, (unsigned long long)e->begin, (unsigned long long)e->end, f->data_len);
    return SC_OK;
}

static sc_status read_entry(const sc_st_file *f, const sc_json_member *m, sc_st_entry *e,
                            sc_error *err) {
    const char *name = m->key;
    if (strlen(name) != m->key_len)
        return bad_file(f, err, "a tensor name contains a NUL character");
    if (m->value.type != SC_JSON_OBJECT)
        return bad_file(f, err, "tensor '%s': entry is a JSON %s, expected an object with dtype, shape and data_offsets",
                        name, sc_json_type_name(m->value.type));
    for (size_t i = 0; i < sc_json_count(&m->value); i++) {
        const char *field = sc_json_member_at(&m->value, i)->key;
        if (strcmp(field, "dtype") != 0 && strcmp(field, "shape") != 0 && strcmp(field, "data_offsets") != 0)
            return bad_file(f, err, "tensor '%s': unexpected field \"%.32s\" (expected dtype, shape, data_offsets)",
                            name, field);
    }
    static const char *const FIELDS[3] = {"dtype", "shape", "data_offsets"};
    for (int i = 0; i < 3; i++)
        if (!sc_json_object_get(&m->value, FIELDS[i]))
            return bad_file(f, err, "tensor '%s': missing \"%s\"", name, FIELDS[i]);
    e->name = name;
    SC_TRY(read_dtype(f, name, sc_json_object_get(&m->value, "dtype"), e, err));
    SC_TRY(read_shape(f, name, sc_json_object_get(&m->value, "shape"), e, err));
    SC_TRY(read_offsets(f, name, sc_json_object_get(&m->value, "data_offsets"), e, err));
    uint64_t stored = e->end - e->begin;
    size_t elem_size = sc_st_dtype_size(e->dtype);
    if ((uint64_t)e->numel > UINT64_MAX / elem_size)
        return bad_file(f, err, "tensor '%s': shape needs more bytes than fit in 64 bits", name);
    if (stored != (uint64_t)e->numel * elem_size) {
        char shape[128];
        return bad_file(f, err, "tensor '%s': data_offsets [%llu, %llu] hold %llu bytes but shape %s of %s needs %llu",
                        name, (unsigned long long)e->begin, (unsigned long long)e->end,
                        (unsigned long long)stored, shape_text(e->shape, e->ndim, shape, sizeof shape),
                        sc_st_dtype_name(e->dtype), (unsigned long long)e->numel * elem_size);
    }
    e->data = f->data + e->begin;
    e->nbytes = (size_t)stored;
    return SC_OK;
}

static sc_status read_metadata(const sc_st_file *f, const sc_json_value *v, sc_error *err) {
    if (v->type == SC_JSON_NULL)
        return SC_OK;
    if (v->type != SC_JSON_OBJECT)
        return bad_file(f, err, "__metadata__ is a JSON %s, expected an object of strings",
                        sc_json_type_name(v->type));
    for (size_t i = 0; i < sc_json_count(v); i++) {
        const sc_json_member *m = sc_json_member_at(v, i);
        if (m->value.type != SC_JSON_STRING)
            return bad_file(f, err, "__metadata__ \"%.64s\" is a JSON %s, expected a string", m->key,
                            sc_json_type_name(m->value.type));
        if (strlen(m->key) != m->key_len || strlen(m->value.string.chars) != m->value.string.len)
            return bad_file(f, err, "__metadata__ \"%.64s\" contains a NUL character", m->key);
    }
    return SC_OK;
}

/* ---- the whole data buffer ------------------------------------------------------------------ */

static int compare_by_offsets(const void *a, const void *b) {
    const sc_st_entry *ea = *(const sc_st_entry *const *)a;
    const sc_st_entry *eb = *(const sc_st_entry *const *)b;
    if (ea->begin != eb->begin)
        return ea->begin < eb->begin ? -1 : 1;
    if (ea->end != eb->end)
        return ea->end < eb->end ? -1 : 1;
    return 0;
}

static int compare_by_name(const void *a, const void *b) {
    return strcmp((*(const sc_st_entry *const *)a)->name, (*(const sc_st_entry *const *)b)->name);
}

/* every byte of the data buffer belongs to exactly one tensor */
static sc_status check_coverage(sc_st_file *f, sc_error *err) {
    const sc_st_entry **order = f->by_name; /* borrowed as scratch; sorted by name afterwards */
    for (size_t i = 0; i < f->count; i++)
        order[i] = &f->entries[i];
    qsort(order, f->count, sizeof *order, compare_by_offsets);
    uint64_t covered = 0;
    const sc_st_entry *prev = NULL;
    for (size_t i = 0; i < f->count; i++) {
        const sc_st_entry *e = order[i];
        if (e->begin < covered)
            return bad_file(f, err, "tensor '%s': data_offsets [%llu, %llu] overlap tensor '%s' [%llu, %llu]",
                            e->name, (unsigned long long)e->begin, (unsigned long long)e->end, prev->name,
                            (unsigned long long)prev->begin, (unsigned long long)prev->end);
        if (e->begin > covered)
            return bad_file(f, err, "bytes [%llu, %llu) of the data belong to no tensor (a gap before tensor '%s')",
                            (unsigned long long)covered, (unsigned long long)e->begin, e->name);
        covered = e->end;
        prev = e;
    }
    if (covered != f->data_len)
        return bad_file(f, err, "bytes [%llu, %zu) at the end of the data belong to no tensor",
                        (unsigned long long)covered, f->data_len);
    return SC_OK;
}

/* ---- the file ------------------------------------------------------------------------------- */

static sc_status parse_file(sc_st_file *f, sc_error *err) {
    if (f->size < 8)
        return bad_file(f, err, "file is %zu bytes, too short for the 8-byte header length", f->size);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--)
        n = (n << 8) | f->bytes[i];
    if (n > SC_ST_MAX_HEADER_BYTES)
        return bad_file(f, err, "header length %llu is over the limit of %llu bytes", (unsigned long long)n,
                        (unsigned long long)SC_ST_MAX_HEADER_BYTES);
    if (n > f->size - 8)
        return bad_file(f, err, "header length %llu runs past the end of the file (%zu bytes)",
                        (unsigned long long)n, f->size);
    f->header_len = n;
    f->data = f->bytes + 8 + n;
    f->data_len = f->size - 8 - (size_t)n;
    const char *text = (const char *)f->bytes + 8;
    if (n == 0 || text[0] != '{')
        return bad_file(f, err, "header does not start with '{' (expected a JSON object)");

    char source[SC_ERROR_MSG_LEN];
    snprintf(source, sizeof source, "%s: header", f->name);
    SC_TRY(sc_json_parse(&f->header, text, (size_t)n, source, err));
    /* a complete JSON value that starts with '{' is an object */
    const sc_json_value *root = f->header.root;
    size_t members = sc_json_count(root);
    f->metadata = sc_json_object_get(root, METADATA_KEY);
    if (f->metadata) {
        SC_TRY(read_metadata(f, f->metadata, err));
        if (f->metadata->type == SC_JSON_NULL)
            f->metadata = NULL;
    }
    size_t tensors = members - (sc_json_object_get(root, METADATA_KEY) ? 1 : 0);
    f->entries = calloc(tensors ? tensors : 1, sizeof *f->entries);
    f->by_name = calloc(tensors ? tensors : 1, sizeof *f->by_name);
    if (!f->entries || !f->by_name)
        return sc_fail(err, SC_ERR_OOM, "%s: out of memory for %zu tensor entries", f->name, tensors);
    for (size_t i = 0; i < members; i++) {
        const sc_json_member *m = sc_json_member_at(root, i);
        if (strcmp(m->key, METADATA_KEY) == 0 && m->key_len == sizeof METADATA_KEY - 1)
            continue;
        SC_TRY(read_entry(f, m, &f->entries[f->count], err));
        f->count++;
    }
    SC_TRY(check_coverage(f, err));
    for (size_t i = 0; i < f->count; i++)
        f->by_name[i] = &f->entries[i];
    qsort(f->by_name, f->count, sizeof *f->by_name, compare_by_name);
    return SC_OK;
}

static sc_status open_bytes(sc_st_file *f, const char *name, sc_error *err) {
    sc_status st = f->name ? parse_file(f, err)
                           : sc_fail(err, SC_ERR_OOM, "%s: out of memory", name);
    if (st != SC_OK)
        sc_st_close(f);
    return st;
}

sc_status sc_st_open(sc_st_file *f, const char *path, sc_error *err) {
    memset(f, 0, sizeof *f);
    char *bytes;
    size_t size;
    SC_TRY(sc_file_read_all(path, SIZE_MAX, &bytes, &size, err));
    f->bytes = (unsigned char *)bytes;
    f->size = size;
    f->name = strdup(path);
    return open_bytes(f, path, err);
}

sc_status sc_st_open_memory(sc_st_file *f, const void *bytes, size_t size, const char *name,
                            sc_error *err) {
    memset(f, 0, sizeof *f);
    f->bytes = malloc(size ? size : 1);
    if (!f->bytes)
        return sc_fail(err, SC_ERR_OOM, "%s: out of memory copying %zu bytes", name, size);
    if (size)
        memcpy(f->bytes, bytes, size);
    f->size = size;
    f->name = strdup(name);
    return open_bytes(f, name, err);
}

void sc_st_close(sc_st_file *f) {
    sc_json_doc_free(&f->header);
    free(f->entries);
    free(f->by_name);
    free(f->bytes);
    free(f->name);
    memset(f, 0, sizeof *f);
}

const sc_st_entry *sc_st_find(const sc_st_file *f, const char *name) {
    size_t lo = 0, hi = f->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(f->by_name[mid]->name, name);
        if (c == 0)
            return f->by_name[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *sc_st_metadata_get(const sc_st_file *f, const char *key) {
    return sc_json_get_string(sc_json_object_get(f->metadata, key));
}

size_t sc_st_metadata_count(const sc_st_file *f) { return sc_json_count(f->metadata); }

int sc_st_metadata_at(const sc_st_file *f, size_t i, const char **key, const char **value) {
    const sc_json_member *m = sc_json_member_at(f->metadata, i);
    if (!m)
        return 0;
    *key = m->key;
    *value = m->value.string.chars;
    return 1;
}
