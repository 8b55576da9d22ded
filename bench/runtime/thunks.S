/*
 * The external thunks that hardened code jumps to (-mfunction-return=thunk-extern,
 * -mretpoline-external-thunk), as a kernel provides them. The return thunk is the plain one
 * (ret; int3): hardened calls here pay the extra jump, not a microcode mitigation, so the
 * hardened figures are a lower bound on what such a call costs in a kernel.
 */
	.text
	.globl __x86_return_thunk
	.type __x86_return_thunk, @function
	.p2align 5
__x86_return_thunk:
	ret
	int3
	.size __x86_return_thunk, .-__x86_return_thunk

/* Retpoline thunks: capture speculation in a pause/lfence loop, then return to the target. */
.macro RETPOLINE reg
	.globl __x86_indirect_thunk_\reg
	.type __x86_indirect_thunk_\reg, @function
	.p2align 5
__x86_indirect_thunk_\reg:
	call 1f
2:	pause
	lfence
	jmp 2b
1:	mov %\reg, (%rsp)
	ret
	.size __x86_indirect_thunk_\reg, .-__x86_indirect_thunk_\reg
.endm
	RETPOLINE rax
	RETPOLINE rbx
	RETPOLINE rcx
	RETPOLINE rdx
	RETPOLINE rsi
	RETPOLINE rdi
	RETPOLINE rbp
	RETPOLINE r8
	RETPOLINE r9
	RETPOLINE r10
	RETPOLINE r11
	RETPOLINE r12
	RETPOLINE r13
	RETPOLINE r14
	RETPOLINE r15
	.section .note.GNU-stack,"",@progbits
