/* Helpers shared by the C files; none of them allocates, so all are safe in the child. */
#ifndef SKIFF_INTERNAL_H
#define SKIFF_INTERNAL_H

#include "skiff.h"

/* Report a failure to the parent over fd and leave.  Never returns. */
void sk_fail(int fd, int step, int err, int index) __attribute__((noreturn));

/* "/proc/self/fd/N" into buf (at least 32 bytes). */
const char *sk_fdpath(char *buf, int fd);
/* Decimal digits of v into buf (at least 11 bytes). */
const char *sk_utoa(char *buf, unsigned v);

/* openat2(RESOLVE_IN_ROOT) relative to rootfd; -1 with errno. */
int sk_open_in_root(int rootfd, const char *path, int flags);

/* Resolve path inside rootfd, creating missing components (directories, and the last
 * one as a file when last_is_file); returns an O_PATH fd inside the root or -1. */
int sk_mkdir_in_root(int rootfd, const char *path, int last_is_file);

/* The part of setup common to the container init and to exec'd processes. */
void sk_setup_process(const struct skiff_process *proc, int report_fd, int is_init, int tty_slave);
/* Finish: seccomp (when not loaded earlier), then execve.  Never returns. */
void sk_exec(const struct skiff_process *proc, int report_fd) __attribute__((noreturn));

/* Create the pty inside the container (ptmx resolved under rootfd), send the master over
 * console_fd and return the slave fd; with devfd >= 0 also bind it over /dev/console. */
int sk_setup_console(const struct skiff_process *proc, int rootfd, int devfd, int report_fd);

/* Set up the root filesystem of an init and pivot into it; returns the pty slave when
 * the process has a terminal, else -1. */
int sk_setup_rootfs(const struct skiff_plan *p, int sync_fd);

int sk_send_fd(int sock, int fd, const char *payload);
/* A skiff_msg of `type` with fd attached. */
int sk_send_msg_fd(int sock, int type, int fd);
size_t sk_strlen(const char *s);

#endif
