/* Syscall wrappers Swift's Glibc module does not expose (setns, unshare, pidfd_*,
 * openat2, memfd_create, flock), plus the start socket. */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>
#include "internal.h"

int skiff_pidfd_open(pid_t pid) {
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    return fd < 0 ? -errno : fd;
}

int skiff_pidfd_send_signal(int pidfd, int sig) {
    return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

int skiff_setns(int fd, int nstype) { return setns(fd, nstype) < 0 ? -errno : 0; }
int skiff_unshare(int flags) { return unshare(flags) < 0 ? -errno : 0; }

int skiff_memfd(const char *name) {
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    return fd < 0 ? -errno : fd;
}


int skiff_flock(int fd, int exclusive) {
    int r;
    do {
        r = flock(fd, exclusive ? LOCK_EX : LOCK_SH);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : 0;
}

/* 1 when the process behind pidfd has exited, 0 on timeout, -errno on error. */
int skiff_wait_pidfd(int pidfd, int timeout_ms) {
    struct pollfd p = {pidfd, POLLIN, 0};
    int r;
    do {
        r = poll(&p, 1, timeout_ms);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : r;
}

int sk_open_in_root(int rootfd, const char *path, int flags) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (unsigned long long)(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    int fd;
    do {
        fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
    } while (fd < 0 && errno == EAGAIN);
    return fd;
}

static int fill_sockaddr(struct sockaddr_un *sa, const char *path) {
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    size_t n = strlen(path);
    if (n >= sizeof sa->sun_path)
        return -ENAMETOOLONG;
    memcpy(sa->sun_path, path, n);
    return 0;
}

static const char *dir_entry_path(char *buf, size_t len, int dir_fd, const char *name) {
    char fdp[32];
    sk_fdpath(fdp, dir_fd);
    size_t a = strlen(fdp), b = strlen(name);
    if (a + 1 + b + 1 > len)
        return NULL;
    memcpy(buf, fdp, a);
    buf[a] = '/';
    memcpy(buf + a + 1, name, b + 1);
    return buf;
}

/* A CLOEXEC stream socket bound (listen) or connected to path; -errno on failure. */
static int unix_socket(const char *path, int do_listen) {
    struct sockaddr_un sa;
    int r = fill_sockaddr(&sa, path);
    if (r < 0)
        return r;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (do_listen) {
        r = bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 4) < 0 ? -1 : 0;
    } else {
        do {
            r = connect(fd, (struct sockaddr *)&sa, sizeof sa);
        } while (r < 0 && errno == EINTR);
    }
    if (r < 0) {
        r = -errno;
        close(fd);
        return r;
    }
    return fd;
}

int skiff_listen_path(const char *path) { return unix_socket(path, 1); }

int skiff_listen(int dir_fd, const char *name) {
    char path[128];
    if (!dir_entry_path(path, sizeof path, dir_fd, name))
        return -ENAMETOOLONG;
    return skiff_listen_path(path);
}

int skiff_connect(const char *path) { return unix_socket(path, 0); }

int skiff_start_connect(int state_dir_fd, const char *name) {
    char path[128];
    if (!dir_entry_path(path, sizeof path, state_dir_fd, name))
        return -ENAMETOOLONG;
    int fd = skiff_connect(path);
    if (fd < 0)
        return fd;
    char go = 1;
    if (send(fd, &go, 1, MSG_NOSIGNAL) != 1) {
        int e = -errno;
        close(fd);
        return e;
    }
    return fd;
}

#include <sys/vfs.h>

int skiff_open_path(const char *path) {
    int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

long skiff_fs_type(const char *path) {
    struct statfs sf;
    return statfs(path, &sf) < 0 ? -errno : (long)sf.f_type;
}

int skiff_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC) < 0 ? -errno : 0; }

#include <linux/mount.h>

pid_t skiff_userns_helper(void) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -errno;
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(p[0]);
        close(p[1]);
        return -e;
    }
    if (pid == 0) {
        char ok = unshare(CLONE_NEWUSER) == 0 ? 1 : 0;
        if (write(p[1], &ok, 1) != 1)
            _exit(1);
        for (;;)
            pause(); /* killed by the parent once it holds the namespace */
    }
    close(p[1]);
    char ok = 0;
    ssize_t n;
    do {
        n = read(p[0], &ok, 1);
    } while (n < 0 && errno == EINTR);
    close(p[0]);
    if (n != 1 || !ok) {
        kill(pid, SIGKILL);
        return -EPERM;
    }
    return pid;
}

int skiff_idmap_tree(const char *source, int recursive, int userns_fd) {
    int tree = (int)syscall(SYS_open_tree, AT_FDCWD, source,
                            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
    if (tree < 0)
        return -errno;
    struct mount_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.attr_set = MOUNT_ATTR_IDMAP;
    attr.userns_fd = (unsigned long long)userns_fd;
    if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0) {
        int e = -errno;
        close(tree);
        return e;
    }
    return tree;
}

#include <sys/eventfd.h>

/* cgroup v1 OOM notification: an eventfd registered on memory.oom_control through
 * cgroup.event_control; it becomes readable at every OOM in the cgroup. */
int skiff_v1_oom_eventfd(const char *memory_dir) {
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/memory.oom_control", memory_dir) >= sizeof path)
        return -ENAMETOOLONG;
    int ofd = open(path, O_RDONLY | O_CLOEXEC);
    if (ofd < 0)
        return -errno;
    int efd = eventfd(0, EFD_CLOEXEC);
    if (efd < 0) {
        int e = -errno;
        close(ofd);
        return e;
    }
    snprintf(path, sizeof path, "%s/cgroup.event_control", memory_dir);
    int cfd = open(path, O_WRONLY | O_CLOEXEC);
    char line[64];
    int n = snprintf(line, sizeof line, "%d %d", efd, ofd);
    int ok = cfd >= 0 && write(cfd, line, (size_t)n) == n;
    int e = errno;
    if (cfd >= 0)
        close(cfd);
    close(ofd); /* the registration holds its own reference */
    if (!ok) {
        close(efd);
        return -e;
    }
    return efd;
}
