/* Status codes and error messages shared by every library function.
 *
 * Convention: a fallible function returns sc_status and, on failure, writes one human-readable
 * line (what, where, what was expected) into the sc_error it was given; control characters in
 * it (from a file name or a name read from a file) are replaced by '?'. Library code never
 * exits; only the CLI maps a status to an exit code (2 for usage and input errors, 1 for
 * runtime failures, see sc_status_exit_code). */
#ifndef SC_STATUS_H
#define SC_STATUS_H

#include <stdarg.h>

typedef enum sc_status {
    SC_OK = 0,
    SC_ERR_USAGE,       /* bad option or argument */
    SC_ERR_IO,          /* missing or unreadable file, a file that cannot be created */
    SC_ERR_WRITE,       /* storage failed while writing: full, read-only file system, I/O error */
    SC_ERR_FORMAT,      /* malformed file: wrong magic, truncated, lying header */
    SC_ERR_SHAPE,       /* tensor shapes that disagree */
    SC_ERR_UNSUPPORTED, /* valid request this backend or build cannot do */
    SC_ERR_OOM,         /* allocation failed */
    SC_ERR_NUMERIC,     /* NaN or Inf where a number was needed (e.g. the loss) */
    SC_ERR_BACKEND,     /* CUDA / cuDNN / cuBLAS / BLAS failure */
    SC_ERR_INTERRUPTED, /* SIGINT / SIGTERM received */
    SC_ERR_INTERNAL     /* broken invariant: a bug */
} sc_status;

#define SC_ERROR_MSG_LEN 512

typedef struct sc_error {
    sc_status code;
    char msg[SC_ERROR_MSG_LEN];
} sc_error;

/* Record a failure in err (may be NULL) and return code, so callers write
 * `return sc_fail(err, SC_ERR_IO, "cannot open %s: %s", path, strerror(errno));`. */
sc_status sc_fail(sc_error *err, sc_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
sc_status sc_failv(sc_error *err, sc_status code, const char *fmt, va_list ap);

/* Prefix an existing message with context ("loading checkpoint x: <old message>"). */
sc_status sc_error_prefix(sc_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void sc_error_clear(sc_error *err);
const char *sc_status_name(sc_status s);
/* 2 for usage and input errors (usage, io, format, shape), 1 for runtime failures, 0 for OK. */
int sc_status_exit_code(sc_status s);

/* Propagate a failure: `SC_TRY(f(...));` returns the status from the enclosing function. */
#define SC_TRY(expr)                         \
    do {                                     \
        sc_status sc_try_status_ = (expr);   \
        if (sc_try_status_ != SC_OK)         \
            return sc_try_status_;           \
    } while (0)

#endif
