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

/* The dataset a data command (data-check, data-stats) reads. */
typedef struct sc_cli_dataset {
    char dataset[32];    /* --dataset, default imagefolder */
    char data_dir[1024]; /* --data */
    sc_data_config data; /* the data options above */
} sc_cli_dataset;

/* A command's own option: when a->name is one, parse it, set *matched = 1 and return the
 * status; otherwise *matched = 0 and SC_OK. */
typedef sc_status (*sc_cli_own_option_fn)(sc_args *a, void *ctx, int *matched, sc_error *err);

/* The whole command line of a data command: -h / --help (sets *help and stops), --dataset,
 * --data, the data options, then the command's own through own(ctx); anything else is a usage
 * error naming the command. The data options are validated together at the end. */
sc_status sc_cli_parse_data_command(int argc, char **argv, const char *command, sc_cli_dataset *ds,
                                    sc_cli_own_option_fn own, void *ctx, int *help, sc_error *err);

#endif
