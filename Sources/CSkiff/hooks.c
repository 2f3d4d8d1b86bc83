/* Hooks: fork, state JSON on stdin, execve, wait with a timeout.  Used by the parent
 * (prestart, createRuntime, poststart, poststop) and by the child (createContainer,
 * startContainer), so it allocates nothing. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"

int skiff_run_hook(const struct skiff_hook *hook, int state_fd, int *status, int *timed_out) {
    *timed_out = 0;
    *status = 0;
    pid_t pid = fork();
    if (pid < 0) {
        *status = -errno;
        return -1;
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        int in = -1;
        if (state_fd >= 0) {
            /* A fresh open of the memfd gets its own offset. */
            char p[32];
            in = open(sk_fdpath(p, state_fd), O_RDONLY);
        }
        if (in < 0)
            in = open("/dev/null", O_RDONLY);
        if (in >= 0 && in != 0) {
            dup2(in, 0);
            close(in);
        }
        execve(hook->path, hook->argv, hook->envp);
        _exit(127);
    }
    long waited_ms = 0;
    for (;;) {
        int st;
        pid_t r = waitpid(pid, &st, hook->timeout > 0 ? WNOHANG : 0);
        if (r == pid) {
            if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
                return 0;
            *status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            return -1;
        }
        if (r < 0 && errno != EINTR) {
            *status = -errno;
            return -1;
        }
        if (r == 0) {
            if (waited_ms >= (long)hook->timeout * 1000) {
                kill(pid, SIGKILL);
                waitpid(pid, &st, 0);
                *timed_out = 1;
                *status = 128 + SIGKILL;
                return -1;
            }
            struct timespec ts = {0, 5 * 1000 * 1000};
            nanosleep(&ts, NULL);
            waited_ms += 5;
        }
    }
}
