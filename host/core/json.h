/* JSON parser: reads a document (RFC 8259) into a tree of sc_json_value nodes owned by an
 * sc_json_doc. Used for safetensors headers and the engine's own config/metrics files.
 *
 * Strict: one value per document (trailing garbage is an error), no comments, no trailing
 * commas, no NaN/Infinity, strings must be well-formed UTF-8 without raw control characters,
 * duplicate keys in an object are an error, nesting and document size are limited.
 * Every error names the source and the byte offset: "x.json: expected ',' or '}' at byte 123
 * (line 4, column 7), found 'x'".
 *
 * Numbers keep their double value; integer literals (no fraction, no exponent) are also kept
 * exactly as int64 and/or uint64 when they fit, so offsets and sizes up to 2^64 - 1 are exact.
 * Strings are decoded (escapes, \uXXXX and surrogate pairs to UTF-8; a lone "\udc80" ..
 * "\udcff", the writer's escape of a byte that is not UTF-8, back to that byte) and NUL-terminated; their
 * length is kept too since "\u0000" may put a NUL inside. Object members keep document order. */
#ifndef SC_JSON_H
#define SC_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define SC_JSON_DEFAULT_MAX_BYTES ((size_t)100 * 1000 * 1000)
#define SC_JSON_DEFAULT_MAX_DEPTH 64

typedef enum sc_json_type {
    SC_JSON_NULL = 0,
    SC_JSON_BOOL,
    SC_JSON_NUMBER,
    SC_JSON_STRING,
    SC_JSON_ARRAY,
    SC_JSON_OBJECT
} sc_json_type;

typedef struct sc_json_value sc_json_value;
typedef struct sc_json_member sc_json_member;

struct sc_json_value {
    sc_json_type type;
    size_t offset; /* byte offset of the value's first character in the document */
    union {
        int boolean;
        struct {
            double value;
            int is_integer; /* the literal has no fraction and no exponent */
            int fits_i64;   /* is_integer and within int64: i64 is exact */
            int fits_u64;   /* is_integer, >= 0 and within uint64: u64 is exact */
            int64_t i64;
            uint64_t u64;
        } number;
        struct {
            const char *chars; /* NUL-terminated UTF-8 */
            size_t len;        /* bytes, without the terminating NUL */
        } string;
        struct {
            const sc_json_value *items; /* (count) */
            size_t count;
        } array;
        struct {
            const sc_json_member *members;       /* (count), document order */
            const sc_json_member *const *sorted; /* (count), by key bytes, for lookups */
            size_t count;
        } object;
    };
};

struct sc_json_member {
    const char *key; /* NUL-terminated UTF-8 */
    size_t key_len;
    size_t key_offset; /* byte offset of the key's opening quote */
    sc_json_value value;
};

typedef struct sc_json_limits {
    size_t max_bytes; /* longest document accepted */
    int max_depth;    /* deepest nesting of arrays/objects accepted (1 = "[]" at top level) */
} sc_json_limits;

/* A parsed document: the root value and the memory of every node and string. */
typedef struct sc_json_doc {
    const sc_json_value *root;
    struct sc_json_block *blocks; /* private: the pool the tree lives in */
} sc_json_doc;

/* Parse text[0 .. len) with the default limits. source names the document in error messages
 * ("config.json", "x.safetensors header"); NULL means "JSON". On failure doc is left empty
 * (safe to free) and err holds the message; the status is SC_ERR_FORMAT (SC_ERR_OOM when
 * memory runs out). */
sc_status sc_json_parse(sc_json_doc *doc, const char *text, size_t len, const char *source,
                        sc_error *err);
sc_status sc_json_parse_limited(sc_json_doc *doc, const char *text, size_t len,
                                const char *source, const sc_json_limits *limits, sc_error *err);
void sc_json_doc_free(sc_json_doc *doc);

const char *sc_json_type_name(sc_json_type type); /* "null", "boolean", "number", ... */

/* Member value of an object by key, or NULL when obj is not an object or has no such key. */
const sc_json_value *sc_json_object_get(const sc_json_value *obj, const char *key);
/* Items of an array or members of an object; 0 for anything else. */
size_t sc_json_count(const sc_json_value *v);
/* Item i of an array, or NULL when v is not an array or i is out of range. */
const sc_json_value *sc_json_array_at(const sc_json_value *arr, size_t i);
/* Member i (document order) of an object, or NULL when v is not an object or i is out of range. */
const sc_json_member *sc_json_member_at(const sc_json_value *obj, size_t i);

/* Typed reads: return 1 and store the value when v has that type (and, for integers, is an
 * integer literal that fits), else return 0 and leave *out alone. v may be NULL. */
int sc_json_get_bool(const sc_json_value *v, int *out);
int sc_json_get_double(const sc_json_value *v, double *out);
int sc_json_get_i64(const sc_json_value *v, int64_t *out);
int sc_json_get_u64(const sc_json_value *v, uint64_t *out);
/* The string's characters, or NULL when v is not a string. */
const char *sc_json_get_string(const sc_json_value *v);

#endif
