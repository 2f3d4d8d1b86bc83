/* Build the exec trampoline (trampoline.S) into a sealed, executable memfd. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "internal.h"

_Static_assert(SK_STEP_EXEC == 40, "trampoline.S hard-codes SK_STEP_EXEC");
_Static_assert(SK_MSG_ERROR == 5, "trampoline.S hard-codes SK_MSG_ERROR");

extern const unsigned char skiff_trampoline_code[], skiff_trampoline_end[];

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

int skiff_trampoline(void) {
    size_t code = (size_t)(skiff_trampoline_end - skiff_trampoline_code);
    const uint64_t base = 0x400000;
    size_t hdrs = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr);
    unsigned char image[512];
    if (hdrs + code > sizeof image)
        return -E2BIG;
    memset(image, 0, sizeof image);
    Elf64_Ehdr *eh = (Elf64_Ehdr *)image;
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_entry = base + hdrs;
    eh->e_phoff = sizeof(Elf64_Ehdr);
    eh->e_ehsize = sizeof(Elf64_Ehdr);
    eh->e_phentsize = sizeof(Elf64_Phdr);
    eh->e_phnum = 1;
    Elf64_Phdr *ph = (Elf64_Phdr *)(image + sizeof(Elf64_Ehdr));
    ph->p_type = PT_LOAD;
    ph->p_flags = PF_R | PF_X;
    ph->p_vaddr = ph->p_paddr = base;
    ph->p_filesz = ph->p_memsz = hdrs + code;
    ph->p_align = 0x1000;
    memcpy(image + hdrs, skiff_trampoline_code, code);

    int fd = memfd_create("skiff-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
    if (fd < 0 && errno == EINVAL)
        fd = memfd_create("skiff-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return -errno;
    size_t len = hdrs + code;
    if (write(fd, image, len) != (ssize_t)len ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) {
        int e = -errno;
        close(fd);
        return e;
    }
    return fd;
}
