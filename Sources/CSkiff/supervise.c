/* `run` (and `exec` without --detach): the parent waits for its child, forwards the
 * signals a shell user sends, and when it is its own console relays the pty. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include "internal.h"

static int copy_some(int from, int to) {
    char buf[8192];
    ssize_t n = read(from, buf, sizeof buf);
    if (n <= 0)
        return n == 0 || (errno != EINTR && errno != EAGAIN) ? -1 : 0;
    for (ssize_t off = 0; off < n;) {
        ssize_t w = write(to, buf + off, (size_t)(n - off));
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                struct pollfd pf = {to, POLLOUT, 0};
                poll(&pf, 1, 100);
                continue;
            }
            return -1;
        }
        off += w;
    }
    return 1;
}

static void copy_winsize(int master) {
    struct winsize ws;
    if (ioctl(0, TIOCGWINSZ, &ws) == 0)
        ioctl(master, TIOCSWINSZ, &ws);
}

int skiff_supervise(pid_t pid, int master) {
    static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
    sigset_t set, old;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
        sigaddset(&set, forwarded[i]);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, &old);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC);
    if (sfd < 0)
        return -errno;

    struct termios saved;
    int raw = 0;
    int in_open = 0;
    if (master >= 0) {
        fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
        in_open = 1;
        if (isatty(0) && tcgetattr(0, &saved) == 0) {
            struct termios t = saved;
            cfmakeraw(&t);
            t.c_oflag |= OPOST | ONLCR; /* keep output readable on the host terminal */
            tcsetattr(0, TCSANOW, &t);
            raw = 1;
            copy_winsize(master);
        }
    }
    int status = 0;
    int done = 0;
    while (!done) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) {
            status = st;
            break;
        }
        if (r < 0 && errno != EINTR) {
            status = -errno;
            break;
        }
        struct pollfd pf[3] = {{sfd, POLLIN, 0}, {master, POLLIN, 0}, {in_open ? 0 : -1, POLLIN, 0}};
        int n = poll(pf, 3, -1);
        if (n < 0 && errno != EINTR)
            break;
        if (pf[0].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si && si.ssi_signo != SIGCHLD) {
                if (si.ssi_signo == SIGWINCH && master >= 0)
                    copy_winsize(master);
                else
                    kill(pid, (int)si.ssi_signo);
            }
        }
        if (master >= 0 && (pf[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            if (copy_some(master, 1) < 0 && !(pf[1].revents & POLLIN))
                master = -1;
        }
        if (in_open && (pf[2].revents & (POLLIN | POLLHUP | POLLERR))) {
            if (master < 0 || copy_some(0, master) < 0)
                in_open = 0;
        }
    }
    if (master >= 0) {
        /* Drain what the container wrote before it went. */
        while (copy_some(master, 1) > 0) {
        }
    }
    if (raw)
        tcsetattr(0, TCSANOW, &saved);
    close(sfd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return status;
}
