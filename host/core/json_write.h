/* JSON writer: builds a document in a growing char buffer for the engine's own files
 * (config.json, metrics.json, one log.jsonl line per step). Strings are escaped (quotes,
 * backslashes, control characters; a byte that is not part of valid UTF-8, e.g. in a file
 * name, is written as the lone low surrogate "\udcXX" of its value XX, as Python's
 * "surrogateescape" does, so the exact bytes can be recovered), floats are
 * printed with %.9g and doubles with %.17g so they read back to the same value. JSON has no
 * NaN or Infinity: a non-finite number is written as null.
 *
 * Calls do not return a status: the first failure (out of memory, or misuse such as a value in
 * an object without a key) is recorded in the writer, later calls do nothing, and
 * sc_json_writer_finish() reports it. Usage:
 *
 *   sc_json_writer w;
 *   sc_json_writer_init(&w, 2);
 *   sc_json_begin_object(&w);
 *   sc_json_field_string(&w, "model", "resnet18");
 *   sc_json_key(&w, "lr");
 *   sc_json_value_float(&w, 0.1f);
 *   sc_json_end_object(&w);
 *   SC_TRY(sc_json_writer_finish(&w, err));   // then w.buf holds w.len bytes, NUL-terminated
 *   sc_json_writer_free(&w); */
#ifndef SC_JSON_WRITE_H
#define SC_JSON_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define SC_JSON_WRITER_MAX_DEPTH 32

typedef struct sc_json_writer {
    char *buf;  /* (cap) the document so far, NUL-terminated; NULL before the first write */
    size_t len; /* bytes written, without the NUL */
    size_t cap;
    int indent; /* spaces per nesting level; 0 writes everything on one line */
    int depth;  /* open arrays/objects */
    unsigned char in_object[SC_JSON_WRITER_MAX_DEPTH]; /* (depth) 1 for an object, 0 for an array */
    size_t count[SC_JSON_WRITER_MAX_DEPTH];            /* (depth) items written in each */
    int after_key; /* a key was written; its value comes next */
    int complete;  /* one whole top-level value has been written */
    sc_error error; /* the first failure; code SC_OK while there is none */
} sc_json_writer;

void sc_json_writer_init(sc_json_writer *w, int indent);
/* Start a new document in the same buffer (e.g. the next log.jsonl line). */
void sc_json_writer_reset(sc_json_writer *w);
void sc_json_writer_free(sc_json_writer *w);
/* SC_OK when exactly one complete value was written without failure; otherwise the recorded
 * failure (SC_ERR_OOM, or SC_ERR_INTERNAL for misuse) with its message. */
sc_status sc_json_writer_finish(const sc_json_writer *w, sc_error *err);

void sc_json_begin_object(sc_json_writer *w);
void sc_json_end_object(sc_json_writer *w);
void sc_json_begin_array(sc_json_writer *w);
void sc_json_end_array(sc_json_writer *w);
void sc_json_key(sc_json_writer *w, const char *key);

void sc_json_value_string(sc_json_writer *w, const char *s);
void sc_json_value_string_n(sc_json_writer *w, const char *s, size_t n);
void sc_json_value_float(sc_json_writer *w, float v);   /* %.9g */
void sc_json_value_double(sc_json_writer *w, double v); /* %.17g */
void sc_json_value_int(sc_json_writer *w, int64_t v);
void sc_json_value_uint(sc_json_writer *w, uint64_t v);
void sc_json_value_bool(sc_json_writer *w, int v);
void sc_json_value_null(sc_json_writer *w);

/* key + value in one call, for objects */
void sc_json_field_string(sc_json_writer *w, const char *key, const char *s);
void sc_json_field_float(sc_json_writer *w, const char *key, float v);
void sc_json_field_double(sc_json_writer *w, const char *key, double v);
void sc_json_field_int(sc_json_writer *w, const char *key, int64_t v);
void sc_json_field_uint(sc_json_writer *w, const char *key, uint64_t v);
void sc_json_field_bool(sc_json_writer *w, const char *key, int v);

#endif
