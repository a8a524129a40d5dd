/* stderr messages and the monotonic clock (see log.h). */
#define _POSIX_C_SOURCE 200809L
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

void sc_log(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("scaat: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void sc_log_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("scaat: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

double sc_now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
