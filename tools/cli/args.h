/* Command-line option parsing for the scaat subcommands: "--name value" or "--name=value",
 * each value checked with one clear error line naming the option. */
#ifndef SC_CLI_ARGS_H
#define SC_CLI_ARGS_H

#include <stddef.h>
#include <stdint.h>

#include "host/core/status.h"

typedef struct sc_args {
    int argc;
    char **argv;
    int index;         /* next argument to read */
    const char *name;  /* current option name, without the value */
    char name_buf[128]; /* storage for the name of a "--name=value" argument */
    const char *inline_value; /* value after '=', or NULL */
} sc_args;

void sc_args_init(sc_args *a, int argc, char **argv);
/* Next option: 1 with a->name set, 0 at the end; a non-option argument is a usage error. */
int sc_args_next(sc_args *a, sc_status *st, sc_error *err);
int sc_args_is(const sc_args *a, const char *name);
/* The option's value (the next argument or the part after '='). */
sc_status sc_args_string(sc_args *a, char *out, size_t len, sc_error *err);
/* Numbers are strict: decimal digits (and '-' for a negative integer, '.' and an exponent for
 * a real number) with nothing around them: no spaces, '+', hexadecimal, inf or nan; a real
 * number that is not 0 in decimal but 0 (or infinite) in single precision is refused. Empty
 * strings are refused for every option. */
sc_status sc_args_int(sc_args *a, long long lo, long long hi, long long *out, sc_error *err);
/* A non-empty, comma-separated list of at most max_count strictly increasing integers in
 * [lo, hi] (e.g. --milestones 30,60,80). */
sc_status sc_args_increasing_ints(sc_args *a, long long lo, long long hi, int max_count, int *out,
                                  int *count, sc_error *err);
/* The strict integer rule on a plain string: 1 with *out set, 0 when s is not an integer in
 * [lo, hi]. */
int sc_parse_int_strict(const char *s, long long lo, long long hi, long long *out);
sc_status sc_args_float(sc_args *a, double lo, double hi, float *out, sc_error *err);
sc_status sc_args_u64(sc_args *a, uint64_t *out, sc_error *err);
#define SC_ARGS_MAX_THREADS 1024
/* --threads N: an integer in [0, SC_ARGS_MAX_THREADS] (0: all cores) that this process can
 * actually start (checked by starting them), so a limit is one clear line, not the OpenMP
 * runtime's abort. */
sc_status sc_args_threads(sc_args *a, int *out, sc_error *err);
/* "on" / "off" */
sc_status sc_args_on_off(sc_args *a, int *out, sc_error *err);
/* The option takes no value: reject "--flag=value". */
sc_status sc_args_flag(sc_args *a, sc_error *err);
sc_status sc_args_unknown(const sc_args *a, const char *command, sc_error *err);
/* A command's exit code: 0, or the error line printed and sc_status_exit_code(st). */
int sc_cli_exit(sc_status st, const sc_error *err);

#endif
