/* Thumb instruction classes from the encoding (Arm v8-M Architecture Reference Manual, "T32
 * instruction set encoding" and the MVE encoding tables). Masks name the fixed bits of an
 * encoding group; `h1` is the first halfword, `h2` the second of a 32-bit instruction. */
#include "classify.h"

const char *const insn_class_names[CLASS_COUNT] = {
    "alu",      "mul",       "load8",   "load16",  "load32",    "load64", "loadm",   "store8",
    "store16",  "store32",   "store64", "storem",  "branch",    "fp",     "fp_load", "fp_store",
    "mve_load", "mve_store", "mve_mac", "mve_mul", "mve_other", "other",
};

static enum insn_class load_or_store(int load, unsigned size) {
    static const enum insn_class loads[3] = {CLASS_LOAD8, CLASS_LOAD16, CLASS_LOAD32};
    static const enum insn_class stores[3] = {CLASS_STORE8, CLASS_STORE16, CLASS_STORE32};
    return load ? loads[size] : stores[size];
}

static enum insn_class classify16(uint16_t h) {
    static const enum insn_class register_offset[8] = {CLASS_STORE32, CLASS_STORE16, CLASS_STORE8,
                                                       CLASS_LOAD8,   CLASS_LOAD32,  CLASS_LOAD16,
                                                       CLASS_LOAD8,   CLASS_LOAD16};
    int load = (h >> 11) & 1;
    if ((h >> 14) == 0) { /* shifts, add/sub, mov/cmp immediate */
        return CLASS_ALU;
    }
    if ((h >> 10) == 0x10) { /* data processing; opcode 1101 is MULS */
        return ((h >> 6) & 0xF) == 0xD ? CLASS_MUL : CLASS_ALU;
    }
    if ((h >> 10) == 0x11) { /* high-register ADD/CMP/MOV, BX/BLX */
        unsigned op = (h >> 8) & 3, rd = ((h >> 4) & 8) | (h & 7);
        return op == 3 || (op != 1 && rd == 15) ? CLASS_BRANCH : CLASS_ALU;
    }
    if ((h >> 11) == 0x09) { /* LDR literal */
        return CLASS_LOAD32;
    }
    switch (h >> 12) {
    case 0x5:
        return register_offset[(h >> 9) & 7];
    case 0x6: /* word, immediate offset */
    case 0x9: /* word, SP-relative */
        return load_or_store(load, 2);
    case 0x7:
        return load_or_store(load, 0);
    case 0x8:
        return load_or_store(load, 1);
    case 0xA: /* ADR, ADD SP */
        return CLASS_ALU;
    case 0xB: {
        unsigned op = (h >> 8) & 0xF;
        if ((op & 5) == 1) { /* CBZ, CBNZ */
            return CLASS_BRANCH;
        }
        if (op == 4 || op == 5) { /* PUSH */
            return CLASS_STOREM;
        }
        if (op == 0xC || op == 0xD) { /* POP; bit 8 set: the list holds PC */
            return op == 0xD ? CLASS_BRANCH : CLASS_LOADM;
        }
        return op == 6 || op >= 0xE ? CLASS_OTHER : CLASS_ALU; /* CPS, BKPT, IT, hints */
    }
    case 0xC:
        return load ? CLASS_LOADM : CLASS_STOREM;
    case 0xD: /* conditional branch; conditions 1110 and 1111 are UDF and SVC */
        return ((h >> 8) & 0xF) >= 0xE ? CLASS_OTHER : CLASS_BRANCH;
    default:
        return (h >> 11) == 0x1C ? CLASS_BRANCH : CLASS_OTHER;
    }
}

static enum insn_class helium(uint16_t h1, uint16_t h2) {
    if ((h1 & 0x0E00) == 0x0C00) { /* contiguous, gather/scatter and interleaving loads/stores */
        if ((h1 & 0xFFA0) == 0xEC00) { /* VMOV between two lanes and two general registers */
            return CLASS_MVE_OTHER;
        }
        return (h1 & 0x10) ? CLASS_MVE_LOAD : CLASS_MVE_STORE;
    }
    /* VMLA, VMLAS, VFMA and VFMAS with a scalar */
    if ((h1 & 0xEF81) == 0xEE01 && (h2 & 0x0F70) == 0x0E40) {
        return CLASS_MVE_MAC;
    }
    /* VQDMLAH, VQRDMLAH, VQDMLASH, VQRDMLASH */
    if ((h1 & 0xFF81) == 0xEE00 && (h2 & 0x0F50) == 0x0E40) {
        return CLASS_MVE_MAC;
    }
    /* multiply-accumulate across the vector: VMLADAV, VMLSDAV, VMLALDAV, VMLSLDAV (opcode 1110)
     * and VMLADAV, VRMLALDAVH, VRMLSLDAVH (opcode 1111, which also holds VADDV/VADDLV with bit 0
     * of h1 set, VMAXV/VMINV with h1 bits 7:4 = 1110, and VABAV with h1 bit 6 clear and h2 bit
     * 0 set) */
    if ((h1 & 0xEF80) == 0xEE80 && (h2 & 0x0E50) == 0x0E00) {
        int opcode_1111 = (h2 & 0x0100) != 0;
        int vabav = !(h1 & 0x40) && (h2 & 1);
        if (!opcode_1111 || (!(h1 & 1) && (h1 & 0xF0) != 0xE0 && !vabav)) {
            return CLASS_MVE_MAC;
        }
    }
    if (((h1 & 0xFF81) == 0xEF00 && (h2 & 0x1F51) == 0x0950) || /* VMUL */
        ((h1 & 0xEF81) == 0xEF00 && (h2 & 0x1F51) == 0x0B40) || /* VQDMULH, VQRDMULH */
        ((h1 & 0xEF81) == 0xEE01 && (h2 & 0x0F50) == 0x0E00) || /* VMULH, VRMULH, VMULL */
        ((h1 & 0xEF81) == 0xEE01 && (h2 & 0x0F70) == 0x0E60)) { /* VMUL, VQDMULH scalar */
        return CLASS_MVE_MUL;
    }
    return CLASS_MVE_OTHER;
}

/* Coprocessor space: Helium lives in 0xEF/0xFF and with coprocessor numbers 14 and 15 (plus
 * VDUP); scalar floating point uses coprocessors 9 to 11. Its loads and stores (VLDR/VSTR,
 * VLDM/VSTM, VPUSH/VPOP) have bits 27:25 = 110, except the moves between two general registers
 * and a D register or two S registers (bits 24:21 = 0010). */
static enum insn_class coprocessor(uint16_t h1, uint16_t h2) {
    unsigned cp = (h2 >> 8) & 0xF;
    int vdup = (h1 & 0xFFB1) == 0xEEA0 && (h2 & 0x0F5F) == 0x0B10;
    if ((h1 & 0x0F00) == 0x0F00 || (cp & 0xE) == 0xE || vdup) {
        return helium(h1, h2);
    }
    if (cp < 9 || cp > 11) {
        return CLASS_OTHER;
    }
    if ((h1 & 0x0E00) == 0x0C00 && (h1 & 0x01E0) != 0x0040) {
        return (h1 & 0x10) ? CLASS_FP_LOAD : CLASS_FP_STORE;
    }
    return CLASS_FP;
}

static enum insn_class classify32(uint16_t h1, uint16_t h2) {
    int load = (h1 >> 4) & 1;
    if ((h1 & 0xEC00) == 0xEC00) {
        return coprocessor(h1, h2);
    }
    switch (h1 >> 11) {
    case 0x1D:
        if ((h1 & 0x0640) == 0x0000) { /* LDM/STM; LDM with PC in the list branches */
            return load ? ((h2 & 0x8000) ? CLASS_BRANCH : CLASS_LOADM) : CLASS_STOREM;
        }
        if ((h1 & 0x0640) == 0x0040) { /* dual, exclusive, acquire/release, table branch */
            if ((h1 & 0xFFF0) == 0xE8D0 && (h2 & 0xFFE0) == 0xF000) { /* TBB, TBH */
                return CLASS_BRANCH;
            }
            if (h1 & 0x0120) { /* P or W set: LDRD/STRD */
                return load ? CLASS_LOAD64 : CLASS_STORE64;
            }
            return load ? CLASS_LOAD32 : CLASS_STORE32;
        }
        return CLASS_ALU; /* data processing, shifted register */
    case 0x1E:
        if (!(h2 & 0x8000)) { /* data processing, immediate */
            return CLASS_ALU;
        }
        if (!(h2 & 0x5000)) { /* conditional branch, or MSR/MRS/hints/barriers (cond 111x) */
            return ((h1 >> 6) & 0xF) >= 0xE ? CLASS_OTHER : CLASS_BRANCH;
        }
        if (h2 & 0x1000) { /* B.W, BL */
            return CLASS_BRANCH;
        }
        if ((h1 & 0xFFC0) == 0xF000 && h2 == 0xE801) { /* VCTP */
            return CLASS_MVE_OTHER;
        }
        return (h2 & 1) ? CLASS_BRANCH : CLASS_OTHER; /* WLS, DLS, LE, LCTP */
    default:                                          /* 0x1F */
        if ((h1 & 0x0600) == 0) {                     /* single load/store */
            unsigned size = (h1 >> 5) & 3;
            if (size == 3) {
                return CLASS_OTHER;
            }
            return load && size == 2 && (h2 >> 12) == 0xF ? CLASS_BRANCH
                                                          : load_or_store(load, size);
        }
        if ((h1 & 0x0700) == 0x0300) { /* multiply, MAC, long multiply, divide */
            return CLASS_MUL;
        }
        return (h1 & 0x0700) == 0x0200 ? CLASS_ALU : CLASS_OTHER;
    }
}

enum insn_class classify_thumb(uint16_t hw1, uint16_t hw2) {
    return (hw1 >> 11) >= 0x1D ? classify32(hw1, hw2) : classify16(hw1);
}
