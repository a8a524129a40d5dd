/* Command-line option parsing (see args.h). */
#include "args.h"

#include "host/core/log.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    if (strlen(v) >= len)
        return sc_fail(err, SC_ERR_USAGE, "option %s: value is too long (at most %zu characters)",
                       a->name, len - 1);
    memcpy(out, v, strlen(v) + 1);
    return SC_OK;
}

sc_status sc_args_int(sc_args *a, long long lo, long long hi, long long *out, sc_error *err) {
    const char *v = NULL;
    SC_TRY(take_value(a, &v, err));
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi)
        return sc_fail(err, SC_ERR_USAGE, "option %s: expected an integer in [%lld, %lld], got '%s'",
                       a->name, lo, hi, v);
    *out = x;
    return SC_OK;
}

sc_status sc_args_float(sc_args *a, double lo, double hi, float *out, sc_error *err) {
    const char *v = NULL;
    SC_TRY(take_value(a, &v, err));
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || *end || !isfinite(x) || x < lo || x > hi)
        return sc_fail(err, SC_ERR_USAGE, "option %s: expected a number in [%g, %g], got '%s'",
                       a->name, lo, hi, v);
    *out = (float)x;
    return SC_OK;
}

sc_status sc_args_u64(sc_args *a, uint64_t *out, sc_error *err) {
    const char *v = NULL;
    SC_TRY(take_value(a, &v, err));
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (errno || end == v || *end || v[0] == '-')
        return sc_fail(err, SC_ERR_USAGE, "option %s: expected a non-negative integer, got '%s'",
                       a->name, v);
    *out = (uint64_t)x;
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
