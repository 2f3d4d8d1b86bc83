/* Clone the container init (or an exec'd process) and drive it to execve.
 *
 * clone3 gives CLONE_INTO_CGROUP and a pidfd in one step; where the kernel refuses it
 * we fall back to a fork-style clone and the parent moves the child into its cgroup. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "internal.h"

static void child_main(const struct skiff_plan *p, int sync) __attribute__((noreturn));

pid_t skiff_spawn(const struct skiff_plan *p, int *sync_fd, int *pidfd_out, int *in_cgroup) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return -errno;
    int pidfd = -1;
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = (unsigned long long)p->clone_flags | CLONE_PIDFD;
    args.pidfd = (unsigned long long)(uintptr_t)&pidfd;
    args.exit_signal = SIGCHLD;
    if (p->cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (unsigned long long)p->cgroup_fd;
    }
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0 && p->cgroup_fd >= 0 && errno != ENOSYS) {
        /* The cgroup may refuse direct placement; the parent writes cgroup.procs instead. */
        args.flags &= ~(unsigned long long)CLONE_INTO_CGROUP;
        args.cgroup = 0;
        pid = syscall(SYS_clone3, &args, sizeof args);
    }
    int via_clone = 0;
    if (pid < 0 && errno == ENOSYS) {
        via_clone = 1;
        args.flags &= ~(unsigned long long)(CLONE_INTO_CGROUP | CLONE_PIDFD);
        pid = syscall(SYS_clone, (unsigned long)p->clone_flags | SIGCHLD, 0, 0, 0, 0);
    }
    if (pid == 0) {
        close(sv[0]);
        child_main(p, sv[1]);
    }
    if (pid < 0) {
        int e = errno;
        close(sv[0]);
        close(sv[1]);
        return -e;
    }
    close(sv[1]);
    if (via_clone)
        pidfd = skiff_pidfd_open((pid_t)pid);
    *sync_fd = sv[0];
    *pidfd_out = pidfd;
    *in_cgroup = (args.flags & CLONE_INTO_CGROUP) != 0;
    return (pid_t)pid;
}

static void join_namespaces(const struct skiff_plan *p, int sync) {
    /* The user namespace first: the others are owned by it. */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < p->njoins; i++) {
            int is_user = p->join_types[i] == CLONE_NEWUSER;
            if (is_user != (pass == 0))
                continue;
            if (setns(p->join_fds[i], p->join_types[i]) < 0)
                sk_fail(sync, SK_STEP_SETNS, errno, i);
            close(p->join_fds[i]);
        }
    }
}

static void child_main(const struct skiff_plan *p, int sync) {
    /* Non-dumpable while we are a copy of the runtime inside the container's
     * namespaces (CVE-2019-5736); execve of the user program resets it. */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (p->lock_fd >= 0)
        close(p->lock_fd);
    /* The cgroup directory was only needed for CLONE_INTO_CGROUP: a host directory fd
     * has no business near the container (CVE-2024-21626). */
    if (p->cgroup_fd >= 0)
        close(p->cgroup_fd);
    umask(0);

    struct skiff_msg m;
    if (skiff_recv(sync, &m) != 1 || m.type != SK_MSG_GO)
        _exit(1);

    int rootfd = -1;
    if (p->pidfd >= 0) {
        /* exec: join everything of the running container at once. */
        if (p->setns_flags && setns(p->pidfd, p->setns_flags) < 0)
            sk_fail(sync, SK_STEP_SETNS, errno, -1);
        close(p->pidfd);
        rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    } else {
        join_namespaces(p, sync);
    }
    if (p->userns) {
        /* Become root of the new namespace; maps are written by now. */
        if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
            sk_fail(sync, SK_STEP_SETUID_ROOT, errno, -1);
    }
    if (p->new_cgroupns && unshare(CLONE_NEWCGROUP) < 0)
        sk_fail(sync, SK_STEP_UNSHARE_CGROUP, errno, -1);

    int slave = -1;
    if (p->setup_rootfs) {
        slave = sk_setup_rootfs(p, sync);
        rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
    if (p->hostname && sethostname(p->hostname, sk_strlen(p->hostname)) < 0)
        sk_fail(sync, SK_STEP_HOSTNAME, errno, -1);
    if (p->domainname && setdomainname(p->domainname, sk_strlen(p->domainname)) < 0)
        sk_fail(sync, SK_STEP_DOMAINNAME, errno, -1);

    if (p->proc.terminal && p->pidfd >= 0) {
        /* exec with a tty: the pty comes from the container's devpts. */
        slave = sk_setup_console(&p->proc, rootfd, -1, sync);
    }
    /* A config without a process still gets its init; `start` refuses to release it. */
    if (p->proc.argv)
        sk_setup_process(&p->proc, sync, p->pidfd < 0, slave);
    if (rootfd >= 0)
        close(rootfd);

    int report = sync;
    if (p->start_listen_fd >= 0) {
        skiff_send(sync, SK_MSG_READY, 0, 0, 0);
        int conn;
        do {
            conn = accept4(p->start_listen_fd, NULL, NULL, SOCK_CLOEXEC);
        } while (conn < 0 && errno == EINTR);
        if (conn < 0)
            _exit(127);
        char go;
        if (read(conn, &go, 1) != 1)
            _exit(127);
        close(p->start_listen_fd);
        close(sync);
        report = conn;
    }
    for (int i = 0; i < p->nstart_container_hooks; i++) {
        int st, to;
        if (skiff_run_hook(&p->start_container_hooks[i], p->start_state_fd, &st, &to) < 0)
            sk_fail(report, to ? SK_STEP_HOOK_TIMEOUT : SK_STEP_HOOK_START_CONTAINER, st, i);
    }
    if (!p->proc.argv)
        _exit(127);
    sk_exec(&p->proc, report);
}
