/* The scaat subcommands; each returns the process exit code (0 ok, 2 usage/input error,
 * 1 runtime failure) after printing at most one error line. */
#ifndef SC_CLI_COMMANDS_H
#define SC_CLI_COMMANDS_H

int sc_cmd_train(int argc, char **argv);
int sc_cmd_eval(int argc, char **argv);
int sc_cmd_info(int argc, char **argv);
int sc_cmd_bench(int argc, char **argv);

/* Block SIGINT and SIGTERM for the whole process (call before any thread starts); the
 * training loop then polls for them with sc_stop_requested(). */
void sc_signals_block(void);
int sc_stop_requested(void *unused);

#endif
