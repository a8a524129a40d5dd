/* The data options shared by train, eval and data-check / data-stats: --image-size,
 * --resize, --channels, --workers, --on-bad-image, --norm-mean, --norm-std, --pcam-eval,
 * --max-pixels, parsed into an sc_data_config (datasets/registry.h). */
#ifndef SC_CLI_DATA_OPTIONS_H
#define SC_CLI_DATA_OPTIONS_H

#include "args.h"
#include "datasets/registry.h"

/* When a->name is a data option: parse its value into data, set *matched = 1 and return the
 * status; otherwise *matched = 0 and SC_OK. */
sc_status sc_cli_data_option(sc_args *a, sc_data_config *data, int *matched, sc_error *err);

/* Checks across options once all are parsed (--norm-mean and --norm-std together, same count). */
sc_status sc_cli_data_validate(const sc_data_config *data, sc_error *err);

/* The --help lines of these options. */
const char *sc_cli_data_help(void);

#endif
