/* The scaat subcommands; each returns the process exit code (0 ok, 2 usage/input error,
 * 1 runtime failure) after printing at most one error line. */
#ifndef SC_CLI_COMMANDS_H
#define SC_CLI_COMMANDS_H

int sc_cmd_train(int argc, char **argv);
int sc_cmd_eval(int argc, char **argv);
int sc_cmd_info(int argc, char **argv);
int sc_cmd_bench(int argc, char **argv);
int sc_cmd_explain(int argc, char **argv);
int sc_cmd_evaluate(int argc, char **argv);
int sc_cmd_data_check(int argc, char **argv);
int sc_cmd_data_stats(int argc, char **argv);

/* Catch SIGINT and SIGTERM: the training loop polls sc_stop_requested() once per step and
 * stops after a checkpoint; a second signal ends the process at once. */
void sc_signals_install(void);
int sc_stop_requested(void *unused);

#endif
