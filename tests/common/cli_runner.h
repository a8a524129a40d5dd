/* Running the built scaat command line from a test: the exit code with stdout and stderr
 * captured, and the small file helpers the command-line tests check its output with.
 * Check-free (the Check-free GPU tests link tests/common too); tests/common/check_cli.h turns
 * these into assertions for the Check tests. */
#ifndef SC_TEST_CLI_RUNNER_H
#define SC_TEST_CLI_RUNNER_H

#include <stddef.h>

#define SC_CLI_MAX_ARGS 64 /* arguments after the program name */

typedef struct sc_cli_result {
    int exit_code;   /* -1 until scaat ran and exited */
    char err[4096];  /* stderr */
    char out[16384]; /* stdout (whole --help texts) */
    char why[256];   /* when sc_cli_run failed: what went wrong */
} sc_cli_result;

/* Runs SCAAT_BINARY_DIR/scaat with args (NULL-terminated), stdout and stderr going through
 * scratch/stdout.txt and scratch/stderr.txt. Returns 0 when it ran and exited (whatever its exit
 * code), or -1 with the reason in r->why (it could not be started, or it died of a signal). */
int sc_cli_run(const char *scratch, const char *const *args, sc_cli_result *r);

/* The file's first len - 1 bytes into buf, NUL-terminated (an empty string when it cannot be
 * read). */
void sc_test_read_file(const char *path, char *buf, size_t len);
/* Number of '\n' in s. */
int sc_test_count_lines(const char *s);
/* 1 when path exists (a file or a directory), else 0. */
int sc_test_file_exists(const char *path);
/* Size in bytes, or -1 when path does not exist. */
long sc_test_file_size(const char *path);

#endif
