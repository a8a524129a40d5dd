/* Command-line option parsing (see args.h). */
#include "args.h"

#include "host/core/log.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void sc_args_init(sc_args *a, int argc, char **argv) {
    memset(a, 0, sizeof *a);
    a->argc = argc;
    a->argv = argv;
}

int sc_args_next(sc_args *a, sc_status *st, sc_error *err) {
    *st = SC_OK;
    if (a->index >= a->argc)
        return 0;
    const char *arg = a->argv[a->index++];
    if (strncmp(arg, "--", 2) != 0 && strcmp(arg, "-h") != 0) {
        *st = sc_fail(err, SC_ERR_USAGE, "unexpected argument '%s' (options start with --)", arg);
        return 0;
    }
    const char *eq = strchr(arg, '=');
    if (eq) {
        size_t n = (size_t)(eq - arg);
        if (n >= sizeof a->name_buf)
            n = sizeof a->name_buf - 1;
        memcpy(a->name_buf, arg, n);
        a->name_buf[n] = '\0';
        a->name = a->name_buf;
        a->inline_value = eq + 1;
    } else {
        a->name = arg;
        a->inline_value = NULL;
    }
    return 1;
}

int sc_args_is(const sc_args *a, const char *name) { return strcmp(a->name, name) == 0; }

static sc_status take_value(sc_args *a, const char **out, sc_error *err) {
    if (a->inline_value) {
        *out = a->inline_value;
        return SC_OK;
    }
    if (a->index >= a->argc)
        return sc_fail(err, SC_ERR_USAGE, "option %s needs a value", a->name);
    *out = a->argv[a->index++];
    return SC_OK;
}

sc_status sc_args_string(sc_args *a, char *out, size_t len, sc_error *err) {
    const char *v = NULL;
    SC_TRY(take_value(a, &v, err));
    if (v[0] == '\0')
        return sc_fail(err, SC_ERR_USAGE, "option %s: expected a value, got an empty string",
                       a->name);
    if (strlen(v) >= len)
        return sc_fail(err, SC_ERR_USAGE, "option %s: value is too long (at most %zu characters)",
                       a->name, len - 1);
    memcpy(out, v, strlen(v) + 1);
    return SC_OK;
}

/* Decimal digits only, with a '-' in front when negative is allowed: no spaces, no '+', no
 * "0x", no exponent. 1 with *out set, 0 when s is not such a number or does not fit. */
static int parse_decimal_i64(const char *s, int negative_allowed, long long *out) {
    const char *digits = s[0] == '-' && negative_allowed ? s + 1 : s;
    if (!*digits)
        return 0;
    for (const char *p = digits; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    errno = 0;
    char *end;
    long long x = strtoll(s, &end, 10);
    if (errno || *end)
        return 0;
    *out = x;
    return 1;
}

int sc_parse_int_strict(const char *s, long long lo, long long hi, long long *out) {
    long long x;
    if (!parse_decimal_i64(s, lo < 0, &x) || x < lo || x > hi)
        return 0;
    *out = x;
    return 1;
}

sc_status sc_args_int(sc_args *a, long long lo, long long hi, long long *out, sc_error *err) {
    const char *v = NULL;
    SC_TRY(take_value(a, &v, err));
    if (!sc_parse_int_strict(v, lo, hi, out))
        return sc_fail(err, SC_ERR_USAGE, "option %s: expected an integer in [%lld, %lld], got '%s'",
                       a->name, lo, hi, v);
    return SC_OK;
}

/* A decimal number as "-1.5", "2", ".5", "1e-3": no spaces, no '+', no hexadecimal, no
 * inf/nan. */
static int is_plain_decimal(const char *s) {
    if (*s == '-')
        s++;
    int digits = 0;
    for (; *s >= '0' && *s <= '9'; s++)
        digits++;
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++)
            digits++;
    if (!digits)
        return 0;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        if (*s < '0' || *s > '9')
            return 0;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0';
}

sc_status sc_args_float(sc_args *a, double lo, double hi, float *out, sc_error *err) {
    const char *v = NULL;
    SC_TRY(take_value(a, &v, err));
    char *end;
    errno = 0;
    double x = is_plain_decimal(v) ? strtod(v, &end) : NAN;
    if (errno || !isfinite(x) || x < lo || x > hi)
        return sc_fail(err, SC_ERR_USAGE, "option %s: expected a decimal number in [%g, %g], got '%s'",
                       a->name, lo, hi, v);
    float f = (float)x;
    if (x != 0.0 && !(fabsf(f) >= FLT_MIN))
        return sc_fail(err, SC_ERR_USAGE, "option %s: %s is too small for single precision "
                       "(smallest %g): give 0 or a larger value", a->name, v, (double)FLT_MIN);
    *out = f;
    return SC_OK;
}

sc_status sc_args_u64(sc_args *a, uint64_t *out, sc_error *err) {
    const char *v = NULL;
    SC_TRY(take_value(a, &v, err));
    int digits_only = v[0] != '\0';
    for (const char *p = v; *p; p++)
        digits_only = digits_only && *p >= '0' && *p <= '9';
    char *end;
    errno = 0;
    unsigned long long x = digits_only ? strtoull(v, &end, 10) : 0;
    if (!digits_only || errno || *end)
        return sc_fail(err, SC_ERR_USAGE, "option %s: expected an integer in [0, %llu], got '%s'",
                       a->name, (unsigned long long)UINT64_MAX, v);
    *out = (uint64_t)x;
    return SC_OK;
}

sc_status sc_args_increasing_ints(sc_args *a, long long lo, long long hi, int max_count, int *out,
                                  int *count, sc_error *err) {
    char original[256], text[256];
    SC_TRY(sc_args_string(a, original, sizeof original, err));
    memcpy(text, original, sizeof text);
    *count = 0;
    char *item = text;
    for (;;) {
        char *comma = strchr(item, ',');
        if (comma)
            *comma = '\0';
        long long v;
        if (*count == max_count || !sc_parse_int_strict(item, lo, hi, &v) ||
            (*count > 0 && v <= out[*count - 1])) {
            return sc_fail(err, SC_ERR_USAGE, "option %s: expected up to %d strictly increasing "
                           "integers in [%lld, %lld] separated by commas, got '%s'", a->name,
                           max_count, lo, hi, original);
        }
        out[(*count)++] = (int)v;
        if (!comma)
            return SC_OK;
        item = comma + 1;
    }
}

/* A thread of the probe below: waits until the pipe's write end is closed. */
static void *wait_for_close(void *read_fd) {
    char byte;
    while (read(*(int *)read_fd, &byte, 1) > 0) {
    }
    return NULL;
}

/* Whether this process can run `count` more threads at once (what the OpenMP runtime will
 * ask for): start them, then let them end. *started is how many could be started. */
static int threads_can_start(int count, int *started) {
    int fds[2];
    *started = 0;
    if (pipe(fds) != 0)
        return 0;
    pthread_t *ids = malloc(sizeof *ids * (size_t)(count > 0 ? count : 1));
    while (ids && *started < count && pthread_create(&ids[*started], NULL, wait_for_close, &fds[0]) == 0)
        (*started)++;
    close(fds[1]);
    for (int i = 0; i < *started; i++)
        pthread_join(ids[i], NULL);
    close(fds[0]);
    free(ids);
    return *started == count;
}

sc_status sc_args_threads(sc_args *a, int *out, sc_error *err) {
    long long v;
    SC_TRY(sc_args_int(a, 0, SC_ARGS_MAX_THREADS, &v, err));
    int started = 0;
    if (v > 1 && !threads_can_start((int)v - 1, &started))
        return sc_fail(err, SC_ERR_USAGE, "option %s: cannot run %lld threads here: the system "
                       "let this process start only %d more (see ulimit -u)", a->name, v, started);
    *out = (int)v;
    return SC_OK;
}

sc_status sc_args_on_off(sc_args *a, int *out, sc_error *err) {
    const char *v = NULL;
    SC_TRY(take_value(a, &v, err));
    if (strcmp(v, "on") == 0)
        *out = 1;
    else if (strcmp(v, "off") == 0)
        *out = 0;
    else
        return sc_fail(err, SC_ERR_USAGE, "option %s: expected on or off, got '%s'", a->name, v);
    return SC_OK;
}

sc_status sc_args_flag(sc_args *a, sc_error *err) {
    if (a->inline_value)
        return sc_fail(err, SC_ERR_USAGE, "option %s takes no value", a->name);
    return SC_OK;
}

int sc_cli_exit(sc_status st, const sc_error *err) {
    if (st == SC_OK)
        return 0;
    sc_log_error("%s", err->msg);
    return sc_status_exit_code(st);
}

sc_status sc_args_unknown(const sc_args *a, const char *command, sc_error *err) {
    return sc_fail(err, SC_ERR_USAGE, "unknown option %s for 'scaat %s' (see scaat %s --help)",
                   a->name, command, command);
}
