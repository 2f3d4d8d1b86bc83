/* The parent/child protocol: fixed-size messages on a SOCK_SEQPACKET pair. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "internal.h"

int skiff_send(int fd, int type, int step, int err, int index) {
    struct skiff_msg m = {type, step, err, index};
    ssize_t n;
    do {
        /* MSG_NOSIGNAL: a parent that went away must not kill us with SIGPIPE. */
        n = send(fd, &m, sizeof m, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof m ? 0 : -1;
}

int skiff_recv(int fd, struct skiff_msg *msg) {
    ssize_t n;
    do {
        n = recv(fd, msg, sizeof *msg, 0);
    } while (n < 0 && errno == EINTR);
    if (n == 0)
        return 0;
    if (n != (ssize_t)sizeof *msg)
        return -1;
    return 1;
}

void sk_fail(int fd, int step, int err, int index) {
    skiff_send(fd, SK_MSG_ERROR, step, err, index);
    _exit(127);
}

int sk_send_fd(int sock, int fd, const char *payload) { return skiff_send_fd(sock, fd, payload, sk_strlen(payload)); }

int sk_send_msg_fd(int sock, int type, int fd) {
    struct skiff_msg m = {type, 0, 0, 0};
    return skiff_send_fd(sock, fd, &m, sizeof m);
}

int skiff_send_fd(int sock, int fd, const void *payload, size_t len) {
    char cbuf[CMSG_SPACE(sizeof(int))];
    memset(cbuf, 0, sizeof cbuf);
    struct iovec iov = {(void *)payload, len};
    struct msghdr mh = {0};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = cbuf;
    mh.msg_controllen = sizeof cbuf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    ssize_t n;
    do {
        n = sendmsg(sock, &mh, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n < 0 ? -1 : 0;
}

/* recvmsg of up to len bytes with one SCM_RIGHTS fd taken out (else *fd = -1). */
static ssize_t recv_with_fd(int sock, void *buf, size_t len, int flags, int *fd) {
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {buf, len};
    struct msghdr mh = {0};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = cbuf;
    mh.msg_controllen = sizeof cbuf;
    *fd = -1;
    ssize_t n;
    do {
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | flags);
    } while (n < 0 && errno == EINTR);
    for (struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
            memcpy(fd, CMSG_DATA(c), sizeof(int));
    }
    return n;
}

int skiff_recv_msg(int fd, struct skiff_msg *msg, int *passed_fd) {
    ssize_t n = recv_with_fd(fd, msg, sizeof *msg, MSG_WAITALL, passed_fd);
    if (n == 0)
        return 0;
    return n == (ssize_t)sizeof *msg ? 1 : -1;
}

int skiff_recv_fd(int sock) {
    char buf[256];
    int fd;
    ssize_t n = recv_with_fd(sock, buf, sizeof buf, 0, &fd);
    if (n < 0)
        return -errno;
    return fd >= 0 ? fd : -EBADMSG;
}

size_t sk_strlen(const char *s) {
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

const char *sk_utoa(char *buf, unsigned v) {
    char digits[16];
    int nd = 0;
    do {
        digits[nd++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    size_t i = 0;
    while (nd)
        buf[i++] = digits[--nd];
    buf[i] = 0;
    return buf;
}

const char *sk_fdpath(char *buf, int fd) {
    static const char prefix[] = "/proc/self/fd/";
    size_t i = 0;
    for (; prefix[i]; i++)
        buf[i] = prefix[i];
    sk_utoa(buf + i, (unsigned)fd);
    return buf;
}
