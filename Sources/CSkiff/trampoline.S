/* The exec trampoline: the last step before the user program (CVE-2019-5736).
 *
 * The container's program is exec'd from this tiny ELF, loaded from a sealed memfd, so
 * that at that execve /proc/self/exe (and a "#!/proc/self/exe" interpreter) names the
 * sealed memfd, never the skiff binary on the host.  trampoline.c wraps these bytes
 * in an ELF header at run time.
 *
 * argv: [path, report fd in decimal, the program's argv...].  It sets the report fd
 * close-on-exec (EOF tells skiff the exec happened), execs path with the program's argv
 * and the same environment, and on failure writes struct skiff_msg
 * {SK_MSG_ERROR=5, SK_STEP_EXEC=40, errno, -1} to the report fd and exits 127. */
    .intel_syntax noprefix
    .section .rodata
    .globl skiff_trampoline_code
    .globl skiff_trampoline_end
skiff_trampoline_code:
    mov rsi, [rsp+16]
    xor r12d, r12d
1:  movzx eax, byte ptr [rsi]
    test al, al
    jz 2f
    sub eax, 48
    imul r12d, r12d, 10
    add r12d, eax
    inc rsi
    jmp 1b
2:  mov edi, r12d
    mov esi, 2
    mov edx, 1
    mov eax, 72
    syscall
    mov rdi, [rsp+8]
    lea rsi, [rsp+24]
    mov rcx, [rsp]
    lea rdx, [rsp+rcx*8+16]
    mov eax, 59
    syscall
    neg eax
    sub rsp, 16
    mov dword ptr [rsp], 5
    mov dword ptr [rsp+4], 40
    mov dword ptr [rsp+8], eax
    mov dword ptr [rsp+12], -1
    mov edi, r12d
    mov rsi, rsp
    mov edx, 16
    mov eax, 1
    syscall
    mov edi, 127
    mov eax, 231
    syscall
skiff_trampoline_end:
    .section .note.GNU-stack,"",@progbits
