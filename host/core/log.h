/* Messages to stderr: "scaat: <message>" for notes, "scaat: error: <message>" for failures.
 * Progress output of long work is in host/train/progress.h. */
#ifndef SC_LOG_H
#define SC_LOG_H

void sc_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sc_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Seconds from a monotonic clock. */
double sc_now_seconds(void);

#endif
