/* The C half of skiff: everything between clone and execve.
 *
 * Swift resolves a config into a `skiff_plan` made only of plain values, C strings and
 * fds opened by the parent.  The child created by skiff_spawn() runs nothing but this
 * C code: async-signal-safe calls, no malloc, no Swift runtime.  Every failure in the
 * child is reported to the parent as a skiff_msg {step, errno, index} and printed by
 * Swift as a sentence.
 */
#ifndef SKIFF_H
#define SKIFF_H

#include <stdint.h>
#include <sys/types.h>

/* Steps a child can fail at; Swift maps each to words (Sources/SkiffRuntime/ChildError.swift). */
enum skiff_step {
    SK_STEP_NONE = 0,
    SK_STEP_SYNC,
    SK_STEP_SETNS,
    SK_STEP_UNSHARE_CGROUP,
    SK_STEP_SETUID_ROOT,
    SK_STEP_PROPAGATION,
    SK_STEP_ROOTFS_BIND,
    SK_STEP_ROOTFS_OPEN,
    SK_STEP_MOUNT_DEST,      /* index = mount */
    SK_STEP_MOUNT,           /* index = mount */
    SK_STEP_MOUNT_REMOUNT,   /* index = mount */
    SK_STEP_MOUNT_PROPAGATION, /* index = mount */
    SK_STEP_MOUNT_SETATTR,   /* index = mount */
    SK_STEP_DEV,
    SK_STEP_DEVICE,          /* index = device */
    SK_STEP_CONSOLE,
    SK_STEP_SYSCTL,          /* index = sysctl */
    SK_STEP_MASK,            /* index = masked path */
    SK_STEP_READONLY_PATH,   /* index = readonly path */
    SK_STEP_HOOK_CREATE_CONTAINER, /* index = hook, errno = exit status or errno */
    SK_STEP_HOOK_START_CONTAINER,
    SK_STEP_PIVOT,
    SK_STEP_READONLY_ROOT,
    SK_STEP_ROOT_PROPAGATION,
    SK_STEP_HOSTNAME,
    SK_STEP_DOMAINNAME,
    SK_STEP_RLIMIT,          /* index = rlimit */
    SK_STEP_PERSONALITY,
    SK_STEP_SCHEDULER,
    SK_STEP_IOPRIO,
    SK_STEP_CWD,
    SK_STEP_GROUPS,
    SK_STEP_SETGID,
    SK_STEP_SETUID,
    SK_STEP_CAPS,
    SK_STEP_NNP,
    SK_STEP_FDS,
    SK_STEP_EXEC_LOOKUP,
    SK_STEP_START_WAIT,
    SK_STEP_SECCOMP,
    SK_STEP_EXEC,
    SK_STEP_HOOK_TIMEOUT,    /* a hook ran over its timeout */
};

/* Messages on the parent/child socketpair. */
enum skiff_msg_type {
    SK_MSG_GO = 1,        /* parent → child: maps and cgroup are in place */
    SK_MSG_RUNTIME_HOOKS, /* child → parent: environment exists, run prestart/createRuntime */
    SK_MSG_HOOKS_DONE,    /* parent → child */
    SK_MSG_READY,         /* child → parent: set up, waiting for start (or about to exec) */
    SK_MSG_ERROR,         /* child → parent */
    SK_MSG_SECCOMP_FD,    /* child → parent/start: the seccomp notify fd rides along */
};

struct skiff_msg {
    int32_t type;
    int32_t step;
    int32_t err;
    int32_t index;
};

struct skiff_mount {
    const char *source;      /* absolute host path for binds; fs source otherwise */
    const char *dest;        /* absolute path inside the container */
    const char *fstype;      /* NULL for binds */
    const char *data;        /* filesystem options, or NULL */
    unsigned long flags;     /* MS_* for the mount call */
    unsigned long propagation; /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE (| MS_REC), or 0 */
    int is_bind;
    int src_is_dir;          /* binds: create a directory (1) or a file (0) at dest */
    int remount;             /* binds: flags need a second MS_REMOUNT call */
    int recursive_ro;        /* rro: mount_setattr(MOUNT_ATTR_RDONLY, AT_RECURSIVE) */
    int tree_fd;             /* idmap: a detached, already idmapped mount made by the parent, or -1 */
};

struct skiff_device {
    const char *path;        /* absolute path inside the container */
    uint32_t mode;           /* S_IFCHR/S_IFBLK/S_IFIFO | permission bits */
    uint32_t major, minor;
    uint32_t uid, gid;
};

struct skiff_sysctl {
    const char *path;        /* relative to /proc/sys, dots turned into slashes */
    const char *value;
};

struct skiff_hook {
    const char *path;
    char *const *argv;
    char *const *envp;
    int timeout;             /* seconds; 0 = none */
};

struct skiff_rlimit {
    int resource;
    uint64_t soft, hard;
};

/* What every container process (init or exec) needs between namespace entry and execve. */
struct skiff_process {
    char *const *argv;
    char *const *envp;
    const char *cwd;
    uint32_t uid, gid;
    const uint32_t *groups;
    int ngroups;
    int umask;               /* -1: leave alone */
    const struct skiff_rlimit *rlimits;
    int nrlimits;
    int no_new_privs;
    int set_caps;
    uint64_t cap_bounding, cap_effective, cap_inheritable, cap_permitted, cap_ambient;
    long personality;        /* -1: leave alone */
    int sched_set;           /* sched_setattr with the fields below */
    uint32_t sched_policy;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_flags, sched_runtime, sched_deadline, sched_period;
    int ioprio;              /* -1: leave alone; else IOPRIO_PRIO_VALUE(class, level) */
    int terminal;
    int console_fd;          /* connected console socket, or -1 */
    unsigned short rows, cols;
    int preserve_fds;        /* fds 3 .. 3+preserve_fds-1 stay open */
    int trampoline_fd;       /* sealed memfd of the exec trampoline (trampoline.S), or -1 */
    const void *seccomp_bpf; /* struct sock_filter[], or NULL */
    int seccomp_len;
    unsigned int seccomp_flags;
};

struct skiff_plan {
    int clone_flags;          /* CLONE_NEW* created by clone (not CGROUP/TIME) */
    int new_cgroupns;         /* unshare(CLONE_NEWCGROUP) after joining the cgroup */
    const int *join_fds;      /* namespaces joined by path: fds opened by the parent */
    const int *join_types;
    int njoins;
    int userns;               /* the child waits for its id maps */
    int cgroup_fd;            /* for CLONE_INTO_CGROUP, or -1 */
    int lock_fd;              /* closed first thing in the child */

    /* rootfs (init only) */
    int setup_rootfs;
    const char *rootfs;
    int readonly_root;
    unsigned long rootfs_propagation; /* applied to / after pivot; 0 = leave */
    int no_pivot;
    const struct skiff_mount *mounts;
    int nmounts;
    int mount_dev;            /* the config does not mount /dev: mount a tmpfs */
    int populate_dev;         /* create the default nodes and links in /dev */
    const struct skiff_device *devices;
    int ndevices;
    const char *const *masked;
    int nmasked;
    const char *const *readonly_paths;
    int nreadonly;
    const struct skiff_sysctl *sysctls;
    int nsysctls;
    const char *hostname;
    const char *domainname;

    /* hooks run by the child */
    const struct skiff_hook *create_container_hooks;
    int ncreate_container_hooks;
    const struct skiff_hook *start_container_hooks;
    int nstart_container_hooks;
    int create_state_fd;      /* memfd holding the state JSON for hook stdin */
    int start_state_fd;
    int runtime_hooks;        /* pause for the parent's prestart/createRuntime hooks */

    int start_listen_fd;      /* init: listening socket that `start` connects to; -1 = exec now */
    int pidfd;                /* exec: pidfd of the container init, or -1 */
    int setns_flags;          /* exec: namespaces to join through pidfd */

    struct skiff_process proc;
};

/* Clone the child.  Returns its pid (> 0) and the parent's end of the sync socket in
 * *sync_fd, or -errno. */
pid_t skiff_spawn(const struct skiff_plan *plan, int *sync_fd, int *pidfd, int *in_cgroup);

/* Blocking send/receive on the sync socket.  recv returns 0 on EOF, 1 on a message.
 * skiff_recv_msg also takes an fd passed with the message (else *passed_fd = -1). */
int skiff_send(int fd, int type, int step, int err, int index);
int skiff_recv(int fd, struct skiff_msg *msg);
int skiff_recv_msg(int fd, struct skiff_msg *msg, int *passed_fd);
/* Send fd over a unix socket with payload bytes (console socket, seccomp listener). */
int skiff_send_fd(int sock, int fd, const void *payload, size_t len);

/* Run one hook: fork, stdin from state_fd (rewound), execve, wait with timeout.
 * Returns 0 on success, else sets *step_err (exit status, or -errno) and returns -1;
 * *timed_out is set when the timeout killed it.  Safe in the cloned child. */
int skiff_run_hook(const struct skiff_hook *hook, int state_fd, int *status, int *timed_out);

/* `start`: connect to the init's socket under the directory fd and release it.  Returns
 * the connection (read it with skiff_recv_msg until EOF, which means execve ran) or -errno. */
int skiff_start_connect(int state_dir_fd, const char *name);

/* Make a listening socket at dir_fd/name (through /proc/self/fd, so long dirs work). */
int skiff_listen(int dir_fd, const char *name);
/* Connect to a unix socket path; -errno on failure. */
int skiff_connect(const char *path);

/* Thin syscall wrappers that Swift's Glibc module does not expose. */
int skiff_pidfd_open(pid_t pid);
int skiff_pidfd_send_signal(int pidfd, int sig);
int skiff_setns(int fd, int nstype);
int skiff_unshare(int flags);
int skiff_memfd(const char *name);
int skiff_wait_pidfd(int pidfd, int timeout_ms);
int skiff_flock(int fd, int exclusive);
/* O_PATH|O_DIRECTORY|O_CLOEXEC open (cgroup dirs for CLONE_INTO_CGROUP); -errno. */
int skiff_open_path(const char *path);
/* statfs f_type, or -errno. */
long skiff_fs_type(const char *path);
int skiff_pipe(int fds[2]);
/* cgroup v1: an eventfd that fires on OOM in the memory cgroup at dir; -errno. */
int skiff_v1_oom_eventfd(const char *memory_dir);

/* A device rule for the cgroup v2 device filter (devices.c). */
struct skiff_device_rule {
    int allow;
    int type;                /* 0 all, 1 block, 2 char */
    int access;              /* mknod 1 | read 2 | write 4 */
    long long major, minor;  /* -1 = any */
};

/* Compile rules into a BPF_PROG_TYPE_CGROUP_DEVICE program and attach it; 0 or -errno. */
int skiff_device_filter(int cgroup_fd, const struct skiff_device_rule *rules, int n);
/* The same, replacing whatever device programs the cgroup had (update). */
int skiff_device_filter_replace(int cgroup_fd, const struct skiff_device_rule *rules, int n);

/* The exec trampoline in a sealed memfd (trampoline.c); -errno on failure. */
int skiff_trampoline(void);

/* seccomp, compiled in the parent (seccomp.c). */
struct skiff_seccomp_arg {
    uint32_t index;
    uint32_t op;             /* enum scmp_compare */
    uint64_t value, value_two;
};

struct skiff_seccomp_rule {
    const char *name;
    uint32_t action;         /* SCMP_ACT_* value */
    const struct skiff_seccomp_arg *args;
    int nargs;
};

struct skiff_seccomp {
    uint32_t default_action;
    const uint32_t *arches;  /* SCMP_ARCH_* tokens */
    int narches;
    const struct skiff_seccomp_rule *rules;
    int nrules;
};

/* Compile and write the BPF program to out_fd; 0 or -errno (*bad_rule names the rule). */
int skiff_seccomp_compile(const struct skiff_seccomp *s, int out_fd, int *bad_rule);
int skiff_seccomp_known(const char *name);
uint32_t skiff_seccomp_arch(const char *name);

/* idmapped mounts.  The kernel wants CAP_SYS_ADMIN over the source filesystem's user
 * namespace, so the parent (host root) makes the mapped tree before the clone and the
 * child only moves it into place.  A helper process holds a user namespace with the
 * wanted mappings while the parent maps the tree through it. */
pid_t skiff_userns_helper(void);
int skiff_idmap_tree(const char *source, int recursive, int userns_fd);

/* Supervise a child as its parent: forward the usual signals, relay a pty master
 * (when master >= 0) to stdin/stdout, and return the wait status. */
int skiff_supervise(pid_t pid, int master);

/* Receive one fd over a unix socket (console-socket listener side; used by tests and
 * by `run`/`exec` when they act as their own console). */
int skiff_recv_fd(int sock);
/* Set up the terminal as raw while relaying; restore on exit. */
int skiff_listen_path(const char *path);

const char *skiff_commit(void);
const char *skiff_libseccomp_version(void);

#endif
