/* Fuzz harness of the JSON parser (host/core/json.h) and, through it, the JSON writer.
 *
 * The input is the document. Checks:
 * - tighter limits never accept what the default limits refuse;
 * - an accepted tree keeps the header's promises: strings NUL-terminated (their bytes need not
 *   be UTF-8: "\udc80" .. "\udcff" decode to single bytes), numbers finite with exact integer
 *   values that agree with the double, every member found again by key, sorted keys in byte
 *   order;
 * - writing the tree back with the engine's writer and parsing the result gives the same tree
 *   (for trees the writer can express: no NUL in a key, nesting within its depth). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_target.h"
#include "host/core/json.h"
#include "host/core/json_write.h"

#define HARNESS "json"

/* ---- promises of an accepted tree ----------------------------------------------------------- */

static void check_string(const char *chars, size_t len) {
    if (chars[len] != '\0')
        sc_fuzz_fail(HARNESS, "a string of %zu bytes is not NUL-terminated", len);
    sc_fuzz_touch(chars, len);
}

static void check_number(const sc_json_value *v) {
    if (!isfinite(v->number.value))
        sc_fuzz_fail(HARNESS, "a number parsed to %g", v->number.value);
    if ((v->number.fits_i64 || v->number.fits_u64) && !v->number.is_integer)
        sc_fuzz_fail(HARNESS, "a number with a fraction or exponent claims an exact integer");
    if (v->number.fits_i64 && (double)v->number.i64 != v->number.value)
        sc_fuzz_fail(HARNESS, "integer %lld disagrees with its double %.17g",
                     (long long)v->number.i64, v->number.value);
    if (v->number.fits_u64 && (double)v->number.u64 != v->number.value)
        sc_fuzz_fail(HARNESS, "integer %llu disagrees with its double %.17g",
                     (unsigned long long)v->number.u64, v->number.value);
}

/* Returns the nesting depth of v (1 for a container of scalars) and sets *key_has_nul. */
static int check_value(const sc_json_value *v, int *key_has_nul) {
    int depth = 0;
    switch (v->type) {
    case SC_JSON_NULL:
    case SC_JSON_BOOL:
        return 0;
    case SC_JSON_NUMBER:
        check_number(v);
        return 0;
    case SC_JSON_STRING:
        check_string(v->string.chars, v->string.len);
        return 0;
    case SC_JSON_ARRAY:
        for (size_t i = 0; i < v->array.count; i++) {
            if (sc_json_array_at(v, i) != &v->array.items[i])
                sc_fuzz_fail(HARNESS, "array item %zu is not found by index", i);
            int d = check_value(&v->array.items[i], key_has_nul);
            depth = d > depth ? d : depth;
        }
        return depth + 1;
    case SC_JSON_OBJECT:
        for (size_t i = 0; i < v->object.count; i++) {
            const sc_json_member *m = &v->object.members[i];
            check_string(m->key, m->key_len);
            if (strlen(m->key) != m->key_len)
                *key_has_nul = 1;
            else if (sc_json_object_get(v, m->key) != &m->value)
                sc_fuzz_fail(HARNESS, "member '%s' is not found again by key", m->key);
            if (i > 0) {
                const sc_json_member *a = v->object.sorted[i - 1], *b = v->object.sorted[i];
                size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
                int c = memcmp(a->key, b->key, n);
                if (c > 0 || (c == 0 && a->key_len >= b->key_len))
                    sc_fuzz_fail(HARNESS, "sorted keys out of order at %zu", i);
            }
            int d = check_value(&m->value, key_has_nul);
            depth = d > depth ? d : depth;
        }
        return depth + 1;
    }
    sc_fuzz_fail(HARNESS, "a value of unknown type %d", (int)v->type);
}

/* ---- round trip through the writer ---------------------------------------------------------- */

static void write_value(sc_json_writer *w, const sc_json_value *v) {
    switch (v->type) {
    case SC_JSON_NULL:
        sc_json_value_null(w);
        return;
    case SC_JSON_BOOL:
        sc_json_value_bool(w, v->boolean);
        return;
    case SC_JSON_NUMBER:
        if (v->number.fits_i64)
            sc_json_value_int(w, v->number.i64);
        else if (v->number.fits_u64)
            sc_json_value_uint(w, v->number.u64);
        else
            sc_json_value_double(w, v->number.value);
        return;
    case SC_JSON_STRING:
        sc_json_value_string_n(w, v->string.chars, v->string.len);
        return;
    case SC_JSON_ARRAY:
        sc_json_begin_array(w);
        for (size_t i = 0; i < v->array.count; i++)
            write_value(w, &v->array.items[i]);
        sc_json_end_array(w);
        return;
    case SC_JSON_OBJECT:
        sc_json_begin_object(w);
        for (size_t i = 0; i < v->object.count; i++) {
            sc_json_key(w, v->object.members[i].key);
            write_value(w, &v->object.members[i].value);
        }
        sc_json_end_object(w);
        return;
    }
}

static int same_value(const sc_json_value *a, const sc_json_value *b) {
    if (a->type != b->type)
        return 0;
    switch (a->type) {
    case SC_JSON_NULL:
        return 1;
    case SC_JSON_BOOL:
        return a->boolean == b->boolean;
    case SC_JSON_NUMBER: /* exact integers are written as such; other numbers by %.17g */
        return a->number.value == b->number.value &&
               (!a->number.fits_i64 || (b->number.fits_i64 && a->number.i64 == b->number.i64)) &&
               (!a->number.fits_u64 || (b->number.fits_u64 && a->number.u64 == b->number.u64));
    case SC_JSON_STRING:
        return a->string.len == b->string.len &&
               memcmp(a->string.chars, b->string.chars, a->string.len) == 0;
    case SC_JSON_ARRAY:
        if (a->array.count != b->array.count)
            return 0;
        for (size_t i = 0; i < a->array.count; i++)
            if (!same_value(&a->array.items[i], &b->array.items[i]))
                return 0;
        return 1;
    case SC_JSON_OBJECT:
        if (a->object.count != b->object.count)
            return 0;
        for (size_t i = 0; i < a->object.count; i++) {
            const sc_json_member *ma = &a->object.members[i], *mb = &b->object.members[i];
            if (ma->key_len != mb->key_len || memcmp(ma->key, mb->key, ma->key_len) != 0 ||
                !same_value(&ma->value, &mb->value))
                return 0;
        }
        return 1;
    }
    return 0;
}

static void check_round_trip(const sc_json_value *root, int indent) {
    sc_json_writer w;
    sc_json_writer_init(&w, indent);
    write_value(&w, root);
    sc_error err = {0};
    if (sc_json_writer_finish(&w, &err) != SC_OK)
        sc_fuzz_fail(HARNESS, "the writer refused a parsed tree: %s", err.msg);
    sc_json_doc again;
    if (sc_json_parse(&again, w.buf, w.len, "written", &err) != SC_OK)
        sc_fuzz_fail(HARNESS, "the written document does not parse: %s", err.msg);
    if (!same_value(root, again.root))
        sc_fuzz_fail(HARNESS, "the written document parses to a different tree: %s", w.buf);
    sc_json_doc_free(&again);
    sc_json_writer_free(&w);
}

static int run(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    sc_json_doc doc, tight;
    sc_error err = {0}, tight_err = {0};
    sc_status st = sc_json_parse(&doc, text, size, "fuzz.json", &err);
    const sc_json_limits limits = {size / 2 + 1, 3};
    sc_status tight_st = sc_json_parse_limited(&tight, text, size, "fuzz.json", &limits, &tight_err);
    sc_json_doc_free(&tight);
    if (tight_st == SC_OK && st != SC_OK)
        sc_fuzz_fail(HARNESS, "tighter limits accepted what the defaults refuse: %s", err.msg);
    if (tight_st != SC_OK)
        sc_fuzz_refused(HARNESS, tight_st, &tight_err);
    if (st != SC_OK) {
        sc_json_doc_free(&doc);
        return sc_fuzz_refused(HARNESS, st, &err);
    }
    int key_has_nul = 0;
    int depth = check_value(doc.root, &key_has_nul);
    if (!key_has_nul && depth <= SC_JSON_WRITER_MAX_DEPTH)
        check_round_trip(doc.root, size % 3);
    sc_json_doc_free(&doc);
    return 1;
}

/* ---- seeds ---------------------------------------------------------------------------------- */

static int write_seeds(sc_fuzz_emit_fn emit, void *ctx) {
    static const char *const seeds[][2] = {
        {"config", "{\"model\": \"resnet18\", \"lr\": 0.1, \"epochs\": 30, \"milestones\": [10, 20],\n"
                   " \"nesterov\": false, \"out\": null, \"seed\": 18446744073709551615}"},
        {"strings", "[\"caf\\u00e9\", \"\\ud83d\\ude00\", \"tab\\tnew\\nline\", \"\\\"\\\\\\/\", "
                    "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\", \"\"]"},
        {"numbers", "[0, -0, 1e-7, -1.5E+300, 9007199254740993, -9223372036854775808, 123456789.25]"},
        {"nested", "{\"a\": {\"b\": [[], {}, [{\"c\": [true]}]]}, \"\": 1}"},
        {"safetensors-header", "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\","
                               "\"shape\":[2,3],\"data_offsets\":[0,24]}}"},
        {"log-line", "{\"epoch\":1,\"step\":20,\"loss\":2.30258512,\"acc\":0.109375}"},
    };
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
        if (emit(ctx, seeds[i][0], seeds[i][1], strlen(seeds[i][1])) != 0)
            return -1;
    return 0;
}

const sc_fuzz_target sc_fuzz_target_json = {HARNESS, 4096, run, write_seeds};
