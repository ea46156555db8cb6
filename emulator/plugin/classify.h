/* Instruction classes of the Armv8.1-M Thumb instruction set, decided from the encoding alone
 * (the Arm v8-M Architecture Reference Manual's encoding tables). */
#ifndef ADPROF_CLASSIFY_H
#define ADPROF_CLASSIFY_H

#include <stdint.h>

enum insn_class {
    CLASS_ALU,       /* integer data processing, moves, shifts, DSP SIMD add/sub */
    CLASS_MUL,       /* scalar multiply, multiply-accumulate, divide */
    CLASS_LOAD8,     /* LDRB/LDRSB (and PLD) */
    CLASS_LOAD16,    /* LDRH/LDRSH */
    CLASS_LOAD32,    /* LDR, LDREX, LDA */
    CLASS_LOAD64,    /* LDRD */
    CLASS_LOADM,     /* LDM, POP */
    CLASS_STORE8,    /* STRB */
    CLASS_STORE16,   /* STRH */
    CLASS_STORE32,   /* STR, STREX, STL */
    CLASS_STORE64,   /* STRD */
    CLASS_STOREM,    /* STM, PUSH */
    CLASS_BRANCH,    /* branches, loop instructions (LE, WLS, DLS) and PC writes */
    CLASS_FP,        /* scalar floating point: arithmetic, conversions, moves */
    CLASS_FP_LOAD,   /* VLDR, VLDM, VPOP of FP registers */
    CLASS_FP_STORE,  /* VSTR, VSTM, VPUSH of FP registers */
    CLASS_MVE_LOAD,  /* Helium loads: contiguous, gather, interleaving */
    CLASS_MVE_STORE, /* Helium stores */
    CLASS_MVE_MAC,   /* Helium multiply-accumulate: VMLA(S), VMLADAV/VMLALDAV families, VQ(R)DMLAH,
                        VFMA */
    CLASS_MVE_MUL,   /* Helium multiplies without accumulation: VMUL, VMULH, VQ(R)DMULH */
    CLASS_MVE_OTHER, /* every other Helium instruction (ALU, shifts, moves, VPT/VPST, VCTP) */
    CLASS_OTHER,     /* IT, hints, barriers, system registers, SVC, BKPT, undefined */
    CLASS_COUNT
};

extern const char *const insn_class_names[CLASS_COUNT];

/* The class of the instruction whose first halfword is `hw1` (second `hw2`, 0 for a 16-bit
 * instruction). */
enum insn_class classify_thumb(uint16_t hw1, uint16_t hw2);

#endif
