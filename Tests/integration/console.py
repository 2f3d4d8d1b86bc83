"""A console-socket listener as conmon and containerd's shim run one: accept one
connection, receive the pty master (SCM_RIGHTS), then read from it."""
import array
import os
import socket


def listen(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(1)
    return s


def receive_master(server, timeout=10):
    server.settimeout(timeout)
    conn, _ = server.accept()
    with conn:
        fds = array.array("i")
        msg, anc, _, _ = conn.recvmsg(256, socket.CMSG_SPACE(fds.itemsize))
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(data[: fds.itemsize])
        return msg, fds[0]


def read_until_eof(fd, timeout=10):
    import select
    out = b""
    while True:
        r, _, _ = select.select([fd], [], [], timeout)
        if not r:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the slave side closed
            break
        if not chunk:
            break
        out += chunk
    return out
