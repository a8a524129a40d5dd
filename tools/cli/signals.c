/* Ctrl-C / SIGTERM: the first one asks the training loop to stop after saving
 * checkpoint-last (it polls sc_stop_requested() once per step); a second one ends the process
 * at once with the default action.
 *
 * A signal handler can only communicate through process-wide state, so this file holds the
 * engine's one global: the sig_atomic_t flag below. Blocking the signals and polling
 * sigpending() instead does not work: OpenBLAS starts its worker threads before main() with
 * the signals unblocked, and the kernel delivers a process signal to any such thread. */
#include <signal.h>
#include <string.h>

#include "commands.h"

static volatile sig_atomic_t stop_signal_count;

static void on_stop_signal(int signo) {
    if (++stop_signal_count > 1) {
        signal(signo, SIG_DFL);
        raise(signo);
    }
}

void sc_signals_install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int sc_stop_requested(void *unused) {
    (void)unused;
    return stop_signal_count > 0;
}
