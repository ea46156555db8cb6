/* Hand-written instruction sequences with known counts, for the QEMU plugin's test
 * (tests/test_qemu_plugin.py), one layer each. `profile_hook` marks a layer the way the
 * validator's does: it reads the system counter, so the plugin counts the code between two
 * calls as one layer. The layers: instruction classes; Helium beats and overlaps; a read sweep
 * of SRAM, the same sweep again, a write sweep and a load across two cache lines (the test
 * caches SRAM in a 4 KiB, 2-way cache of 32-byte lines: 64 sets); calls of a routine in ITCM.
 * Runs from the an547's QSPI (MRAM); data in DTCM (TCM) and SRAM; exits through semihosting. */
    .syntax unified
    .thumb
    .text

    .global reset
    .thumb_func
reset:
    ldr r0, =0x20002000
    mov sp, r0
    ldr r1, =0xE000ED88         /* CPACR: enable the FPU and MVE */
    ldr r2, [r1]
    orr r2, r2, #0xF00000
    str r2, [r1]
    dsb
    isb
    ldr r4, =0x20000000
    bl profile_hook
    movs r5, #100
loop:
    adds r6, r5, #1             /* alu x2 */
    eor r7, r6, r5
    mul r8, r6, r7              /* mul x3 */
    mla r8, r6, r7, r8
    smlabb r9, r6, r7, r8
    ldrb r0, [r4]               /* load8, load16, load32, load64 */
    ldrh r1, [r4, #2]
    ldr r2, [r4, #4]
    ldrd r2, r3, [r4, #8]
    strb r0, [r4, #16]          /* store8, store16, store32, store64 */
    strh r1, [r4, #18]
    str r2, [r4, #20]
    strd r2, r3, [r4, #24]
    push {r4, r5}               /* storem, loadm */
    pop {r4, r5}
    vmov s0, r6                 /* fp x3 */
    vadd.f32 s1, s0, s0
    vmul.f32 s2, s1, s0
    vldr s3, [r4, #40]          /* fp_load, fp_store */
    vstr s3, [r4, #48]
    vldrw.u32 q0, [r4]          /* mve_load x2 */
    vldrb.s16 q1, [r4]
    vmladava.s16 r10, q1, q1    /* mve_mac x2 */
    vmla.s32 q0, q0, r6
    vmul.i32 q2, q0, q0         /* mve_mul */
    vadd.i32 q2, q2, q0         /* mve_other */
    vstrw.32 q2, [r4, #32]      /* mve_store */
    subs r5, r5, #1             /* alu */
    bne loop                    /* branch: taken 99 times */
    bl profile_hook

    vmov.i32 q3, #0             /* gather offsets */
    vdup.32 q5, r4              /* gather base addresses */
    bl profile_hook
    movs r5, #50
helium:                         /* beats; overlapped: follows a Helium instruction of the other
                                   group (memory or not) in the same block */
    vldrb.u8 q0, [r4]           /* 4, first of the block */
    vmladava.u8 r10, q0, q0     /* 4, overlapped */
    vldrb.u8 q1, [r4, #16]      /* 4, overlapped */
    vmladava.u8 r10, q1, q1     /* 4, overlapped */
    vldrb.u8 q2, [r4, q3]       /* 16 (16 byte accesses, 2 per cycle), overlapped */
    vldrw.u32 q4, [q5]          /* 4 (vector base), a load after a load */
    subs r5, r5, #1
    bne helium
    bl profile_hook

    ldr r0, =0x21000000         /* SRAM */
    bl profile_hook
    mov r1, #512                /* 2 KiB: 64 lines, refilled once */
read_sweep:
    ldr r2, [r0], #4
    subs r1, r1, #1
    bne read_sweep
    bl profile_hook

    sub r0, r0, #2048
    bl profile_hook
    mov r1, #512                /* the same 2 KiB: all hits */
read_again:
    ldr r2, [r0], #4
    subs r1, r1, #1
    bne read_again
    bl profile_hook

    ldr r0, =0x21010000         /* set 0 again */
    bl profile_hook
    mov r1, #2048               /* 8 KiB: 256 lines in 64 sets of 2 ways */
write_sweep:
    str r1, [r0], #4
    subs r1, r1, #1
    bne write_sweep
    bl profile_hook

    ldr r0, =0x2102001E         /* a word across the lines of sets 0 and 1 */
    bl profile_hook
    ldr r2, [r0]
    bl profile_hook

    ldr r0, =0x1000             /* ITCM: `adds r0, #1; bx lr` */
    ldr r1, =0x47703001
    str r1, [r0]
    dsb
    isb
    bl profile_hook
    movs r5, #10
itcm_calls:
    ldr r1, =0x1001
    blx r1
    subs r5, r5, #1
    bne itcm_calls
    bl profile_hook
    movs r0, #0x18              /* semihosting SYS_EXIT, ADP_Stopped_ApplicationExit */
    ldr r1, =0x20026
    bkpt 0xAB

    .thumb_func
profile_hook:
    ldr r3, =0x48101000         /* the SSE-300 system counter's low word (status frame) */
    ldr r3, [r3]
    bx lr
    .ltorg
