/* seccomp: compile an OCI filter with libseccomp in the parent and export it as BPF.
 * The child only loads the exported program (libseccomp allocates, so it has no place
 * after the clone). */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "skiff.h"

int skiff_seccomp_known(const char *name) { return seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR; }

uint32_t skiff_seccomp_arch(const char *name) { return seccomp_arch_resolve_name(name); }

static int add_rule(scmp_filter_ctx ctx, uint32_t action, int nr, const struct skiff_seccomp_arg *args, int nargs) {
    struct scmp_arg_cmp cmp[6];
    if (nargs > 6)
        return -E2BIG;
    for (int i = 0; i < nargs; i++) {
        cmp[i].arg = args[i].index;
        cmp[i].op = (enum scmp_compare)args[i].op;
        cmp[i].datum_a = args[i].value;
        cmp[i].datum_b = args[i].value_two;
    }
    return seccomp_rule_add_array(ctx, action, nr, (unsigned)nargs, cmp);
}

int skiff_seccomp_compile(const struct skiff_seccomp *s, int out_fd, int *bad_rule) {
    *bad_rule = -1;
    scmp_filter_ctx ctx = seccomp_init(s->default_action);
    if (!ctx)
        return -EINVAL;
    int r = 0;
    for (int i = 0; i < s->narches && r == 0; i++) {
        r = seccomp_arch_add(ctx, s->arches[i]);
        if (r == -EEXIST)
            r = 0;
    }
    for (int i = 0; i < s->nrules && r == 0; i++) {
        const struct skiff_seccomp_rule *rule = &s->rules[i];
        if (rule->action == s->default_action)
            continue; /* libseccomp refuses a rule that repeats the default */
        int nr = seccomp_syscall_resolve_name(rule->name);
        if (nr == __NR_SCMP_ERROR)
            continue; /* unknown to this libseccomp: skipped, as runc does */
        /* runc's semantics: conditions on distinct arguments are ANDed in one rule;
         * several conditions on the same argument become one rule each (ORed). */
        int repeated = 0;
        for (int a = 0; a < rule->nargs; a++)
            for (int b = a + 1; b < rule->nargs; b++)
                if (rule->args[a].index == rule->args[b].index)
                    repeated = 1;
        if (repeated) {
            for (int a = 0; a < rule->nargs && r == 0; a++)
                r = add_rule(ctx, rule->action, nr, &rule->args[a], 1);
        } else {
            r = add_rule(ctx, rule->action, nr, rule->args, rule->nargs);
        }
        if (r < 0)
            *bad_rule = i;
    }
    if (r == 0)
        r = seccomp_export_bpf(ctx, out_fd);
    seccomp_release(ctx);
    return r;
}
