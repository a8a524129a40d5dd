/* JSON writer: escaping, number formatting, separators and indentation (see json_write.h). */
#include "json_write.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_utf8.h"

void sc_json_writer_init(sc_json_writer *w, int indent) {
    memset(w, 0, sizeof *w);
    w->indent = indent < 0 ? 0 : indent;
}

void sc_json_writer_reset(sc_json_writer *w) {
    char *buf = w->buf;
    size_t cap = w->cap;
    int indent = w->indent;
    sc_json_writer_init(w, indent);
    w->buf = buf;
    w->cap = cap;
    if (buf)
        buf[0] = '\0';
}

void sc_json_writer_free(sc_json_writer *w) {
    free(w->buf);
    sc_json_writer_init(w, w->indent);
}

static int failed(const sc_json_writer *w) { return w->error.code != SC_OK; }

static void misuse(sc_json_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void misuse(sc_json_writer *w, const char *fmt, ...) {
    if (failed(w))
        return;
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    sc_fail(&w->error, SC_ERR_INTERNAL, "JSON writer: %s (at byte %zu of the output)", what, w->len);
}

/* room for n more bytes plus the NUL */
static int reserve(sc_json_writer *w, size_t n) {
    if (failed(w))
        return 0;
    if (w->cap - w->len > n)
        return 1;
    size_t cap = w->cap ? w->cap : 256;
    while (cap - w->len <= n)
        cap *= 2;
    char *grown = realloc(w->buf, cap);
    if (!grown) {
        sc_fail(&w->error, SC_ERR_OOM, "JSON writer: out of memory growing the output to %zu bytes",
                cap);
        return 0;
    }
    w->buf = grown;
    w->cap = cap;
    return 1;
}

static void put_bytes(sc_json_writer *w, const char *s, size_t n) {
    if (!reserve(w, n))
        return;
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

static void put(sc_json_writer *w, const char *s) { put_bytes(w, s, strlen(s)); }

static void newline_and_indent(sc_json_writer *w, int level) {
    if (w->indent == 0)
        return;
    put(w, "\n");
    for (int i = 0; i < level * w->indent; i++)
        put(w, " ");
}

/* separators before a value; 0 when writing a value here is misuse */
static int before_value(sc_json_writer *w, const char *what) {
    if (failed(w))
        return 0;
    if (w->depth == 0) {
        if (w->complete) {
            misuse(w, "%s after the complete top-level value", what);
            return 0;
        }
        return 1;
    }
    int level = w->depth - 1;
    if (w->in_object[level]) {
        if (!w->after_key) {
            misuse(w, "%s inside an object without a key", what);
            return 0;
        }
        w->after_key = 0;
        return 1;
    }
    if (w->count[level] > 0)
        put(w, ",");
    newline_and_indent(w, w->depth);
    return 1;
}

/* bookkeeping after a scalar or a closed container */
static void after_value(sc_json_writer *w) {
    if (w->depth == 0)
        w->complete = 1;
    else
        w->count[w->depth - 1]++;
}

/* ---- strings -------------------------------------------------------------------------------- */

static void put_escaped(sc_json_writer *w, const char *s, size_t n) {
    put(w, "\"");
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n && !failed(w)) {
        unsigned char c = u[i];
        char esc[8];
        if (c == '"') {
            put(w, "\\\"");
        } else if (c == '\\') {
            put(w, "\\\\");
        } else if (c == '\n') {
            put(w, "\\n");
        } else if (c == '\r') {
            put(w, "\\r");
        } else if (c == '\t') {
            put(w, "\\t");
        } else if (c == '\b') {
            put(w, "\\b");
        } else if (c == '\f') {
            put(w, "\\f");
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            put(w, esc);
        } else if (c < 0x80) {
            put_bytes(w, s + i, 1);
        } else {
            size_t k = sc_utf8_sequence_len(u + i, n - i);
            if (k == 0) {
                /* not UTF-8: the byte escaped losslessly as a lone low surrogate U+DC80..U+DCFF
                 * (Python's "surrogateescape"; sc_json_parse gives the byte back) */
                snprintf(esc, sizeof esc, "\\udc%02x", c);
                put(w, esc);
                i++;
                continue;
            }
            put_bytes(w, s + i, k);
            i += k;
            continue;
        }
        i++;
    }
    put(w, "\"");
}

/* ---- containers and keys -------------------------------------------------------------------- */

static void begin_container(sc_json_writer *w, int is_object) {
    const char *what = is_object ? "begin_object" : "begin_array";
    if (!before_value(w, what))
        return;
    if (w->depth == SC_JSON_WRITER_MAX_DEPTH) {
        misuse(w, "%s nests deeper than %d levels", what, SC_JSON_WRITER_MAX_DEPTH);
        return;
    }
    put(w, is_object ? "{" : "[");
    w->in_object[w->depth] = (unsigned char)is_object;
    w->count[w->depth] = 0;
    w->depth++;
}

static void end_container(sc_json_writer *w, int is_object) {
    const char *what = is_object ? "end_object" : "end_array";
    if (failed(w))
        return;
    if (w->depth == 0) {
        misuse(w, "%s with nothing open", what);
        return;
    }
    int level = w->depth - 1;
    if (w->in_object[level] != is_object) {
        misuse(w, "%s closes an %s", what, w->in_object[level] ? "object" : "array");
        return;
    }
    if (w->after_key) {
        misuse(w, "%s right after a key, without its value", what);
        return;
    }
    int had_items = w->count[level] > 0;
    w->depth--;
    if (had_items)
        newline_and_indent(w, w->depth);
    put(w, is_object ? "}" : "]");
    after_value(w);
}

void sc_json_begin_object(sc_json_writer *w) { begin_container(w, 1); }
void sc_json_end_object(sc_json_writer *w) { end_container(w, 1); }
void sc_json_begin_array(sc_json_writer *w) { begin_container(w, 0); }
void sc_json_end_array(sc_json_writer *w) { end_container(w, 0); }

void sc_json_key(sc_json_writer *w, const char *key) {
    if (failed(w))
        return;
    if (w->depth == 0 || !w->in_object[w->depth - 1]) {
        misuse(w, "key \"%.64s\" outside an object", key);
        return;
    }
    if (w->after_key) {
        misuse(w, "key \"%.64s\" where the previous key's value was expected", key);
        return;
    }
    int level = w->depth - 1;
    if (w->count[level] > 0)
        put(w, ",");
    newline_and_indent(w, w->depth);
    put_escaped(w, key, strlen(key));
    put(w, w->indent ? ": " : ":");
    w->after_key = 1;
}

/* ---- scalars -------------------------------------------------------------------------------- */

static void scalar(sc_json_writer *w, const char *what, const char *text) {
    if (!before_value(w, what))
        return;
    put(w, text);
    after_value(w);
}

void sc_json_value_string_n(sc_json_writer *w, const char *s, size_t n) {
    if (!before_value(w, "a string"))
        return;
    put_escaped(w, s, n);
    after_value(w);
}

void sc_json_value_string(sc_json_writer *w, const char *s) {
    sc_json_value_string_n(w, s, strlen(s));
}

void sc_json_value_float(sc_json_writer *w, float v) {
    char text[32];
    if (!isfinite(v))
        snprintf(text, sizeof text, "null");
    else
        snprintf(text, sizeof text, "%.9g", (double)v);
    scalar(w, "a number", text);
}

void sc_json_value_double(sc_json_writer *w, double v) {
    char text[40];
    if (!isfinite(v))
        snprintf(text, sizeof text, "null");
    else
        snprintf(text, sizeof text, "%.17g", v);
    scalar(w, "a number", text);
}

void sc_json_value_int(sc_json_writer *w, int64_t v) {
    char text[32];
    snprintf(text, sizeof text, "%" PRId64, v);
    scalar(w, "a number", text);
}

void sc_json_value_uint(sc_json_writer *w, uint64_t v) {
    char text[32];
    snprintf(text, sizeof text, "%" PRIu64, v);
    scalar(w, "a number", text);
}

void sc_json_value_bool(sc_json_writer *w, int v) { scalar(w, "a boolean", v ? "true" : "false"); }

void sc_json_value_null(sc_json_writer *w) { scalar(w, "null", "null"); }

void sc_json_field_string(sc_json_writer *w, const char *key, const char *s) {
    sc_json_key(w, key);
    sc_json_value_string(w, s);
}

void sc_json_field_float(sc_json_writer *w, const char *key, float v) {
    sc_json_key(w, key);
    sc_json_value_float(w, v);
}

void sc_json_field_double(sc_json_writer *w, const char *key, double v) {
    sc_json_key(w, key);
    sc_json_value_double(w, v);
}

void sc_json_field_int(sc_json_writer *w, const char *key, int64_t v) {
    sc_json_key(w, key);
    sc_json_value_int(w, v);
}

void sc_json_field_uint(sc_json_writer *w, const char *key, uint64_t v) {
    sc_json_key(w, key);
    sc_json_value_uint(w, v);
}

void sc_json_field_bool(sc_json_writer *w, const char *key, int v) {
    sc_json_key(w, key);
    sc_json_value_bool(w, v);
}

sc_status sc_json_writer_finish(const sc_json_writer *w, sc_error *err) {
    if (failed(w))
        return sc_fail(err, w->error.code, "%s", w->error.msg);
    if (w->depth > 0)
        return sc_fail(err, SC_ERR_INTERNAL, "JSON writer: document incomplete, %d %s still open",
                       w->depth, w->depth == 1 ? "array/object is" : "arrays/objects are");
    if (!w->complete)
        return sc_fail(err, SC_ERR_INTERNAL, "JSON writer: no value was written");
    return SC_OK;
}
