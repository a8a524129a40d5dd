/* The --out directory of eval, explain and evaluate: created and locked with the lock of a
 * training run's directory (host/train/run_lock.h) for as long as the command writes into it,
 * so two commands, or a command and a training run, never write one directory at once. Taken
 * once the inputs have been checked, so bad input leaves no directory behind. */
#ifndef SC_CLI_OUT_DIR_H
#define SC_CLI_OUT_DIR_H

#include "host/train/run_lock.h"

/* mkdir -p dir, then the lock; a directory in use is SC_ERR_USAGE naming its holder. */
sc_status sc_cli_out_dir_lock(const char *dir, sc_run_lock *lock, sc_error *err);

#endif
