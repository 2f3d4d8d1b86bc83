/* The container's root filesystem, built inside its new mount namespace.
 *
 * Every target is resolved under the rootfs with openat2(RESOLVE_IN_ROOT) and mounted
 * through /proc/self/fd/N of that handle, so a symlink in the rootfs can never send a
 * mount, a mknod or a mkdir to the host. */
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "internal.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

static int mkdir_in_root(int rootfd, const char *path, int last_is_file, int depth);

/* A component that exists but does not resolve is a dangling symlink: follow it inside
 * the root, as a path lookup would, and create what it names there. */
static int follow_dangling(int rootfd, int dirfd, const char *path, size_t start, size_t end, int last_is_file,
                           int depth) {
    char comp[256], link[PATH_MAX], next[PATH_MAX];
    size_t clen = end - start;
    if (depth > 40 || clen >= sizeof comp) {
        errno = ELOOP;
        return -1;
    }
    memcpy(comp, path + start, clen);
    comp[clen] = 0;
    ssize_t n = readlinkat(dirfd, comp, link, sizeof link - 1);
    if (n < 0) {
        errno = ENOENT;
        return -1;
    }
    link[n] = 0;
    size_t rest = sk_strlen(path + end), pos = 0;
    if (link[0] != '/') {
        if (start + 1 > sizeof next)
            goto toolong;
        memcpy(next, path, start);
        pos = start;
    }
    if (pos + (size_t)n + rest + 1 > sizeof next)
        goto toolong;
    memcpy(next + pos, link, (size_t)n);
    pos += (size_t)n;
    memcpy(next + pos, path + end, rest + 1);
    return mkdir_in_root(rootfd, next, last_is_file, depth + 1);
toolong:
    errno = ENAMETOOLONG;
    return -1;
}

static int mkdir_in_root(int rootfd, const char *path, int last_is_file, int depth) {
    size_t len = sk_strlen(path);
    if (len >= PATH_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    char prefix[PATH_MAX];
    int dirfd = sk_open_in_root(rootfd, "/", O_PATH | O_DIRECTORY);
    if (dirfd < 0)
        return -1;
    size_t i = 0;
    while (i < len) {
        while (i < len && path[i] == '/')
            i++;
        if (i >= len)
            break;
        size_t start = i;
        while (i < len && path[i] != '/')
            i++;
        size_t clen = i - start;
        int last = 1;
        for (size_t j = i; j < len; j++)
            if (path[j] != '/') {
                last = 0;
                break;
            }
        memcpy(prefix, path, i);
        prefix[i] = 0;
        int fd = sk_open_in_root(rootfd, prefix, O_PATH);
        if (fd < 0 && errno == ENOENT) {
            /* Create this one component in the directory reached so far: a plain name,
             * so nothing here can be redirected; then resolve it again inside the root. */
            char comp[256];
            if (clen >= sizeof comp) {
                close(dirfd);
                errno = ENAMETOOLONG;
                return -1;
            }
            memcpy(comp, path + start, clen);
            comp[clen] = 0;
            int r;
            if (last && last_is_file) {
                r = openat(dirfd, comp, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0644);
                if (r >= 0)
                    close(r);
            } else {
                r = mkdirat(dirfd, comp, 0755);
            }
            if (r < 0 && errno == EEXIST) {
                int fd2 = follow_dangling(rootfd, dirfd, path, start, i, last_is_file, depth);
                close(dirfd);
                return fd2;
            }
            if (r < 0) {
                close(dirfd);
                return -1;
            }
            fd = sk_open_in_root(rootfd, prefix, O_PATH);
        }
        if (fd < 0) {
            int e = errno;
            close(dirfd);
            errno = e;
            return -1;
        }
        if (!last) {
            struct stat st;
            if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
                close(fd);
                close(dirfd);
                errno = ENOTDIR;
                return -1;
            }
        }
        close(dirfd);
        dirfd = fd;
    }
    return dirfd;
}

int sk_mkdir_in_root(int rootfd, const char *path, int last_is_file) {
    return mkdir_in_root(rootfd, path, last_is_file, 0);
}

/* Flags a bind remount must keep: the kernel refuses to clear locked ones. */
static unsigned long current_mount_flags(int fd) {
    struct statfs sf;
    unsigned long f = 0;
    if (fstatfs(fd, &sf) < 0)
        return 0;
    if (sf.f_flags & ST_NOSUID)
        f |= MS_NOSUID;
    if (sf.f_flags & ST_NODEV)
        f |= MS_NODEV;
    if (sf.f_flags & ST_NOEXEC)
        f |= MS_NOEXEC;
    if (sf.f_flags & ST_RDONLY)
        f |= MS_RDONLY;
    return f;
}

static int bind_remount(const char *target, int fd, unsigned long flags, int keep_locked) {
    unsigned long extra = keep_locked ? (current_mount_flags(fd) & ~MS_RDONLY) : 0;
    return mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | flags | extra, NULL);
}

static void do_mount(const struct skiff_plan *p, int rootfd, int sync, int i) {
    const struct skiff_mount *m = &p->mounts[i];
    char tp[32];
    int fd = sk_mkdir_in_root(rootfd, m->dest, m->is_bind && !m->src_is_dir);
    if (fd < 0)
        sk_fail(sync, SK_STEP_MOUNT_DEST, errno, i);
    if (m->is_bind && m->src_is_dir) {
        struct stat st;
        if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
            sk_fail(sync, SK_STEP_MOUNT_DEST, ENOTDIR, i);
    }
    const char *target = sk_fdpath(tp, fd);
    if (m->tree_fd >= 0) {
        if (syscall(SYS_move_mount, m->tree_fd, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
            sk_fail(sync, SK_STEP_MOUNT, errno, i);
        close(m->tree_fd);
    } else if (m->is_bind) {
        if (mount(m->source, target, NULL, MS_BIND | (m->flags & MS_REC), NULL) < 0)
            sk_fail(sync, SK_STEP_MOUNT, errno, i);
    } else {
        if (mount(m->source, target, m->fstype, m->flags, m->data) < 0)
            sk_fail(sync, SK_STEP_MOUNT, errno, i);
    }
    close(fd);
    if (!m->remount && !m->propagation && !m->recursive_ro)
        return;
    /* Reopen: the first handle still names the directory under the new mount. */
    fd = sk_open_in_root(rootfd, m->dest, O_PATH);
    if (fd < 0)
        sk_fail(sync, SK_STEP_MOUNT_REMOUNT, errno, i);
    target = sk_fdpath(tp, fd);
    if (m->remount && bind_remount(target, fd, m->flags & ~(unsigned long)(MS_BIND | MS_REC), p->userns) < 0)
        sk_fail(sync, SK_STEP_MOUNT_REMOUNT, errno, i);
    if (m->recursive_ro) {
        struct mount_attr attr;
        memset(&attr, 0, sizeof attr);
        attr.attr_set = MOUNT_ATTR_RDONLY;
        if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
            sk_fail(sync, SK_STEP_MOUNT_SETATTR, errno, i);
    }
    if (m->propagation && mount(NULL, target, NULL, m->propagation, NULL) < 0)
        sk_fail(sync, SK_STEP_MOUNT_PROPAGATION, errno, i);
    close(fd);
}

static int mount_in_root(int rootfd, const char *dest, const char *fstype, unsigned long flags, const char *data) {
    int fd = sk_mkdir_in_root(rootfd, dest, 0);
    if (fd < 0)
        return -1;
    char tp[32];
    int r = mount(fstype, sk_fdpath(tp, fd), fstype, flags, data);
    int e = errno;
    close(fd);
    errno = e;
    return r;
}

static const struct {
    const char *name;
    unsigned major, minor;
} default_devices[] = {
    {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

/* A device node: mknod, or inside a user namespace (where mknod is refused) a bind of
 * the host's node onto an empty file. */
static int make_node(int dirfd, const char *name, mode_t mode, dev_t dev, const char *host_path, int userns) {
    unlinkat(dirfd, name, 0);
    if (!userns)
        return mknodat(dirfd, name, mode, dev);
    int f = openat(dirfd, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0600);
    if (f < 0)
        return -1;
    close(f);
    int t = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (t < 0)
        return -1;
    char tp[32];
    int r = mount(host_path, sk_fdpath(tp, t), NULL, MS_BIND, NULL);
    int e = errno;
    close(t);
    errno = e;
    return r;
}

static void setup_dev(const struct skiff_plan *p, int rootfd, int sync) {
    if (p->mount_dev) {
        if (mount_in_root(rootfd, "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k") < 0)
            sk_fail(sync, SK_STEP_DEV, errno, 0);
        if (mount_in_root(rootfd, "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                          p->userns ? "newinstance,ptmxmode=0666,mode=0620"
                                    : "newinstance,ptmxmode=0666,mode=0620,gid=5") < 0)
            sk_fail(sync, SK_STEP_DEV, errno, 1);
        if (mount_in_root(rootfd, "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k") < 0)
            sk_fail(sync, SK_STEP_DEV, errno, 2);
    }
    if (!p->populate_dev)
        return;
    int devfd = sk_mkdir_in_root(rootfd, "/dev", 0);
    if (devfd < 0)
        sk_fail(sync, SK_STEP_DEV, errno, 3);
    char host[32];
    for (size_t i = 0; i < sizeof default_devices / sizeof default_devices[0]; i++) {
        const char *n = default_devices[i].name;
        size_t k = 0;
        const char *pre = "/dev/";
        for (; pre[k]; k++)
            host[k] = pre[k];
        for (size_t j = 0; n[j]; j++)
            host[k++] = n[j];
        host[k] = 0;
        if (make_node(devfd, n, S_IFCHR | 0666, makedev(default_devices[i].major, default_devices[i].minor), host,
                      p->userns) < 0)
            sk_fail(sync, SK_STEP_DEV, errno, 10 + (int)i);
    }
    static const char *const links[][2] = {
        {"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
        {"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"},
    };
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        if (i == 4)
            unlinkat(devfd, links[i][1], 0);
        if (symlinkat(links[i][0], devfd, links[i][1]) < 0 && errno != EEXIST)
            sk_fail(sync, SK_STEP_DEV, errno, 20 + (int)i);
    }
    close(devfd);
}

static void create_devices(const struct skiff_plan *p, int rootfd, int sync) {
    for (int i = 0; i < p->ndevices; i++) {
        const struct skiff_device *d = &p->devices[i];
        char parent[PATH_MAX];
        size_t len = sk_strlen(d->path), cut = len;
        while (cut > 0 && d->path[cut - 1] != '/')
            cut--;
        if (cut == 0 || cut == len || len >= sizeof parent)
            sk_fail(sync, SK_STEP_DEVICE, EINVAL, i);
        memcpy(parent, d->path, cut);
        parent[cut] = 0;
        int dirfd = sk_mkdir_in_root(rootfd, parent, 0);
        if (dirfd < 0)
            sk_fail(sync, SK_STEP_DEVICE, errno, i);
        const char *name = d->path + cut;
        if (make_node(dirfd, name, d->mode, makedev(d->major, d->minor), d->path, p->userns) < 0)
            sk_fail(sync, SK_STEP_DEVICE, errno, i);
        if (!p->userns) {
            if (fchmodat(dirfd, name, d->mode & 07777, 0) < 0 ||
                fchownat(dirfd, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
                sk_fail(sync, SK_STEP_DEVICE, errno, i);
        }
        close(dirfd);
    }
}

static void write_sysctls(const struct skiff_plan *p, int procsys, int sync) {
    for (int i = 0; i < p->nsysctls; i++) {
        struct open_how {
            unsigned long long flags, mode, resolve;
        } how = {O_WRONLY | O_CLOEXEC | O_TRUNC, 0, 0x08 /* RESOLVE_BENEATH */ | 0x04 /* NO_SYMLINKS */ | 0x01 /* NO_XDEV */};
        int fd = (int)syscall(SYS_openat2, procsys, p->sysctls[i].path, &how, sizeof how);
        if (fd < 0)
            sk_fail(sync, SK_STEP_SYSCTL, errno, i);
        size_t n = sk_strlen(p->sysctls[i].value);
        if (write(fd, p->sysctls[i].value, n) != (ssize_t)n)
            sk_fail(sync, SK_STEP_SYSCTL, errno, i);
        close(fd);
    }
}

static void mask_paths(const struct skiff_plan *p, int rootfd, int sync) {
    if (p->nmasked == 0)
        return;
    /* Only a verified /dev/null (char 1:3) is ever bound over a path (CVE-2025-31133). */
    int null = sk_open_in_root(rootfd, "/dev/null", O_PATH);
    struct stat st;
    if (null < 0 || fstat(null, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
        sk_fail(sync, SK_STEP_MASK, null < 0 ? errno : EPERM, -1);
    char np[32], tp[32];
    sk_fdpath(np, null);
    for (int i = 0; i < p->nmasked; i++) {
        int fd = sk_open_in_root(rootfd, p->masked[i], O_PATH);
        if (fd < 0) {
            if (errno == ENOENT)
                continue;
            sk_fail(sync, SK_STEP_MASK, errno, i);
        }
        if (fstat(fd, &st) < 0)
            sk_fail(sync, SK_STEP_MASK, errno, i);
        int r = S_ISDIR(st.st_mode) ? mount("tmpfs", sk_fdpath(tp, fd), "tmpfs", MS_RDONLY, "size=0")
                                    : mount(np, sk_fdpath(tp, fd), NULL, MS_BIND, NULL);
        if (r < 0)
            sk_fail(sync, SK_STEP_MASK, errno, i);
        close(fd);
    }
    close(null);
}

static void readonly_paths(const struct skiff_plan *p, int rootfd, int sync) {
    char tp[32];
    for (int i = 0; i < p->nreadonly; i++) {
        int fd = sk_open_in_root(rootfd, p->readonly_paths[i], O_PATH);
        if (fd < 0) {
            if (errno == ENOENT)
                continue;
            sk_fail(sync, SK_STEP_READONLY_PATH, errno, i);
        }
        if (mount(sk_fdpath(tp, fd), sk_fdpath(tp, fd), NULL, MS_BIND | MS_REC, NULL) < 0)
            sk_fail(sync, SK_STEP_READONLY_PATH, errno, i);
        close(fd);
        fd = sk_open_in_root(rootfd, p->readonly_paths[i], O_PATH);
        if (fd < 0 || bind_remount(sk_fdpath(tp, fd), fd, MS_RDONLY | MS_REC, 1) < 0)
            sk_fail(sync, SK_STEP_READONLY_PATH, errno, i);
        close(fd);
    }
}

int sk_setup_rootfs(const struct skiff_plan *p, int sync) {
    /* Keep host mount events from reaching us (and ours from reaching the host). */
    unsigned long prop = MS_REC | MS_SLAVE;
    if (p->rootfs_propagation & (MS_PRIVATE | MS_SLAVE))
        prop = p->rootfs_propagation;
    else if (p->rootfs_propagation & MS_UNBINDABLE)
        prop = MS_REC | MS_PRIVATE;
    if (mount(NULL, "/", NULL, prop, NULL) < 0)
        sk_fail(sync, SK_STEP_PROPAGATION, errno, -1);
    /* The trusted procfs handle for sysctl writes, taken before any container mount. */
    int procsys = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (procsys < 0 && p->nsysctls)
        sk_fail(sync, SK_STEP_SYSCTL, errno, -1);

    if (mount(p->rootfs, p->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        sk_fail(sync, SK_STEP_ROOTFS_BIND, errno, -1);
    if (mount(NULL, p->rootfs, NULL, MS_PRIVATE, NULL) < 0)
        sk_fail(sync, SK_STEP_ROOTFS_BIND, errno, -1);
    int rootfd = open(p->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        sk_fail(sync, SK_STEP_ROOTFS_OPEN, errno, -1);

    for (int i = 0; i < p->nmounts; i++)
        do_mount(p, rootfd, sync, i);
    setup_dev(p, rootfd, sync);
    create_devices(p, rootfd, sync);

    int slave = -1;
    if (p->proc.terminal) {
        int devfd = sk_open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY);
        if (devfd < 0)
            sk_fail(sync, SK_STEP_CONSOLE, errno, -1);
        slave = sk_setup_console(&p->proc, rootfd, devfd, sync);
        close(devfd);
    }
    if (procsys >= 0) {
        write_sysctls(p, procsys, sync);
        close(procsys);
    }

    if (p->runtime_hooks) {
        struct skiff_msg m;
        skiff_send(sync, SK_MSG_RUNTIME_HOOKS, 0, 0, 0);
        if (skiff_recv(sync, &m) != 1 || m.type != SK_MSG_HOOKS_DONE)
            _exit(1);
    }
    for (int i = 0; i < p->ncreate_container_hooks; i++) {
        int st, to;
        if (skiff_run_hook(&p->create_container_hooks[i], p->create_state_fd, &st, &to) < 0)
            sk_fail(sync, to ? SK_STEP_HOOK_TIMEOUT : SK_STEP_HOOK_CREATE_CONTAINER, st, i);
    }

    mask_paths(p, rootfd, sync);
    readonly_paths(p, rootfd, sync);

    if (fchdir(rootfd) < 0)
        sk_fail(sync, SK_STEP_PIVOT, errno, -1);
    if (p->no_pivot) {
        if (mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0)
            sk_fail(sync, SK_STEP_PIVOT, errno, -1);
    } else {
        if (syscall(SYS_pivot_root, ".", ".") < 0)
            sk_fail(sync, SK_STEP_PIVOT, errno, -1);
        /* The old root is stacked under "."; detach it without telling the host. */
        if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0 || umount2(".", MNT_DETACH) < 0)
            sk_fail(sync, SK_STEP_PIVOT, errno, -1);
    }
    if (chdir("/") < 0)
        sk_fail(sync, SK_STEP_PIVOT, errno, -1);
    close(rootfd);
    if (p->readonly_root) {
        int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || bind_remount("/", fd, MS_RDONLY, 1) < 0)
            sk_fail(sync, SK_STEP_READONLY_ROOT, errno, -1);
        close(fd);
    }
    if (p->rootfs_propagation && mount(NULL, "/", NULL, p->rootfs_propagation, NULL) < 0)
        sk_fail(sync, SK_STEP_ROOT_PROPAGATION, errno, -1);
    return slave;
}
