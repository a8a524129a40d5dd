/* Fuzz harness of the safetensors reader (host/core/safetensors.h), from memory.
 *
 * The input is the file. An accepted file must keep every promise of the header comment: the
 * header inside the file, every entry's bytes inside the data buffer with the size its dtype
 * and shape need, the data buffer covered exactly once, names found again by lookup, metadata
 * pairs readable by index and by key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_target.h"
#include "host/core/safetensors.h"

#define HARNESS "safetensors"

static int compare_by_begin(const void *a, const void *b) {
    const sc_st_entry *ea = *(const sc_st_entry *const *)a;
    const sc_st_entry *eb = *(const sc_st_entry *const *)b;
    if (ea->begin != eb->begin)
        return ea->begin < eb->begin ? -1 : 1;
    return ea->end < eb->end ? -1 : ea->end > eb->end;
}

static void check_entry(const sc_st_file *f, const sc_st_entry *e) {
    if (e->ndim < 0 || e->ndim > SC_ST_MAX_DIMS || e->dtype < 0 || e->dtype >= SC_ST_DTYPE_COUNT)
        sc_fuzz_fail(HARNESS, "'%s': %d dims, dtype %d", e->name, e->ndim, (int)e->dtype);
    int64_t numel = 1;
    for (int d = 0; d < e->ndim; d++) {
        if (e->shape[d] < 0)
            sc_fuzz_fail(HARNESS, "'%s': dimension %d is %lld", e->name, d, (long long)e->shape[d]);
        numel *= e->shape[d];
    }
    if (numel != e->numel || e->begin > e->end || e->end > f->data_len ||
        e->end - e->begin != e->nbytes || e->nbytes != (size_t)numel * sc_st_dtype_size(e->dtype) ||
        (const unsigned char *)e->data != f->data + e->begin)
        sc_fuzz_fail(HARNESS, "'%s': numel %lld, offsets [%llu, %llu), %zu bytes, data %zu bytes",
                     e->name, (long long)e->numel, (unsigned long long)e->begin,
                     (unsigned long long)e->end, e->nbytes, f->data_len);
    if (sc_st_find(f, e->name) != e)
        sc_fuzz_fail(HARNESS, "'%s' is not found again by name", e->name);
    sc_fuzz_touch(e->data, e->nbytes);
}

/* every data byte belongs to exactly one entry */
static void check_coverage(const sc_st_file *f) {
    const sc_st_entry **order = malloc((f->count ? f->count : 1) * sizeof *order);
    if (!order)
        sc_fuzz_fail(HARNESS, "out of memory");
    for (size_t i = 0; i < f->count; i++)
        order[i] = &f->entries[i];
    qsort(order, f->count, sizeof *order, compare_by_begin);
    uint64_t covered = 0;
    for (size_t i = 0; i < f->count; i++) {
        if (order[i]->begin != covered)
            sc_fuzz_fail(HARNESS, "'%s' begins at %llu, the previous entry ends at %llu",
                         order[i]->name, (unsigned long long)order[i]->begin,
                         (unsigned long long)covered);
        covered = order[i]->end;
    }
    free(order);
    if (covered != f->data_len)
        sc_fuzz_fail(HARNESS, "entries cover %llu of %zu data bytes", (unsigned long long)covered,
                     f->data_len);
}

static void check_metadata(const sc_st_file *f) {
    size_t count = sc_st_metadata_count(f);
    for (size_t i = 0; i < count; i++) {
        const char *key = NULL, *value = NULL;
        if (!sc_st_metadata_at(f, i, &key, &value) || !key || !value)
            sc_fuzz_fail(HARNESS, "metadata pair %zu of %zu cannot be read", i, count);
        const char *found = sc_st_metadata_get(f, key);
        if (!found || strcmp(found, value) != 0)
            sc_fuzz_fail(HARNESS, "metadata '%s' is not found again by key", key);
    }
    const char *key, *value;
    if (sc_st_metadata_at(f, count, &key, &value))
        sc_fuzz_fail(HARNESS, "metadata pair %zu exists past the count", count);
}

static int run(const uint8_t *data, size_t size) {
    sc_st_file f;
    sc_error err = {0};
    sc_status st = sc_st_open_memory(&f, data, size, "fuzz.safetensors", &err);
    if (st != SC_OK) {
        sc_st_close(&f);
        return sc_fuzz_refused(HARNESS, st, &err);
    }
    if (f.size != size || 8 + f.header_len > size || f.data != f.bytes + 8 + f.header_len ||
        f.data_len != size - 8 - f.header_len)
        sc_fuzz_fail(HARNESS, "header of %llu bytes, data %zu bytes, file %zu bytes",
                     (unsigned long long)f.header_len, f.data_len, size);
    for (size_t i = 0; i < f.count; i++)
        check_entry(&f, &f.entries[i]);
    check_coverage(&f);
    check_metadata(&f);
    sc_st_close(&f);
    return 1;
}

/* ---- seeds, written by the engine's own writer ---------------------------------------------- */

static int emit_writer(sc_fuzz_emit_fn emit, void *ctx, const char *name, const sc_st_writer *w) {
    const char *path = sc_fuzz_scratch_write(HARNESS, "seed.safetensors", "", 0);
    sc_error err = {0};
    if (sc_st_writer_write(w, path, &err) != SC_OK) {
        fprintf(stderr, "fuzz %s: %s\n", HARNESS, err.msg);
        return -1;
    }
    return sc_fuzz_emit_file(emit, ctx, name, path);
}

/* A weight, a scalar, an empty tensor and metadata. */
static int emit_small_model(sc_fuzz_emit_fn emit, void *ctx) {
    static const float weight[6] = {0.5f, -1.0f, 2.0f, 0.0f, 1e-3f, 3.25f};
    static const int64_t step = 42;
    static const int64_t weight_shape[2] = {2, 3}, empty_shape[2] = {0, 4};
    sc_st_writer w;
    sc_st_writer_init(&w);
    sc_error err = {0};
    int ok = sc_st_writer_set_metadata(&w, "format", "pt", &err) == SC_OK &&
             sc_st_writer_set_metadata(&w, "note", "caf\xc3\xa9 \"quoted\"", &err) == SC_OK &&
             sc_st_writer_add(&w, "layer.weight", SC_ST_F32, 2, weight_shape, weight, &err) == SC_OK &&
             sc_st_writer_add(&w, "steps", SC_ST_I64, 0, weight_shape, &step, &err) == SC_OK &&
             sc_st_writer_add(&w, "empty", SC_ST_F32, 2, empty_shape, weight, &err) == SC_OK;
    int rc = ok ? emit_writer(emit, ctx, "small-model", &w) : -1;
    sc_st_writer_free(&w);
    return rc;
}

/* One 2-element tensor of every dtype, no metadata. */
static int emit_every_dtype(sc_fuzz_emit_fn emit, void *ctx) {
    static const uint8_t bytes[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static const int64_t shape[1] = {2};
    sc_st_writer w;
    sc_st_writer_init(&w);
    sc_error err = {0};
    int ok = 1;
    for (int d = 0; d < SC_ST_DTYPE_COUNT && ok; d++) {
        char name[32];
        snprintf(name, sizeof name, "t.%s", sc_st_dtype_name((sc_st_dtype)d));
        ok = sc_st_writer_add(&w, name, (sc_st_dtype)d, 1, shape, bytes, &err) == SC_OK;
    }
    int rc = ok ? emit_writer(emit, ctx, "every-dtype", &w) : -1;
    sc_st_writer_free(&w);
    return rc;
}

/* A file of the header JSON alone (no data), padded with spaces to a multiple of 8. */
static int emit_header_only(sc_fuzz_emit_fn emit, void *ctx, const char *name, const char *json) {
    uint8_t file[128];
    size_t len = strlen(json), padded = (len + 7) / 8 * 8;
    if (8 + padded > sizeof file)
        return -1;
    for (int i = 0; i < 8; i++)
        file[i] = (uint8_t)((uint64_t)padded >> (8 * i));
    memcpy(file + 8, json, len);
    memset(file + 8 + len, ' ', padded - len);
    return emit(ctx, name, file, 8 + padded);
}

static int write_seeds(sc_fuzz_emit_fn emit, void *ctx) {
    if (emit_small_model(emit, ctx) != 0 || emit_every_dtype(emit, ctx) != 0 ||
        emit_header_only(emit, ctx, "metadata-only", "{\"__metadata__\":{\"k\":\"v\"}}") != 0)
        return -1;
    return emit_header_only(emit, ctx, "no-tensors", "{}");
}

const sc_fuzz_target sc_fuzz_target_safetensors = {HARNESS, 4096, run, write_seeds};
