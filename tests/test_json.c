/* JSON parser and writer: every kind of value, escapes, exact integers, limits, one test per
 * malformed input (error with the right byte offset), and writer output that parses back to
 * the same values. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/core/json.h"
#include "host/core/json_write.h"
#include "tests/common/check_run.h"

/* parse a NUL-terminated document, failing the test on error */
static void parse_ok(sc_json_doc *doc, const char *text) {
    sc_error err = {0};
    sc_status st = sc_json_parse(doc, text, strlen(text), "test.json", &err);
    ck_assert_msg(st == SC_OK, "parsing %s failed: %s", text, err.msg);
    ck_assert_ptr_nonnull(doc->root);
}

/* ---- valid documents ------------------------------------------------------------------------ */

START_TEST(test_scalars) {
    sc_json_doc doc;
    int b = -1;
    parse_ok(&doc, " true ");
    ck_assert(sc_json_get_bool(doc.root, &b));
    ck_assert_int_eq(b, 1);
    sc_json_doc_free(&doc);
    parse_ok(&doc, "false");
    ck_assert(sc_json_get_bool(doc.root, &b));
    ck_assert_int_eq(b, 0);
    sc_json_doc_free(&doc);
    parse_ok(&doc, "\n\tnull\r\n");
    ck_assert_int_eq(doc.root->type, SC_JSON_NULL);
    ck_assert(!sc_json_get_bool(doc.root, &b));
    sc_json_doc_free(&doc);
    parse_ok(&doc, "\"hi\"");
    ck_assert_str_eq(sc_json_get_string(doc.root), "hi");
    ck_assert_uint_eq(doc.root->string.len, 2);
    sc_json_doc_free(&doc);
    parse_ok(&doc, "-12.5e1");
    double d = 0;
    ck_assert(sc_json_get_double(doc.root, &d));
    ck_assert(d == -125.0);
    ck_assert(!doc.root->number.is_integer);
    int64_t i = 0;
    ck_assert(!sc_json_get_i64(doc.root, &i));
    sc_json_doc_free(&doc);
}
END_TEST

START_TEST(test_nested_document) {
    sc_json_doc doc;
    parse_ok(&doc, "{\"name\": \"resnet18\", \"layers\": [2, 2, 2, 2], \"opt\": {\"lr\": 0.1, "
                   "\"nesterov\": false, \"decay\": null}, \"empty_a\": [], \"empty_o\": {}}");
    const sc_json_value *root = doc.root;
    ck_assert_int_eq(root->type, SC_JSON_OBJECT);
    ck_assert_uint_eq(sc_json_count(root), 5);
    ck_assert_str_eq(sc_json_member_at(root, 0)->key, "name"); /* document order */
    ck_assert_str_eq(sc_json_member_at(root, 4)->key, "empty_o");
    ck_assert_ptr_null(sc_json_member_at(root, 5));
    ck_assert_str_eq(sc_json_get_string(sc_json_object_get(root, "name")), "resnet18");
    const sc_json_value *layers = sc_json_object_get(root, "layers");
    ck_assert_uint_eq(sc_json_count(layers), 4);
    for (size_t k = 0; k < 4; k++) {
        int64_t v = 0;
        ck_assert(sc_json_get_i64(sc_json_array_at(layers, k), &v));
        ck_assert_int_eq(v, 2);
    }
    ck_assert_ptr_null(sc_json_array_at(layers, 4));
    const sc_json_value *opt = sc_json_object_get(root, "opt");
    double lr = 0;
    ck_assert(sc_json_get_double(sc_json_object_get(opt, "lr"), &lr));
    ck_assert(lr == 0.1);
    int nesterov = 1;
    ck_assert(sc_json_get_bool(sc_json_object_get(opt, "nesterov"), &nesterov));
    ck_assert_int_eq(nesterov, 0);
    ck_assert_int_eq(sc_json_object_get(opt, "decay")->type, SC_JSON_NULL);
    ck_assert_ptr_null(sc_json_object_get(opt, "missing"));
    ck_assert_ptr_null(sc_json_object_get(layers, "name")); /* not an object */
    ck_assert_uint_eq(sc_json_count(sc_json_object_get(root, "empty_a")), 0);
    ck_assert_int_eq(sc_json_object_get(root, "empty_o")->type, SC_JSON_OBJECT);
    ck_assert_uint_eq(sc_json_count(sc_json_object_get(root, "empty_o")), 0);
    ck_assert_uint_eq(sc_json_object_get(root, "layers")->offset, 31);
    sc_json_doc_free(&doc);
}
END_TEST

START_TEST(test_many_keys_lookup) {
    /* 300 keys, like a checkpoint header: every one is found by the sorted index */
    size_t cap = 300 * 40 + 16;
    char *text = malloc(cap);
    size_t len = (size_t)snprintf(text, cap, "{");
    for (int k = 299; k >= 0; k--)
        len += (size_t)snprintf(text + len, cap - len, "\"layer%d.weight\":%d%s", k, k, k ? "," : "}");
    sc_json_doc doc;
    parse_ok(&doc, text);
    ck_assert_uint_eq(sc_json_count(doc.root), 300);
    for (int k = 0; k < 300; k++) {
        char key[32];
        snprintf(key, sizeof key, "layer%d.weight", k);
        int64_t v = -1;
        ck_assert_msg(sc_json_get_i64(sc_json_object_get(doc.root, key), &v), "key %s", key);
        ck_assert_int_eq(v, k);
    }
    ck_assert_ptr_null(sc_json_object_get(doc.root, "layer300.weight"));
    ck_assert_ptr_null(sc_json_object_get(doc.root, "layer1"));
    sc_json_doc_free(&doc);
    free(text);
}
END_TEST

START_TEST(test_string_escapes) {
    sc_json_doc doc;
    parse_ok(&doc, "\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t e\\u00e9 \\u20AC \\ud83d\\ude00 raw\xc3\xa9\"");
    const char *want = "q\" b\\ s/ \b\f\n\r\t e\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 raw\xc3\xa9";
    ck_assert_str_eq(sc_json_get_string(doc.root), want);
    ck_assert_uint_eq(doc.root->string.len, strlen(want));
    sc_json_doc_free(&doc);

    parse_ok(&doc, "{\"a\\u0000b\": \"x\\u0000y\"}");
    const sc_json_member *m = sc_json_member_at(doc.root, 0);
    ck_assert_uint_eq(m->key_len, 3);
    ck_assert(memcmp(m->key, "a\0b", 4) == 0);
    ck_assert_uint_eq(m->value.string.len, 3);
    ck_assert(memcmp(m->value.string.chars, "x\0y", 4) == 0);
    ck_assert_ptr_null(sc_json_object_get(doc.root, "a")); /* the NUL is part of the key */
    sc_json_doc_free(&doc);
}
END_TEST

START_TEST(test_integers_exact) {
    sc_json_doc doc;
    int64_t i = 0;
    uint64_t u = 0;
    /* 2^53 + 1 is not a double but is kept exactly */
    parse_ok(&doc, "9007199254740993");
    ck_assert(doc.root->number.is_integer);
    ck_assert(sc_json_get_i64(doc.root, &i));
    ck_assert_int_eq(i, 9007199254740993LL);
    ck_assert(sc_json_get_u64(doc.root, &u));
    ck_assert_uint_eq(u, 9007199254740993ULL);
    ck_assert(doc.root->number.value == 9007199254740992.0);
    sc_json_doc_free(&doc);

    parse_ok(&doc, "18446744073709551615");
    ck_assert(sc_json_get_u64(doc.root, &u));
    ck_assert_uint_eq(u, UINT64_MAX);
    ck_assert(!sc_json_get_i64(doc.root, &i));
    sc_json_doc_free(&doc);

    parse_ok(&doc, "18446744073709551616"); /* 2^64: a number, but no exact integer */
    ck_assert(doc.root->number.is_integer);
    ck_assert(!sc_json_get_u64(doc.root, &u));
    ck_assert(!sc_json_get_i64(doc.root, &i));
    ck_assert(doc.root->number.value == 18446744073709551616.0);
    sc_json_doc_free(&doc);

    parse_ok(&doc, "-9223372036854775808");
    ck_assert(sc_json_get_i64(doc.root, &i));
    ck_assert(i == INT64_MIN);
    ck_assert(!sc_json_get_u64(doc.root, &u));
    sc_json_doc_free(&doc);

    parse_ok(&doc, "-9223372036854775809");
    ck_assert(!sc_json_get_i64(doc.root, &i));
    sc_json_doc_free(&doc);

    parse_ok(&doc, "[-0, 0, 1e2, 1.0, 2.5E-3, -7]");
    const sc_json_value *a = doc.root;
    ck_assert(sc_json_get_u64(sc_json_array_at(a, 0), &u) && u == 0);
    ck_assert(sc_json_get_i64(sc_json_array_at(a, 1), &i) && i == 0);
    ck_assert(!sc_json_get_i64(sc_json_array_at(a, 2), &i)); /* exponent: not an integer literal */
    ck_assert(sc_json_array_at(a, 2)->number.value == 100.0);
    ck_assert(!sc_json_get_u64(sc_json_array_at(a, 3), &u));
    ck_assert(sc_json_array_at(a, 4)->number.value == 2.5e-3);
    ck_assert(sc_json_get_i64(sc_json_array_at(a, 5), &i) && i == -7);
    ck_assert(!sc_json_get_u64(sc_json_array_at(a, 5), &u));
    sc_json_doc_free(&doc);

    parse_ok(&doc, "1e-400"); /* underflow is zero, not an error */
    ck_assert(doc.root->number.value == 0.0);
    sc_json_doc_free(&doc);
}
END_TEST

/* nested arrays "[[[...]]]" of the given depth */
static char *nested(int depth) {
    char *text = malloc((size_t)depth * 2 + 1);
    for (int k = 0; k < depth; k++) {
        text[k] = '[';
        text[2 * depth - 1 - k] = ']';
    }
    text[2 * depth] = '\0';
    return text;
}

START_TEST(test_depth_limit) {
    sc_json_doc doc;
    sc_error err = {0};
    char *ok = nested(SC_JSON_DEFAULT_MAX_DEPTH);
    parse_ok(&doc, ok);
    sc_json_doc_free(&doc);
    free(ok);
    char *deep = nested(SC_JSON_DEFAULT_MAX_DEPTH + 1);
    ck_assert_int_eq(sc_json_parse(&doc, deep, strlen(deep), "deep.json", &err), SC_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "deep.json: nesting deeper than 64 levels at byte 64"));
    ck_assert_ptr_null(doc.root);
    free(deep);

    sc_json_limits limits = {1000, 2};
    ck_assert_int_eq(sc_json_parse_limited(&doc, "[[]]", 4, NULL, &limits, &err), SC_OK);
    sc_json_doc_free(&doc);
    ck_assert_int_eq(sc_json_parse_limited(&doc, "{\"a\":[[]]}", 10, NULL, &limits, &err), SC_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "JSON: nesting deeper than 2 levels at byte 6"));
}
END_TEST

START_TEST(test_size_limit) {
    sc_json_doc doc;
    sc_error err = {0};
    sc_json_limits limits = {8, 8};
    ck_assert_int_eq(sc_json_parse_limited(&doc, "[1,2,3]", 7, "s.json", &limits, &err), SC_OK);
    sc_json_doc_free(&doc);
    ck_assert_int_eq(sc_json_parse_limited(&doc, "[1,2,3,4]", 9, "s.json", &limits, &err),
                     SC_ERR_FORMAT);
    ck_assert_str_eq(err.msg, "s.json: document is 9 bytes, over the limit of 8");
}
END_TEST

/* ---- malformed documents: each one error naming the offset ---------------------------------- */

typedef struct bad_case {
    const char *text;
    size_t len; /* 0: strlen(text) */
    const char *message; /* expected substring, offset included */
} bad_case;

static const bad_case BAD[] = {
    {"", 0, "expected a value at byte 0 (line 1, column 1), found end of input"},
    {"   ", 0, "expected a value at byte 3"},
    {"[1,]", 0, "expected a value at byte 3 (line 1, column 4), found ']'"},
    {"[1 2]", 0, "expected ',' or ']' at byte 3 (line 1, column 4), found '2'"},
    {"{\"a\" 1}", 0, "expected ':' after the key at byte 5"},
    {"{\"a\":1,}", 0, "expected a string key at byte 7 (line 1, column 8), found '}'"},
    {"{\"a\":1 \"b\":2}", 0, "expected ',' or '}' at byte 7"},
    {"{\n  \"a\": 1\n  \"b\": 2\n}", 0, "expected ',' or '}' at byte 13 (line 3, column 3), found '\"'"},
    {"{a:1}", 0, "expected a string key at byte 1 (line 1, column 2), found 'a'"},
    {"[1", 0, "expected ',' or ']' at byte 2 (line 1, column 3), found end of input"},
    {"[[1]", 0, "expected ',' or ']' at byte 4"},
    {"{\"a\":", 0, "expected a value at byte 5"},
    {"tru", 0, "invalid literal (expected 'true') at byte 0"},
    {"[nul]", 0, "invalid literal (expected 'null') at byte 1"},
    {"NaN", 0, "expected a value at byte 0 (line 1, column 1), found 'N'"},
    {"[Infinity]", 0, "expected a value at byte 1"},
    {"01", 0, "leading zeros are not allowed in a number at byte 0"},
    {"-", 0, "expected a digit in the number at byte 1"},
    {"+1", 0, "expected a value at byte 0"},
    {"1.", 0, "expected a digit after the decimal point at byte 2"},
    {".5", 0, "expected a value at byte 0"},
    {"1e", 0, "expected a digit in the exponent at byte 2"},
    {"1e999", 0, "number out of the range of a double at byte 0"},
    {"\"abc", 0, "unterminated string (opened at byte 0) at byte 4"},
    {"[\"a\\\"]", 0, "unterminated string (opened at byte 1) at byte 6"},
    {"\"a\\qb\"", 0, "invalid escape '\\q' in string at byte 2"},
    {"\"\\u12\"", 0, "expected 4 hex digits after \\u at byte 1"},
    {"\"\\u12g4\"", 0, "expected 4 hex digits after \\u at byte 1"},
    {"\"x\\ud800\"", 0, "unpaired high surrogate \\uD800 in string at byte 2"},
    {"\"\\ud800\\u0041\"", 0, "unpaired high surrogate \\uD800 in string at byte 1"},
    {"\"\\udc00\"", 0, "unpaired low surrogate \\uDC00 in string at byte 1"},
    {"\"a\nb\"", 0, "raw control character 0x0a in string (must be escaped) at byte 2"},
    {"\"a\tb\"", 0, "raw control character 0x09 in string (must be escaped) at byte 2"},
    {"\"\xff\"", 0, "invalid UTF-8 in string at byte 1"},
    {"\"\xc0\xaf\"", 0, "invalid UTF-8 in string at byte 1"},       /* overlong '/' */
    {"\"\xed\xa0\x80\"", 0, "invalid UTF-8 in string at byte 1"},   /* encoded surrogate */
    {"\"ab\xe2\x82\"", 0, "invalid UTF-8 in string at byte 3"},     /* truncated sequence */
    {"{} x", 0, "unexpected data after the JSON value at byte 3 (line 1, column 4), found 'x'"},
    {"[1]]", 0, "unexpected data after the JSON value at byte 3"},
    {"1 2", 0, "unexpected data after the JSON value at byte 2"},
    {"{}\x01", 0, "unexpected data after the JSON value at byte 2 (line 1, column 3), found byte 0x01"},
    {"'a'", 0, "expected a value at byte 0"},
    {"\xef\xbb\xbf{}", 0, "expected a value at byte 0 (line 1, column 1), found byte 0xef"},
    {"// c\n{}", 0, "expected a value at byte 0"},
    {"{\"a\":1,\"b\":2,\"a\":3}", 0, "duplicate key \"a\" (first at byte 1) at byte 13"},
    {"[0]\0", 4, "unexpected data after the JSON value at byte 3 (line 1, column 4), found byte 0x00"},
};

START_TEST(test_malformed) {
    const bad_case *c = &BAD[_i];
    size_t len = c->len ? c->len : strlen(c->text);
    sc_json_doc doc;
    sc_error err = {0};
    sc_status st = sc_json_parse(&doc, c->text, len, "bad.json", &err);
    ck_assert_msg(st == SC_ERR_FORMAT, "case %d (%s) parsed", _i, c->text);
    ck_assert_int_eq(err.code, SC_ERR_FORMAT);
    ck_assert_ptr_null(doc.root);
    ck_assert_msg(strncmp(err.msg, "bad.json: ", 10) == 0, "case %d: message '%s'", _i, err.msg);
    ck_assert_msg(strstr(err.msg, c->message) != NULL, "case %d: message '%s', expected '%s'", _i,
                  err.msg, c->message);
    sc_json_doc_free(&doc); /* safe on a failed parse */
}
END_TEST

/* ---- writer --------------------------------------------------------------------------------- */

/* finish, failing the test on error; returns the text */
static const char *finish_ok(sc_json_writer *w) {
    sc_error err = {0};
    sc_status st = sc_json_writer_finish(w, &err);
    ck_assert_msg(st == SC_OK, "writer failed: %s", err.msg);
    ck_assert_uint_eq(strlen(w->buf), w->len);
    return w->buf;
}

START_TEST(test_writer_compact_and_pretty) {
    sc_json_writer w;
    sc_json_writer_init(&w, 0);
    sc_json_begin_object(&w);
    sc_json_field_string(&w, "model", "resnet18");
    sc_json_key(&w, "widths");
    sc_json_begin_array(&w);
    sc_json_value_int(&w, 64);
    sc_json_value_int(&w, -128);
    sc_json_end_array(&w);
    sc_json_key(&w, "empty");
    sc_json_begin_object(&w);
    sc_json_end_object(&w);
    sc_json_field_bool(&w, "tf32", 0);
    sc_json_field_float(&w, "lr", 0.1f);
    sc_json_key(&w, "none");
    sc_json_value_null(&w);
    sc_json_end_object(&w);
    ck_assert_str_eq(finish_ok(&w), "{\"model\":\"resnet18\",\"widths\":[64,-128],\"empty\":{},"
                                    "\"tf32\":false,\"lr\":0.100000001,\"none\":null}");
    sc_json_writer_free(&w);

    sc_json_writer_init(&w, 2);
    sc_json_begin_object(&w);
    sc_json_field_int(&w, "epoch", 3);
    sc_json_key(&w, "acc");
    sc_json_begin_array(&w);
    sc_json_value_double(&w, 0.5);
    sc_json_begin_array(&w);
    sc_json_end_array(&w);
    sc_json_end_array(&w);
    sc_json_end_object(&w);
    ck_assert_str_eq(finish_ok(&w), "{\n  \"epoch\": 3,\n  \"acc\": [\n    0.5,\n    []\n  ]\n}");
    sc_json_writer_free(&w);
}
END_TEST

START_TEST(test_writer_round_trip) {
    static const char *const strings[] = {
        "plain", "", "quote \" and backslash \\", "line\nbreak\r\ttab", "ctl \x01\x1f\x7f",
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "/slash/",
    };
    const size_t n_strings = sizeof strings / sizeof strings[0];
    const float floats[] = {0.1f, -1e-30f, 3.4028235e38f, 1.17549435e-38f, 1.4e-45f, 16777217.0f, -0.0f, 1.0f / 3.0f};
    const double doubles[] = {0.1, 1.0 / 3.0, -2.2250738585072014e-308, 1.7976931348623157e308, 4.9e-324, 1e21};
    const int64_t ints[] = {0, -1, INT64_MAX, INT64_MIN, 9007199254740993LL};

    sc_json_writer w;
    sc_json_writer_init(&w, 1);
    sc_json_begin_object(&w);
    sc_json_key(&w, "strings");
    sc_json_begin_array(&w);
    for (size_t k = 0; k < n_strings; k++)
        sc_json_value_string(&w, strings[k]);
    sc_json_value_string_n(&w, "nul\0inside", 10);
    sc_json_end_array(&w);
    sc_json_key(&w, "floats");
    sc_json_begin_array(&w);
    for (size_t k = 0; k < sizeof floats / sizeof floats[0]; k++)
        sc_json_value_float(&w, floats[k]);
    sc_json_end_array(&w);
    sc_json_key(&w, "doubles");
    sc_json_begin_array(&w);
    for (size_t k = 0; k < sizeof doubles / sizeof doubles[0]; k++)
        sc_json_value_double(&w, doubles[k]);
    sc_json_end_array(&w);
    sc_json_key(&w, "ints");
    sc_json_begin_array(&w);
    for (size_t k = 0; k < sizeof ints / sizeof ints[0]; k++)
        sc_json_value_int(&w, ints[k]);
    sc_json_value_uint(&w, UINT64_MAX);
    sc_json_end_array(&w);
    sc_json_field_bool(&w, "yes", 1);
    sc_json_field_float(&w, "nan", NAN);
    sc_json_field_double(&w, "inf", -INFINITY);
    sc_json_field_string(&w, "key \"with\"\nescapes \xc3\xa9", "v");
    sc_json_field_uint(&w, "u", 42);
    sc_json_end_object(&w);
    finish_ok(&w);

    sc_json_doc doc;
    sc_error err = {0};
    ck_assert_msg(sc_json_parse(&doc, w.buf, w.len, "round trip", &err) == SC_OK, "%s\n%s", err.msg, w.buf);
    const sc_json_value *root = doc.root;
    const sc_json_value *s = sc_json_object_get(root, "strings");
    ck_assert_uint_eq(sc_json_count(s), n_strings + 1);
    for (size_t k = 0; k < n_strings; k++)
        ck_assert_str_eq(sc_json_get_string(sc_json_array_at(s, k)), strings[k]);
    const sc_json_value *nul = sc_json_array_at(s, n_strings);
    ck_assert_uint_eq(nul->string.len, 10);
    ck_assert(memcmp(nul->string.chars, "nul\0inside", 10) == 0);
    const sc_json_value *f = sc_json_object_get(root, "floats");
    for (size_t k = 0; k < sizeof floats / sizeof floats[0]; k++) {
        float back = (float)sc_json_array_at(f, k)->number.value;
        ck_assert_msg(memcmp(&back, &floats[k], sizeof back) == 0, "float %zu: %.9g != %.9g", k,
                      (double)back, (double)floats[k]);
    }
    const sc_json_value *d = sc_json_object_get(root, "doubles");
    for (size_t k = 0; k < sizeof doubles / sizeof doubles[0]; k++)
        ck_assert_msg(sc_json_array_at(d, k)->number.value == doubles[k], "double %zu", k);
    const sc_json_value *ints_v = sc_json_object_get(root, "ints");
    for (size_t k = 0; k < sizeof ints / sizeof ints[0]; k++) {
        int64_t v = 0;
        ck_assert(sc_json_get_i64(sc_json_array_at(ints_v, k), &v));
        ck_assert(v == ints[k]);
    }
    uint64_t u = 0;
    ck_assert(sc_json_get_u64(sc_json_array_at(ints_v, sizeof ints / sizeof ints[0]), &u));
    ck_assert(u == UINT64_MAX);
    int yes = 0;
    ck_assert(sc_json_get_bool(sc_json_object_get(root, "yes"), &yes) && yes == 1);
    ck_assert_int_eq(sc_json_object_get(root, "nan")->type, SC_JSON_NULL);
    ck_assert_int_eq(sc_json_object_get(root, "inf")->type, SC_JSON_NULL);
    ck_assert_str_eq(sc_json_get_string(sc_json_object_get(root, "key \"with\"\nescapes \xc3\xa9")), "v");
    ck_assert(sc_json_get_u64(sc_json_object_get(root, "u"), &u) && u == 42);
    sc_json_doc_free(&doc);
    sc_json_writer_free(&w);
}
END_TEST

/* Bytes that are not UTF-8 (a file name in another encoding) are escaped as \udcXX and read
 * back as the same bytes; valid UTF-8 around them is kept as it is. */
START_TEST(test_writer_invalid_utf8_escaped_losslessly) {
    sc_json_writer w;
    sc_json_writer_init(&w, 0);
    sc_json_value_string(&w, "a\xff" "b\xc3" "\xc3\xa9\x80");
    ck_assert_str_eq(finish_ok(&w), "\"a\\udcffb\\udcc3\xc3\xa9\\udc80\"");
    sc_json_doc doc;
    sc_error err = {0};
    ck_assert_int_eq(sc_json_parse(&doc, w.buf, w.len, NULL, &err), SC_OK);
    ck_assert_str_eq(sc_json_get_string(doc.root), "a\xff" "b\xc3" "\xc3\xa9\x80");
    sc_json_doc_free(&doc);
    sc_json_writer_free(&w);
}
END_TEST

START_TEST(test_writer_reset_for_lines) {
    sc_json_writer w;
    sc_json_writer_init(&w, 0);
    for (int step = 0; step < 3; step++) {
        sc_json_writer_reset(&w);
        sc_json_begin_object(&w);
        sc_json_field_int(&w, "step", step);
        sc_json_end_object(&w);
        char want[32];
        snprintf(want, sizeof want, "{\"step\":%d}", step);
        ck_assert_str_eq(finish_ok(&w), want);
    }
    sc_json_writer_free(&w);
}
END_TEST

/* each misuse is reported by finish with SC_ERR_INTERNAL and a message */
static void expect_misuse(sc_json_writer *w, const char *message) {
    sc_error err = {0};
    ck_assert_int_eq(sc_json_writer_finish(w, &err), SC_ERR_INTERNAL);
    ck_assert_msg(strstr(err.msg, message) != NULL, "message '%s', expected '%s'", err.msg, message);
    sc_json_writer_free(w);
}

START_TEST(test_writer_misuse) {
    sc_json_writer w;
    sc_json_writer_init(&w, 0);
    sc_json_begin_object(&w);
    sc_json_value_int(&w, 1);
    sc_json_end_object(&w); /* ignored after the first failure */
    expect_misuse(&w, "a number inside an object without a key");

    sc_json_writer_init(&w, 0);
    sc_json_begin_array(&w);
    sc_json_key(&w, "k");
    expect_misuse(&w, "key \"k\" outside an object");

    sc_json_writer_init(&w, 0);
    sc_json_begin_object(&w);
    sc_json_key(&w, "a");
    sc_json_key(&w, "b");
    expect_misuse(&w, "key \"b\" where the previous key's value was expected");

    sc_json_writer_init(&w, 0);
    sc_json_begin_object(&w);
    sc_json_end_array(&w);
    expect_misuse(&w, "end_array closes an object");

    sc_json_writer_init(&w, 0);
    sc_json_begin_object(&w);
    sc_json_key(&w, "a");
    sc_json_end_object(&w);
    expect_misuse(&w, "end_object right after a key");

    sc_json_writer_init(&w, 0);
    sc_json_end_object(&w);
    expect_misuse(&w, "end_object with nothing open");

    sc_json_writer_init(&w, 0);
    sc_json_value_int(&w, 1);
    sc_json_value_int(&w, 2);
    expect_misuse(&w, "a number after the complete top-level value");

    sc_json_writer_init(&w, 0);
    sc_json_begin_array(&w);
    sc_json_begin_object(&w);
    expect_misuse(&w, "document incomplete, 2 arrays/objects are still open");

    sc_json_writer_init(&w, 0);
    expect_misuse(&w, "no value was written");

    sc_json_writer_init(&w, 0);
    for (int k = 0; k <= SC_JSON_WRITER_MAX_DEPTH; k++)
        sc_json_begin_array(&w);
    expect_misuse(&w, "begin_array nests deeper than 32 levels");
}
END_TEST

static Suite *json_suite(void) {
    Suite *s = suite_create("json");
    TCase *parse = tcase_create("parse");
    tcase_add_test(parse, test_scalars);
    tcase_add_test(parse, test_nested_document);
    tcase_add_test(parse, test_many_keys_lookup);
    tcase_add_test(parse, test_string_escapes);
    tcase_add_test(parse, test_integers_exact);
    tcase_add_test(parse, test_depth_limit);
    tcase_add_test(parse, test_size_limit);
    tcase_add_loop_test(parse, test_malformed, 0, (int)(sizeof BAD / sizeof BAD[0]));
    suite_add_tcase(s, parse);
    TCase *write = tcase_create("write");
    tcase_add_test(write, test_writer_compact_and_pretty);
    tcase_add_test(write, test_writer_round_trip);
    tcase_add_test(write, test_writer_invalid_utf8_escaped_losslessly);
    tcase_add_test(write, test_writer_reset_for_lines);
    tcase_add_test(write, test_writer_misuse);
    suite_add_tcase(s, write);
    return s;
}

int main(void) {
    return sc_check_run(json_suite());
}
