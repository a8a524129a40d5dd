/* JSON parser: text to a tree of sc_json_value nodes in a pool owned by sc_json_doc
 * (see json.h for the accepted language and the error format). A recursive-descent parser;
 * the depth limit bounds the recursion. */
#include "json.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_utf8.h"

/* ---- pool: every node and string of a document lives in a chain of blocks ------------------ */

#define POOL_ALIGN 16
#define POOL_BLOCK_BYTES ((size_t)64 * 1024)

struct sc_json_block {
    struct sc_json_block *next;
    size_t used;
    size_t cap;
};

static size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

static unsigned char *block_data(struct sc_json_block *b) {
    return (unsigned char *)b + round_up(sizeof *b, POOL_ALIGN);
}

/* bytes from the document's pool, aligned to POOL_ALIGN; NULL when memory runs out */
static void *pool_alloc(sc_json_doc *doc, size_t bytes) {
    size_t need = round_up(bytes ? bytes : 1, POOL_ALIGN);
    struct sc_json_block *b = doc->blocks;
    if (!b || b->cap - b->used < need) {
        size_t cap = need > POOL_BLOCK_BYTES ? need : POOL_BLOCK_BYTES;
        b = malloc(round_up(sizeof *b, POOL_ALIGN) + cap);
        if (!b)
            return NULL;
        b->used = 0;
        b->cap = cap;
        b->next = doc->blocks;
        doc->blocks = b;
    }
    void *p = block_data(b) + b->used;
    b->used += need;
    return p;
}

void sc_json_doc_free(sc_json_doc *doc) {
    if (!doc)
        return;
    struct sc_json_block *b = doc->blocks;
    while (b) {
        struct sc_json_block *next = b->next;
        free(b);
        b = next;
    }
    doc->blocks = NULL;
    doc->root = NULL;
}

/* ---- parser state and error messages -------------------------------------------------------- */

typedef struct parser {
    const char *text; /* (len) the document */
    size_t len;
    size_t pos;
    const char *source;
    int max_depth;
    sc_json_doc *doc;
    sc_error *err;
} parser;

/* "'x'", "end of input" or "byte 0xNN" for the character at `at` */
static void describe_found(const parser *p, size_t at, char *buf, size_t len) {
    if (at >= p->len) {
        snprintf(buf, len, "end of input");
        return;
    }
    unsigned char c = (unsigned char)p->text[at];
    if (c >= 0x20 && c < 0x7F)
        snprintf(buf, len, "'%c'", c);
    else
        snprintf(buf, len, "byte 0x%02x", c);
}

/* SC_ERR_FORMAT with "<source>: <message> at byte N (line L, column C)[, found X]" */
static sc_status fail_at(parser *p, size_t at, int show_found, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static sc_status fail_at(parser *p, size_t at, int show_found, const char *fmt, ...) {
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    size_t line = 1, column = 1;
    for (size_t i = 0; i < at && i < p->len; i++) {
        if (p->text[i] == '\n') {
            line++;
            column = 1;
        } else {
            column++;
        }
    }
    char found[32] = "";
    if (show_found) {
        char desc[24];
        describe_found(p, at, desc, sizeof desc);
        snprintf(found, sizeof found, ", found %s", desc);
    }
    return sc_fail(p->err, SC_ERR_FORMAT, "%s: %s at byte %zu (line %zu, column %zu)%s", p->source,
                   what, at, line, column, found);
}

static sc_status fail_oom(parser *p) {
    return sc_fail(p->err, SC_ERR_OOM, "%s: out of memory while parsing %zu bytes of JSON",
                   p->source, p->len);
}

static void skip_whitespace(parser *p) {
    while (p->pos < p->len) {
        char c = p->text[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return;
        p->pos++;
    }
}

static int peek(const parser *p) { return p->pos < p->len ? (unsigned char)p->text[p->pos] : -1; }

static int is_digit(int c) { return c >= '0' && c <= '9'; }

static sc_status parse_value(parser *p, int depth, sc_json_value *out);

/* ---- literals and numbers ------------------------------------------------------------------- */

static sc_status parse_literal(parser *p, const char *word, sc_json_value *out) {
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->text + p->pos, word, n) != 0)
        return fail_at(p, p->pos, 0, "invalid literal (expected '%s')", word);
    p->pos += n;
    if (word[0] == 'n') {
        out->type = SC_JSON_NULL;
    } else {
        out->type = SC_JSON_BOOL;
        out->boolean = word[0] == 't';
    }
    return SC_OK;
}

static sc_status scan_digits(parser *p, const char *after) {
    if (!is_digit(peek(p)))
        return fail_at(p, p->pos, 1, "expected a digit %s", after);
    while (is_digit(peek(p)))
        p->pos++;
    return SC_OK;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static sc_status parse_number(parser *p, sc_json_value *out) {
    size_t start = p->pos;
    int negative = 0;
    if (peek(p) == '-') {
        negative = 1;
        p->pos++;
    }
    size_t int_start = p->pos;
    SC_TRY(scan_digits(p, "in the number"));
    if (p->text[int_start] == '0' && p->pos - int_start > 1)
        return fail_at(p, int_start, 0, "leading zeros are not allowed in a number");
    size_t int_end = p->pos;
    int is_integer = 1;
    if (peek(p) == '.') {
        is_integer = 0;
        p->pos++;
        SC_TRY(scan_digits(p, "after the decimal point"));
    }
    if (peek(p) == 'e' || peek(p) == 'E') {
        is_integer = 0;
        p->pos++;
        if (peek(p) == '+' || peek(p) == '-')
            p->pos++;
        SC_TRY(scan_digits(p, "in the exponent"));
    }

    /* the double value: strtod on a NUL-terminated copy of the literal */
    size_t n = p->pos - start;
    char small[64];
    char *copy = n < sizeof small ? small : malloc(n + 1);
    if (!copy)
        return fail_oom(p);
    memcpy(copy, p->text + start, n);
    copy[n] = '\0';
    double value = strtod(copy, NULL);
    if (copy != small)
        free(copy);
    if (isinf(value))
        return fail_at(p, start, 0, "number out of the range of a double");

    /* the exact integer, when the literal is one */
    uint64_t magnitude = 0;
    int overflow = 0;
    for (size_t i = int_start; i < int_end && is_integer; i++) {
        unsigned d = (unsigned)(p->text[i] - '0');
        if (magnitude > (UINT64_MAX - d) / 10)
            overflow = 1;
        else
            magnitude = magnitude * 10 + d;
    }
    out->type = SC_JSON_NUMBER;
    out->number.value = value;
    out->number.is_integer = is_integer;
    out->number.fits_u64 = is_integer && !overflow && (!negative || magnitude == 0);
    out->number.u64 = out->number.fits_u64 ? magnitude : 0;
    const uint64_t i64_neg_limit = (uint64_t)INT64_MAX + 1;
    out->number.fits_i64 = is_integer && !overflow &&
                           (negative ? magnitude <= i64_neg_limit : magnitude <= (uint64_t)INT64_MAX);
    if (!out->number.fits_i64)
        out->number.i64 = 0;
    else if (!negative)
        out->number.i64 = (int64_t)magnitude;
    else if (magnitude == i64_neg_limit)
        out->number.i64 = INT64_MIN;
    else
        out->number.i64 = -(int64_t)magnitude;
    return SC_OK;
}

/* ---- strings -------------------------------------------------------------------------------- */

static int hex_value(int c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* the 4 hex digits after "\u" at p->pos (which points at the backslash) */
static sc_status read_u_escape(parser *p, uint32_t *cp) {
    size_t at = p->pos;
    if (p->len - at < 6)
        return fail_at(p, at, 0, "expected 4 hex digits after \\u");
    uint32_t v = 0;
    for (size_t i = 2; i < 6; i++) {
        int h = hex_value((unsigned char)p->text[at + i]);
        if (h < 0)
            return fail_at(p, at, 0, "expected 4 hex digits after \\u");
        v = v * 16 + (uint32_t)h;
    }
    p->pos += 6;
    *cp = v;
    return SC_OK;
}

/* one escape sequence at p->pos (the backslash), decoded into out; *n gets its byte count */
static sc_status decode_escape(parser *p, unsigned char *out, size_t *n) {
    size_t at = p->pos;
    int c = p->pos + 1 < p->len ? (unsigned char)p->text[p->pos + 1] : -1;
    const char *simple = "\"\"\\\\//b\bf\fn\nr\rt\t";
    for (const char *s = simple; *s; s += 2) {
        if (c == s[0]) {
            out[0] = (unsigned char)s[1];
            *n = 1;
            p->pos += 2;
            return SC_OK;
        }
    }
    if (c != 'u') {
        if (c >= 0x20 && c < 0x7F)
            return fail_at(p, at, 0, "invalid escape '\\%c' in string", c);
        return fail_at(p, at, 0, "invalid escape in string");
    }
    uint32_t cp;
    SC_TRY(read_u_escape(p, &cp));
    if (cp >= 0xDC80 && cp <= 0xDCFF) { /* a byte that is not UTF-8, as sc_json_writer escapes it */
        out[0] = (unsigned char)(cp - 0xDC00);
        *n = 1;
        return SC_OK;
    }
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return fail_at(p, at, 0, "unpaired low surrogate \\u%04X in string", (unsigned)cp);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        uint32_t low = 0;
        if (p->len - p->pos < 2 || p->text[p->pos] != '\\' || p->text[p->pos + 1] != 'u' ||
            read_u_escape(p, &low) != SC_OK || low < 0xDC00 || low > 0xDFFF)
            return fail_at(p, at, 0, "unpaired high surrogate \\u%04X in string", (unsigned)cp);
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    *n = sc_utf8_encode(cp, out);
    return SC_OK;
}

/* a string at p->pos (the opening quote), decoded into the pool */
static sc_status parse_string(parser *p, const char **chars, size_t *len) {
    size_t open = p->pos;
    /* find the closing quote: the decoded text is never longer than the raw text */
    size_t end = open + 1;
    while (end < p->len && p->text[end] != '"')
        end += p->text[end] == '\\' ? 2 : 1;
    if (end >= p->len)
        return fail_at(p, p->len, 0, "unterminated string (opened at byte %zu)", open);
    unsigned char *buf = pool_alloc(p->doc, end - open);
    if (!buf)
        return fail_oom(p);
    size_t n = 0;
    p->pos = open + 1;
    while (p->pos < end) {
        unsigned char c = (unsigned char)p->text[p->pos];
        if (c == '\\') {
            size_t k = 0;
            SC_TRY(decode_escape(p, buf + n, &k));
            n += k;
        } else if (c < 0x20) {
            return fail_at(p, p->pos, 0, "raw control character 0x%02x in string (must be escaped)", c);
        } else if (c < 0x80) {
            buf[n++] = c;
            p->pos++;
        } else {
            size_t k = sc_utf8_sequence_len((const unsigned char *)p->text + p->pos, end - p->pos);
            if (k == 0)
                return fail_at(p, p->pos, 0, "invalid UTF-8 in string");
            memcpy(buf + n, p->text + p->pos, k);
            n += k;
            p->pos += k;
        }
    }
    p->pos = end + 1;
    buf[n] = '\0';
    *chars = (const char *)buf;
    *len = n;
    return SC_OK;
}

/* ---- arrays and objects --------------------------------------------------------------------- */

/* a growable scratch list of children, copied into the pool when the container closes */
typedef struct scratch {
    void *items;
    size_t count;
    size_t cap;
    size_t item_size;
} scratch;

static void *scratch_push(scratch *s) {
    if (s->count == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        void *grown = realloc(s->items, cap * s->item_size);
        if (!grown)
            return NULL;
        s->items = grown;
        s->cap = cap;
    }
    void *slot = (unsigned char *)s->items + s->count * s->item_size;
    s->count++;
    memset(slot, 0, s->item_size);
    return slot;
}

static sc_status scratch_to_pool(parser *p, scratch *s, void **out) {
    *out = pool_alloc(p->doc, s->count * s->item_size);
    if (!*out)
        return fail_oom(p);
    if (s->count)
        memcpy(*out, s->items, s->count * s->item_size);
    return SC_OK;
}

static sc_status enter_container(parser *p, int depth) {
    if (depth > p->max_depth)
        return fail_at(p, p->pos, 0, "nesting deeper than %d levels", p->max_depth);
    p->pos++; /* the '[' or '{' */
    skip_whitespace(p);
    return SC_OK;
}

static sc_status parse_array_items(parser *p, int depth, scratch *items) {
    if (peek(p) == ']') {
        p->pos++;
        return SC_OK;
    }
    for (;;) {
        sc_json_value *item = scratch_push(items);
        if (!item)
            return fail_oom(p);
        SC_TRY(parse_value(p, depth, item));
        skip_whitespace(p);
        if (peek(p) == ']') {
            p->pos++;
            return SC_OK;
        }
        if (peek(p) != ',')
            return fail_at(p, p->pos, 1, "expected ',' or ']'");
        p->pos++;
    }
}

static sc_status parse_array(parser *p, int depth, sc_json_value *out) {
    SC_TRY(enter_container(p, depth));
    scratch items = {NULL, 0, 0, sizeof(sc_json_value)};
    void *stored = NULL;
    sc_status st = parse_array_items(p, depth, &items);
    if (st == SC_OK)
        st = scratch_to_pool(p, &items, &stored);
    free(items.items);
    if (st != SC_OK)
        return st;
    out->type = SC_JSON_ARRAY;
    out->array.items = stored;
    out->array.count = items.count;
    return SC_OK;
}

static int compare_keys(const char *a, size_t alen, const char *b, size_t blen) {
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c != 0)
        return c;
    return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

static int compare_members(const void *a, const void *b) {
    const sc_json_member *ma = *(const sc_json_member *const *)a;
    const sc_json_member *mb = *(const sc_json_member *const *)b;
    int c = compare_keys(ma->key, ma->key_len, mb->key, mb->key_len);
    if (c != 0)
        return c;
    return ma->key_offset < mb->key_offset ? -1 : (ma->key_offset > mb->key_offset ? 1 : 0);
}

static sc_status parse_object_members(parser *p, int depth, scratch *members) {
    if (peek(p) == '}') {
        p->pos++;
        return SC_OK;
    }
    for (;;) {
        skip_whitespace(p);
        if (peek(p) != '"')
            return fail_at(p, p->pos, 1, "expected a string key");
        sc_json_member *m = scratch_push(members);
        if (!m)
            return fail_oom(p);
        m->key_offset = p->pos;
        SC_TRY(parse_string(p, &m->key, &m->key_len));
        skip_whitespace(p);
        if (peek(p) != ':')
            return fail_at(p, p->pos, 1, "expected ':' after the key");
        p->pos++;
        SC_TRY(parse_value(p, depth, &m->value));
        skip_whitespace(p);
        if (peek(p) == '}') {
            p->pos++;
            return SC_OK;
        }
        if (peek(p) != ',')
            return fail_at(p, p->pos, 1, "expected ',' or '}'");
        p->pos++;
    }
}

/* the by-key index of an object; duplicate keys are an error */
static sc_status index_members(parser *p, const sc_json_member *members, size_t count,
                               const sc_json_member *const **out) {
    const sc_json_member **sorted = pool_alloc(p->doc, count * sizeof *sorted);
    if (!sorted)
        return fail_oom(p);
    for (size_t i = 0; i < count; i++)
        sorted[i] = &members[i];
    qsort(sorted, count, sizeof *sorted, compare_members);
    for (size_t i = 1; i < count; i++) {
        const sc_json_member *a = sorted[i - 1], *b = sorted[i];
        if (compare_keys(a->key, a->key_len, b->key, b->key_len) == 0)
            return fail_at(p, b->key_offset, 0, "duplicate key \"%.64s\" (first at byte %zu)", b->key,
                           a->key_offset);
    }
    *out = sorted;
    return SC_OK;
}

static sc_status parse_object(parser *p, int depth, sc_json_value *out) {
    SC_TRY(enter_container(p, depth));
    scratch members = {NULL, 0, 0, sizeof(sc_json_member)};
    void *stored = NULL;
    const sc_json_member *const *sorted = NULL;
    sc_status st = parse_object_members(p, depth, &members);
    if (st == SC_OK)
        st = scratch_to_pool(p, &members, &stored);
    if (st == SC_OK)
        st = index_members(p, stored, members.count, &sorted);
    free(members.items);
    if (st != SC_OK)
        return st;
    out->type = SC_JSON_OBJECT;
    out->object.members = stored;
    out->object.sorted = sorted;
    out->object.count = members.count;
    return SC_OK;
}

/* ---- values and documents ------------------------------------------------------------------- */

static sc_status parse_value(parser *p, int depth, sc_json_value *out) {
    skip_whitespace(p);
    out->offset = p->pos;
    int c = peek(p);
    switch (c) {
    case '{': return parse_object(p, depth + 1, out);
    case '[': return parse_array(p, depth + 1, out);
    case '"':
        out->type = SC_JSON_STRING;
        return parse_string(p, &out->string.chars, &out->string.len);
    case 't': return parse_literal(p, "true", out);
    case 'f': return parse_literal(p, "false", out);
    case 'n': return parse_literal(p, "null", out);
    default:
        if (c == '-' || is_digit(c))
            return parse_number(p, out);
        return fail_at(p, p->pos, 1, "expected a value");
    }
}

sc_status sc_json_parse_limited(sc_json_doc *doc, const char *text, size_t len,
                                const char *source, const sc_json_limits *limits, sc_error *err) {
    doc->root = NULL;
    doc->blocks = NULL;
    if (!source)
        source = "JSON";
    if (len > limits->max_bytes)
        return sc_fail(err, SC_ERR_FORMAT, "%s: document is %zu bytes, over the limit of %zu",
                       source, len, limits->max_bytes);
    parser p = {text, len, 0, source, limits->max_depth, doc, err};
    sc_json_value *root = pool_alloc(doc, sizeof *root);
    sc_status st = root ? SC_OK : fail_oom(&p);
    if (st == SC_OK) {
        memset(root, 0, sizeof *root);
        st = parse_value(&p, 0, root);
    }
    if (st == SC_OK) {
        skip_whitespace(&p);
        if (p.pos != len)
            st = fail_at(&p, p.pos, 1, "unexpected data after the JSON value");
    }
    if (st != SC_OK) {
        sc_json_doc_free(doc);
        return st;
    }
    doc->root = root;
    return SC_OK;
}

sc_status sc_json_parse(sc_json_doc *doc, const char *text, size_t len, const char *source,
                        sc_error *err) {
    sc_json_limits limits = {SC_JSON_DEFAULT_MAX_BYTES, SC_JSON_DEFAULT_MAX_DEPTH};
    return sc_json_parse_limited(doc, text, len, source, &limits, err);
}

/* ---- reading the tree ----------------------------------------------------------------------- */

const char *sc_json_type_name(sc_json_type type) {
    switch (type) {
    case SC_JSON_NULL: return "null";
    case SC_JSON_BOOL: return "boolean";
    case SC_JSON_NUMBER: return "number";
    case SC_JSON_STRING: return "string";
    case SC_JSON_ARRAY: return "array";
    case SC_JSON_OBJECT: return "object";
    }
    return "?";
}

const sc_json_value *sc_json_object_get(const sc_json_value *obj, const char *key) {
    if (!obj || obj->type != SC_JSON_OBJECT || !key)
        return NULL;
    size_t key_len = strlen(key);
    size_t lo = 0, hi = obj->object.count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const sc_json_member *m = obj->object.sorted[mid];
        int c = compare_keys(m->key, m->key_len, key, key_len);
        if (c == 0)
            return &m->value;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

size_t sc_json_count(const sc_json_value *v) {
    if (!v)
        return 0;
    if (v->type == SC_JSON_ARRAY)
        return v->array.count;
    if (v->type == SC_JSON_OBJECT)
        return v->object.count;
    return 0;
}

const sc_json_value *sc_json_array_at(const sc_json_value *arr, size_t i) {
    if (!arr || arr->type != SC_JSON_ARRAY || i >= arr->array.count)
        return NULL;
    return &arr->array.items[i];
}

const sc_json_member *sc_json_member_at(const sc_json_value *obj, size_t i) {
    if (!obj || obj->type != SC_JSON_OBJECT || i >= obj->object.count)
        return NULL;
    return &obj->object.members[i];
}

int sc_json_get_bool(const sc_json_value *v, int *out) {
    if (!v || v->type != SC_JSON_BOOL)
        return 0;
    *out = v->boolean;
    return 1;
}

int sc_json_get_double(const sc_json_value *v, double *out) {
    if (!v || v->type != SC_JSON_NUMBER)
        return 0;
    *out = v->number.value;
    return 1;
}

int sc_json_get_i64(const sc_json_value *v, int64_t *out) {
    if (!v || v->type != SC_JSON_NUMBER || !v->number.fits_i64)
        return 0;
    *out = v->number.i64;
    return 1;
}

int sc_json_get_u64(const sc_json_value *v, uint64_t *out) {
    if (!v || v->type != SC_JSON_NUMBER || !v->number.fits_u64)
        return 0;
    *out = v->number.u64;
    return 1;
}

const char *sc_json_get_string(const sc_json_value *v) {
    if (!v || v->type != SC_JSON_STRING)
        return NULL;
    return v->string.chars;
}
