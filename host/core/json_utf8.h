/* UTF-8 helpers shared by the JSON parser and writer: decoding one well-formed sequence and
 * encoding a code point. Well-formed means RFC 3629: no overlong forms, no surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF. */
#ifndef SC_JSON_UTF8_H
#define SC_JSON_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length in bytes (1 to 4) of the well-formed UTF-8 sequence at s[0 .. avail), or 0 when the
 * bytes there are not one (truncated, overlong, surrogate, out of range, stray continuation). */
size_t sc_utf8_sequence_len(const unsigned char *s, size_t avail);

/* Encode code point cp (at most 0x10FFFF, not a surrogate) into out[0 .. 4); returns the
 * number of bytes written. */
size_t sc_utf8_encode(uint32_t cp, unsigned char out[4]);

#endif
