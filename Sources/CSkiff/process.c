/* The process part of a container: terminal, rlimits, scheduling, user, capabilities,
 * cwd, fds, seccomp and execve.  Shared by the init and by `exec`. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/close_range.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>
#include "internal.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

static char exec_path[PATH_MAX];

static int set_caps(const struct skiff_process *p) {
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    for (int i = 0; i < 2; i++) {
        d[i].effective = (uint32_t)(p->cap_effective >> (32 * i));
        d[i].permitted = (uint32_t)(p->cap_permitted >> (32 * i));
        d[i].inheritable = (uint32_t)(p->cap_inheritable >> (32 * i));
    }
    if (syscall(SYS_capset, &h, d) < 0)
        return -1;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return -1;
    for (int c = 0; c < 64; c++)
        if ((p->cap_ambient >> c) & 1)
            if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
                return -1;
    return 0;
}

static int drop_bounding(uint64_t keep) {
    for (int c = 0; c < 64; c++) {
        if ((keep >> c) & 1)
            continue;
        if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
            if (errno == EINVAL)
                break; /* past the kernel's last capability */
            return -1;
        }
    }
    return 0;
}

static const char *env_get(char *const *envp, const char *key) {
    size_t k = sk_strlen(key);
    for (; envp && *envp; envp++) {
        if (strncmp(*envp, key, k) == 0 && (*envp)[k] == '=')
            return *envp + k + 1;
    }
    return NULL;
}

/* Resolve argv[0] as execvp would, but report ENOENT/EACCES now, at create time. */
static int lookup_exec(const struct skiff_process *p) {
    const char *file = p->argv[0];
    size_t flen = sk_strlen(file);
    if (flen == 0)
        return -ENOENT;
    struct stat st;
    if (strchr(file, '/')) {
        if (flen >= sizeof exec_path)
            return -ENAMETOOLONG;
        memcpy(exec_path, file, flen + 1);
        if (stat(exec_path, &st) < 0)
            return -errno;
        if (!S_ISREG(st.st_mode) || faccessat(AT_FDCWD, exec_path, X_OK, AT_EACCESS) < 0)
            return -EACCES;
        return 0;
    }
    const char *path = env_get(p->envp, "PATH");
    if (!path)
        path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    int saw_eacces = 0;
    while (*path) {
        const char *end = strchr(path, ':');
        size_t dlen = end ? (size_t)(end - path) : sk_strlen(path);
        if (dlen + 1 + flen + 1 <= sizeof exec_path) {
            size_t n = 0;
            if (dlen == 0)
                exec_path[n++] = '.';
            memcpy(exec_path + n, path, dlen);
            n += dlen;
            exec_path[n++] = '/';
            memcpy(exec_path + n, file, flen + 1);
            if (stat(exec_path, &st) == 0) {
                if (S_ISREG(st.st_mode) && faccessat(AT_FDCWD, exec_path, X_OK, AT_EACCESS) == 0)
                    return 0;
                saw_eacces = 1;
            }
        }
        if (!end)
            break;
        path = end + 1;
    }
    return saw_eacces ? -EACCES : -ENOENT;
}

/* Load the filter; with SECCOMP_FILTER_FLAG_NEW_LISTENER pass the notify fd on, over
 * whichever channel reports to a skiff process right now. */
static void load_seccomp(const struct skiff_process *p, int report) {
    struct sock_fprog prog = {(unsigned short)p->seccomp_len, (struct sock_filter *)p->seccomp_bpf};
    int r = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->seccomp_flags, &prog);
    if (r < 0)
        sk_fail(report, SK_STEP_SECCOMP, errno, -1);
    if (p->seccomp_flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) {
        if (sk_send_msg_fd(report, SK_MSG_SECCOMP_FD, r) < 0)
            sk_fail(report, SK_STEP_SECCOMP, errno, 1);
        close(r);
    }
}

int sk_setup_console(const struct skiff_process *p, int rootfd, int devfd, int report) {
    int master = sk_open_in_root(rootfd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY);
    if (master < 0)
        sk_fail(report, SK_STEP_CONSOLE, errno, 0);
    struct stat st;
    if (fstat(master, &st) < 0 || !S_ISCHR(st.st_mode))
        sk_fail(report, SK_STEP_CONSOLE, ENOTTY, 0);
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
        sk_fail(report, SK_STEP_CONSOLE, errno, 1);
    /* The peer by ioctl: no path lookup an attacker could redirect (CVE-2025-52565). */
    int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0)
        sk_fail(report, SK_STEP_CONSOLE, errno, 2);
    if (p->rows || p->cols) {
        struct winsize ws = {p->rows, p->cols, 0, 0};
        ioctl(master, TIOCSWINSZ, &ws);
    }
    if (devfd >= 0) {
        int c = openat(devfd, "console", O_CREAT | O_NOFOLLOW | O_RDONLY | O_CLOEXEC, 0600);
        if (c < 0)
            sk_fail(report, SK_STEP_CONSOLE, errno, 3);
        char sp[32], cp[32];
        if (mount(sk_fdpath(sp, slave), sk_fdpath(cp, c), NULL, MS_BIND, NULL) < 0)
            sk_fail(report, SK_STEP_CONSOLE, errno, 4);
        close(c);
    }
    if (sk_send_fd(p->console_fd, master, "/dev/ptmx") < 0)
        sk_fail(report, SK_STEP_CONSOLE, errno, 5);
    close(master);
    close(p->console_fd);
    return slave;
}

void sk_setup_process(const struct skiff_process *p, int report, int is_init, int slave) {
    if (is_init || slave >= 0) {
        if (setsid() < 0 && is_init)
            sk_fail(report, SK_STEP_CONSOLE, errno, 6);
    }
    if (slave >= 0) {
        if (ioctl(slave, TIOCSCTTY, 0) < 0)
            sk_fail(report, SK_STEP_CONSOLE, errno, 7);
        for (int fd = 0; fd < 3; fd++)
            if (dup2(slave, fd) < 0)
                sk_fail(report, SK_STEP_CONSOLE, errno, 8);
        if (slave > 2)
            close(slave);
    }
    for (int i = 0; i < p->nrlimits; i++) {
        struct rlimit rl = {(rlim_t)p->rlimits[i].soft, (rlim_t)p->rlimits[i].hard};
        if (setrlimit(p->rlimits[i].resource, &rl) < 0)
            sk_fail(report, SK_STEP_RLIMIT, errno, i);
    }
    if (p->personality >= 0 && personality((unsigned long)p->personality) < 0)
        sk_fail(report, SK_STEP_PERSONALITY, errno, -1);
    if (p->sched_set) {
        struct {
            uint32_t size, policy;
            uint64_t flags;
            int32_t nice;
            uint32_t priority;
            uint64_t runtime, deadline, period;
        } attr = {48, p->sched_policy, p->sched_flags, p->sched_nice, p->sched_priority,
                  p->sched_runtime, p->sched_deadline, p->sched_period};
        if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
            sk_fail(report, SK_STEP_SCHEDULER, errno, -1);
    }
    if (p->ioprio >= 0 && syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, p->ioprio) < 0)
        sk_fail(report, SK_STEP_IOPRIO, errno, -1);

    /* cwd as root first (it may be unreadable for the user), again after the switch. */
    int cwd_ok = chdir(p->cwd) == 0;
    int cwd_err = errno;

    if (p->seccomp_bpf && !p->no_new_privs) {
        /* Without NNP only a privileged process may load a filter: load it now. */
        load_seccomp(p, report);
    }
    if (p->set_caps) {
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || drop_bounding(p->cap_bounding) < 0)
            sk_fail(report, SK_STEP_CAPS, errno, -1);
    }
    if (setgroups((size_t)p->ngroups, (const gid_t *)p->groups) < 0 && !(errno == EPERM && p->ngroups == 0))
        sk_fail(report, SK_STEP_GROUPS, errno, -1);
    if (setresgid(p->gid, p->gid, p->gid) < 0)
        sk_fail(report, SK_STEP_SETGID, errno, -1);
    if (setresuid(p->uid, p->uid, p->uid) < 0)
        sk_fail(report, SK_STEP_SETUID, errno, -1);
    if (p->set_caps) {
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0 || set_caps(p) < 0)
            sk_fail(report, SK_STEP_CAPS, errno, -1);
    }
    if (p->umask >= 0)
        umask((mode_t)p->umask);
    else
        umask(022);
    if (!cwd_ok && chdir(p->cwd) < 0)
        sk_fail(report, SK_STEP_CWD, cwd_ok ? errno : cwd_err, -1);
    /* The cwd must be inside the container's root (CVE-2024-21626). */
    char buf[PATH_MAX];
    long n = syscall(SYS_getcwd, buf, sizeof buf);
    if (n < 0 || buf[0] != '/')
        sk_fail(report, SK_STEP_CWD, n < 0 ? errno : ENOENT, -1);
    if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        sk_fail(report, SK_STEP_NNP, errno, -1);
    int r = lookup_exec(p);
    if (r < 0)
        sk_fail(report, SK_STEP_EXEC_LOOKUP, -r, -1);

    /* Nothing but stdio and the preserved fds may survive execve. */
    if (syscall(SYS_close_range, 3 + p->preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
        sk_fail(report, SK_STEP_FDS, errno, -1);
    for (int fd = 3; fd < 3 + p->preserve_fds; fd++) {
        int fl = fcntl(fd, F_GETFD);
        if (fl >= 0)
            fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
    }
    prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
}

void sk_exec(const struct skiff_process *p, int report) {
    if (p->seccomp_bpf && p->no_new_privs) {
        /* As late as possible: only execve runs under the filter from here. */
        load_seccomp(p, report);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (p->trampoline_fd >= 0) {
        /* Through the sealed trampoline, so no exec happens while /proc/self/exe is the
         * skiff binary (CVE-2019-5736).  A filter that refuses execveat (EPERM/ENOSYS)
         * falls back to a direct execve. */
        int argc = 0;
        while (p->argv[argc])
            argc++;
        char *argv2[argc + 3];
        char fdbuf[16];
        argv2[0] = exec_path;
        argv2[1] = (char *)sk_utoa(fdbuf, (unsigned)report);
        for (int i = 0; i <= argc; i++)
            argv2[i + 2] = p->argv[i];
        int fl = fcntl(report, F_GETFD);
        fcntl(report, F_SETFD, fl & ~FD_CLOEXEC);
        syscall(SYS_execveat, p->trampoline_fd, "", argv2, p->envp, AT_EMPTY_PATH);
        int e = errno;
        fcntl(report, F_SETFD, fl);
        if (e != EPERM && e != ENOSYS && e != EACCES)
            sk_fail(report, SK_STEP_EXEC, e, -1);
    }
    execve(exec_path, p->argv, p->envp);
    sk_fail(report, SK_STEP_EXEC, errno, -1);
}
