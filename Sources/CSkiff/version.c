/* Build facts for `skiff --version`: the commit comes from the Makefile (-DSKIFF_COMMIT),
 * the libseccomp version from the library actually linked. */
#include <seccomp.h>
#include <stdio.h>
#include "skiff.h"

#ifndef SKIFF_COMMIT
#define SKIFF_COMMIT "unknown"
#endif

const char *skiff_commit(void) { return SKIFF_COMMIT; }

const char *skiff_libseccomp_version(void) {
    static char buf[32];
    const struct scmp_version *v = seccomp_version();
    snprintf(buf, sizeof buf, "%u.%u.%u", v->major, v->minor, v->micro);
    return buf;
}
