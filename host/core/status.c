/* Error recording helpers for sc_status / sc_error (see status.h). */
#include "status.h"

#include <stdio.h>
#include <string.h>

/* A message is one line: control characters that came from a file (a tensor name holding a
 * newline, an escape sequence) become '?', so they cannot split the line or drive a terminal. */
static void make_one_line(char *msg) {
    for (unsigned char *c = (unsigned char *)msg; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            *c = '?';
}

sc_status sc_failv(sc_error *err, sc_status code, const char *fmt, va_list ap) {
    if (err) {
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        make_one_line(err->msg);
    }
    return code;
}

sc_status sc_fail(sc_error *err, sc_status code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sc_failv(err, code, fmt, ap);
    va_end(ap);
    return code;
}

sc_status sc_error_prefix(sc_error *err, const char *fmt, ...) {
    if (!err)
        return SC_ERR_INTERNAL;
    char prefix[SC_ERROR_MSG_LEN];
    char old[SC_ERROR_MSG_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old);
    make_one_line(err->msg);
    return err->code;
}

void sc_error_clear(sc_error *err) {
    if (err) {
        err->code = SC_OK;
        err->msg[0] = '\0';
    }
}

const char *sc_status_name(sc_status s) {
    switch (s) {
    case SC_OK: return "ok";
    case SC_ERR_USAGE: return "usage error";
    case SC_ERR_IO: return "I/O error";
    case SC_ERR_WRITE: return "write error";
    case SC_ERR_FORMAT: return "format error";
    case SC_ERR_SHAPE: return "shape error";
    case SC_ERR_UNSUPPORTED: return "unsupported";
    case SC_ERR_OOM: return "out of memory";
    case SC_ERR_NUMERIC: return "numeric error";
    case SC_ERR_BACKEND: return "backend error";
    case SC_ERR_INTERRUPTED: return "interrupted";
    case SC_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

int sc_status_exit_code(sc_status s) {
    switch (s) {
    case SC_OK: return 0;
    case SC_ERR_USAGE:
    case SC_ERR_IO:
    case SC_ERR_FORMAT:
    case SC_ERR_SHAPE: return 2;
    default: return 1;
    }
}
