/* A hand-written instruction sequence with known counts per class, for the QEMU plugin's test
 * (tests/test_qemu_plugin.py). `profile_hook` marks a layer the way the validator's does:
 * it reads the system counter, so the plugin counts the loop between two calls as one layer.
 * Runs from the an547's QSPI (MRAM); data in DTCM (TCM); exits through semihosting. */
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
    movs r0, #0x18              /* semihosting SYS_EXIT, ADP_Stopped_ApplicationExit */
    ldr r1, =0x20026
    bkpt 0xAB

    .thumb_func
profile_hook:
    ldr r3, =0x48101000         /* the SSE-300 system counter's low word (status frame) */
    ldr r3, [r3]
    bx lr
    .ltorg
