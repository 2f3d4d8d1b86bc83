/* linux.resources.devices on cgroup v2: the allow/deny list compiled into a
 * BPF_PROG_TYPE_CGROUP_DEVICE program and attached to the container's cgroup, so even
 * root in the container cannot open (or mknod) a denied device. */
#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "skiff.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

/* BPF_PROG_ATTACH or BPF_PROG_DETACH of a device program on a cgroup; then closes pfd. */
static int attach_cmd(int cmd, int cgroup_fd, int pfd) {
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.target_fd = (unsigned)cgroup_fd;
    a.attach_bpf_fd = (unsigned)pfd;
    a.attach_type = BPF_CGROUP_DEVICE;
    if (cmd == BPF_PROG_ATTACH)
        a.attach_flags = BPF_F_ALLOW_MULTI;
    int r = (int)syscall(SYS_bpf, cmd, &a, sizeof a);
    int e = errno;
    close(pfd);
    return r < 0 ? -e : 0;
}

/* Rules are checked last to first; the first that matches decides (so later rules
 * override earlier ones, as in the config's order).  No match: allow. */
int skiff_device_filter(int cgroup_fd, const struct skiff_device_rule *rules, int n) {
    enum { MAX = 8 + 9 * 512 };
    static struct bpf_insn prog[MAX];
    int k = 0;
    if (n > 512)
        return -E2BIG;
    /* r2 = access_type; r3 = type (low 16 bits); r2 = access (high 16); r4 = major; r5 = minor */
    prog[k++] = INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1, 0, 0);
    prog[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0);
    prog[k++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_3, 0, 0, 0xffff);
    prog[k++] = INSN(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_2, 0, 0, 16);
    prog[k++] = INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_4, BPF_REG_1, 4, 0);
    prog[k++] = INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_1, 8, 0);
    for (int i = n - 1; i >= 0; i--) {
        const struct skiff_device_rule *r = &rules[i];
        int jumps[4], nj = 0;
        if (r->type != 0) { /* 0 = all; else BPF_DEVCG_DEV_BLOCK (1) or _CHAR (2) */
            jumps[nj++] = k;
            prog[k++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_3, 0, 0, r->type);
        }
        if ((r->access & 7) != 7) { /* some of mknod(1) read(2) write(4) not covered */
            prog[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_2, 0, 0);
            prog[k++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_6, 0, 0, (int)(~r->access & 7));
            jumps[nj++] = k;
            prog[k++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_6, 0, 0, 0);
        }
        if (r->major >= 0) {
            jumps[nj++] = k;
            prog[k++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0, (int)r->major);
        }
        if (r->minor >= 0) {
            jumps[nj++] = k;
            prog[k++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, (int)r->minor);
        }
        prog[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow ? 1 : 0);
        prog[k++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
        for (int j = 0; j < nj; j++)
            prog[jumps[j]].off = (short)(k - jumps[j] - 1);
        /* A rule that matches everything ends the program: the verifier refuses
         * unreachable instructions, and no earlier rule could decide anyway. */
        if (nj == 0)
            goto load;
    }
    prog[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
    prog[k++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
load:;

    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = (unsigned long long)(uintptr_t)prog;
    attr.insn_cnt = (unsigned)k;
    attr.license = (unsigned long long)(uintptr_t) "Apache-2.0";
    int pfd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
    if (pfd < 0)
        return -errno;
    return attach_cmd(BPF_PROG_ATTACH, cgroup_fd, pfd);
}

/* Replace: attach the new program first (for a moment both apply, which is stricter,
 * never looser), then detach the ones that were there. */
int skiff_device_filter_replace(int cgroup_fd, const struct skiff_device_rule *rules, int n) {
    unsigned int ids[64];
    union bpf_attr q;
    memset(&q, 0, sizeof q);
    q.query.target_fd = (unsigned)cgroup_fd;
    q.query.attach_type = BPF_CGROUP_DEVICE;
    q.query.prog_ids = (unsigned long long)(uintptr_t)ids;
    q.query.prog_cnt = 64;
    if (syscall(SYS_bpf, BPF_PROG_QUERY, &q, sizeof q) < 0)
        return -errno;
    unsigned int old = q.query.prog_cnt;
    int r = skiff_device_filter(cgroup_fd, rules, n);
    if (r < 0)
        return r;
    for (unsigned int i = 0; i < old && i < 64; i++) {
        union bpf_attr a;
        memset(&a, 0, sizeof a);
        a.prog_id = ids[i];
        int pfd = (int)syscall(SYS_bpf, BPF_PROG_GET_FD_BY_ID, &a, sizeof a);
        if (pfd < 0)
            return -errno;
        if ((r = attach_cmd(BPF_PROG_DETACH, cgroup_fd, pfd)) < 0)
            return r;
    }
    return 0;
}
