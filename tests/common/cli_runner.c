/* Running the built scaat command line from a test (see cli_runner.h). */
#include "cli_runner.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

extern char **environ;

int sc_cli_run(const char *scratch, const char *const *args, sc_cli_result *r) {
    char exe[1024], out_path[512], err_path[512];
    snprintf(exe, sizeof exe, "%s/scaat", SCAAT_BINARY_DIR);
    snprintf(out_path, sizeof out_path, "%s/stdout.txt", scratch);
    snprintf(err_path, sizeof err_path, "%s/stderr.txt", scratch);
    memset(r, 0, sizeof *r);
    r->exit_code = -1;
    char *argv[SC_CLI_MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = exe;
    for (int i = 0; args[i] && argc <= SC_CLI_MAX_ARGS; i++)
        argv[argc++] = (char *)args[i];
    argv[argc] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int spawned = posix_spawn(&pid, exe, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (spawned != 0) {
        snprintf(r->why, sizeof r->why, "cannot start %s: %s", exe, strerror(spawned));
        return -1;
    }
    int status;
    if (waitpid(pid, &status, 0) != pid) {
        snprintf(r->why, sizeof r->why, "waitpid for %s failed", exe);
        return -1;
    }
    if (!WIFEXITED(status)) {
        snprintf(r->why, sizeof r->why, "scaat crashed (signal %d)", WTERMSIG(status));
        return -1;
    }
    r->exit_code = WEXITSTATUS(status);
    sc_test_read_file(out_path, r->out, sizeof r->out);
    sc_test_read_file(err_path, r->err, sizeof r->err);
    return 0;
}

void sc_test_read_file(const char *path, char *buf, size_t len) {
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, len - 1, f) : 0;
    buf[n] = '\0';
    if (f)
        fclose(f);
}

int sc_test_count_lines(const char *s) {
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

int sc_test_file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

long sc_test_file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}
