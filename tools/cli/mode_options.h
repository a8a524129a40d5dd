/* The training-mode options shared by `scaat train` and `scaat bench` (--mode, --lambda, --k,
 * --mask, ...): parsing into an sc_mode_config and their --help text. */
#ifndef SC_CLI_MODE_OPTIONS_H
#define SC_CLI_MODE_OPTIONS_H

#include "args.h"
#include "host/train/mode_config.h"

/* 1 when the current option is a mode option (its value parsed into m, *st set), else 0. */
int sc_cli_mode_option(sc_args *a, sc_mode_config *m, sc_status *st, sc_error *err);
/* The help lines of the mode options. */
void sc_cli_mode_help(void);

#endif
