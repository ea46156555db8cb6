/* adprof: a QEMU TCG plugin that counts, per profiled layer of an emulated Cortex-M, the executed
 * instructions by class (classify.h), the taken branches, and the memory accesses per region of
 * the platform's map (count and bytes, read and write).
 *
 * Arguments (-plugin libadprof.so,out=...,region=...):
 *   out=PATH              where the counts go, as JSON, when QEMU ends
 *   region=NAME:BASE:SIZE a memory region (repeat; up to MAX_REGIONS); others count as "other"
 *   hook=ADDR, counter=ADDR  the layer hook function's entry and the counter register it reads.
 *     Layers are the windows between the counter reads the firmware's hook makes: the first
 *     read of `counter` after each entry into `hook` opens a layer, the next one closes it. That
 *     is the window the firmware times, and the firmware is unchanged. Without them everything
 *     counts as outside layers.
 *
 * Instructions are counted by inline counters per translated instruction (no callback on the
 * hot path); a layer boundary moves the counts so far into the bucket that just ended. Counting
 * per instruction rather than per block keeps the total exact when QEMU abandons a block half
 * way (an I/O access under -icount). One vCPU: the M-profile machines have one core. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu/qemu-plugin.h>

#include "classify.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_REGIONS 16

struct region {
    char *name;
    uint64_t base, size;
};

struct traffic {
    uint64_t reads, read_bytes, writes, write_bytes;
};

/* Bucket 0 is everything outside layers; bucket k is the k-th layer window. */
struct bucket {
    uint64_t classes[CLASS_COUNT];
    uint64_t taken_branches;
    struct traffic memory[MAX_REGIONS + 1]; /* the last one: addresses in no region */
};

/* A translated block: per instruction its class, its execution count (incremented inline by
 * QEMU) and how much of that count is already in a bucket. */
struct block {
    uint64_t pc, fallthrough;
    size_t n;
    int ends_in_branch;
    uint8_t *classes;
    uint64_t *executed, *moved;
};

static struct region regions[MAX_REGIONS];
static size_t region_count;
static char *out_path;
static uint64_t hook_pc, counter_addr;
static int hook_set, counter_set;

static GArray *buckets;      /* struct bucket */
static GPtrArray *blocks;    /* struct block *, every block ever translated */
static GHashTable *by_start; /* (pc, length) -> struct block *: a re-translation reuses it */
static guint current;        /* the bucket counting now */
static int hook_entered;     /* the hook ran; its next counter read is a layer boundary */

static struct block *last_block; /* for taken branches: the block before this one */
static uint64_t last_branch_count;
static guint last_bucket;

static struct bucket *bucket_at(guint index) {
    if (index >= buckets->len) {
        g_array_set_size(buckets, index + 1);
    }
    return &g_array_index(buckets, struct bucket, index);
}

static void move_counts(void) {
    struct bucket *b = bucket_at(current);
    for (guint k = 0; k < blocks->len; k++) {
        struct block *blk = g_ptr_array_index(blocks, k);
        for (size_t i = 0; i < blk->n; i++) {
            b->classes[blk->classes[i]] += blk->executed[i] - blk->moved[i];
            blk->moved[i] = blk->executed[i];
        }
    }
}

static size_t region_of(uint64_t address) {
    for (size_t r = 0; r < region_count; r++) {
        if (address - regions[r].base < regions[r].size) {
            return r;
        }
    }
    return region_count;
}

static void on_memory(unsigned vcpu, qemu_plugin_meminfo_t info, uint64_t address, void *unused) {
    uint64_t bytes = 1u << qemu_plugin_mem_size_shift(info);
    int store = qemu_plugin_mem_is_store(info);
    struct traffic *t = &bucket_at(current)->memory[region_of(address)];
    if (store) {
        t->writes++;
        t->write_bytes += bytes;
    } else {
        t->reads++;
        t->read_bytes += bytes;
    }
    if (hook_entered && !store && address == counter_addr) {
        hook_entered = 0;
        move_counts();
        current = current == 0 ? buckets->len : 0;
        bucket_at(current);
    }
}

static void on_hook(unsigned vcpu, void *unused) {
    hook_entered = 1;
}

/* A branch ending the previous block was taken when it executed and this block is not its
 * fall-through. */
static void on_block(unsigned vcpu, void *data) {
    struct block *blk = data;
    if (last_block != NULL && last_block->ends_in_branch &&
        last_block->executed[last_block->n - 1] != last_branch_count &&
        blk->pc != last_block->fallthrough) {
        bucket_at(last_bucket)->taken_branches++;
    }
    last_block = blk;
    last_branch_count = blk->executed[blk->n - 1];
    last_bucket = current;
}

static struct block *block_for(struct qemu_plugin_tb *tb) {
    size_t n = qemu_plugin_tb_n_insns(tb);
    uint64_t key[2] = {qemu_plugin_tb_vaddr(tb), n};
    GBytes *lookup = g_bytes_new(key, sizeof key);
    struct block *blk = g_hash_table_lookup(by_start, lookup);
    if (blk != NULL) {
        g_bytes_unref(lookup);
        return blk;
    }
    blk = g_new0(struct block, 1);
    blk->pc = key[0];
    blk->n = n;
    blk->classes = g_new0(uint8_t, n);
    blk->executed = g_new0(uint64_t, n);
    blk->moved = g_new0(uint64_t, n);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        const uint8_t *bytes = qemu_plugin_insn_data(insn);
        size_t size = qemu_plugin_insn_size(insn);
        uint16_t hw1 = bytes[0] | bytes[1] << 8;
        uint16_t hw2 = size == 4 ? (uint16_t)(bytes[2] | bytes[3] << 8) : 0;
        blk->classes[i] = classify_thumb(hw1, hw2);
        blk->fallthrough = qemu_plugin_insn_vaddr(insn) + size;
    }
    blk->ends_in_branch = blk->classes[n - 1] == CLASS_BRANCH;
    g_ptr_array_add(blocks, blk);
    g_hash_table_insert(by_start, lookup, blk);
    return blk;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    struct block *blk = block_for(tb);
    qemu_plugin_register_vcpu_tb_exec_cb(tb, on_block, QEMU_PLUGIN_CB_NO_REGS, blk);
    for (size_t i = 0; i < blk->n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
                                                   &blk->executed[i], 1);
        qemu_plugin_register_vcpu_mem_cb(insn, on_memory, QEMU_PLUGIN_CB_NO_REGS,
                                         QEMU_PLUGIN_MEM_RW, NULL);
        if (hook_set && qemu_plugin_insn_vaddr(insn) == hook_pc) {
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_hook, QEMU_PLUGIN_CB_NO_REGS, NULL);
        }
    }
}

static void write_traffic(FILE *f, const struct traffic *t, const char *name, int last) {
    fprintf(f, "\"%s\": [%" PRIu64 ", %" PRIu64 ", %" PRIu64 ", %" PRIu64 "]%s", name, t->reads,
            t->read_bytes, t->writes, t->write_bytes, last ? "" : ", ");
}

/* {"buckets": [{"classes": {...}, "taken_branches": N,
 *               "memory": {region: [reads, read bytes, writes, write bytes]}}]} */
static void write_counts(qemu_plugin_id_t id, void *unused) {
    move_counts();
    FILE *f = fopen(out_path, "w");
    if (f == NULL) {
        fprintf(stderr, "adprof: cannot write %s\n", out_path);
        return;
    }
    fputs("{\"buckets\": [\n", f);
    for (guint k = 0; k < buckets->len; k++) {
        const struct bucket *b = &g_array_index(buckets, struct bucket, k);
        fputs("  {\"classes\": {", f);
        for (int c = 0; c < CLASS_COUNT; c++) {
            fprintf(f, "\"%s\": %" PRIu64 "%s", insn_class_names[c], b->classes[c],
                    c + 1 < CLASS_COUNT ? ", " : "");
        }
        fprintf(f, "}, \"taken_branches\": %" PRIu64 ", \"memory\": {", b->taken_branches);
        for (size_t r = 0; r < region_count; r++) {
            write_traffic(f, &b->memory[r], regions[r].name, 0);
        }
        write_traffic(f, &b->memory[region_count], "other", 1);
        fprintf(f, "}}%s\n", k + 1 < buckets->len ? "," : "");
    }
    fputs("]}\n", f);
    fclose(f);
}

static int parse_address(const char *text, uint64_t *value) {
    char *end;
    *value = strtoull(text, &end, 0);
    return *text != '\0' && *end == '\0';
}

static int parse_region(const char *text) {
    gchar **parts = g_strsplit(text, ":", 3);
    int ok = g_strv_length(parts) == 3 && region_count < MAX_REGIONS &&
             parse_address(parts[1], &regions[region_count].base) &&
             parse_address(parts[2], &regions[region_count].size);
    if (ok) {
        regions[region_count++].name = g_strdup(parts[0]);
    }
    g_strfreev(parts);
    return ok;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                           char **argv) {
    for (int i = 0; i < argc; i++) {
        const char *value = strchr(argv[i], '=');
        int ok = value != NULL;
        value = ok ? value + 1 : "";
        if (g_str_has_prefix(argv[i], "out=")) {
            out_path = g_strdup(value);
        } else if (g_str_has_prefix(argv[i], "region=")) {
            ok = ok && parse_region(value);
        } else if (g_str_has_prefix(argv[i], "hook=")) {
            ok = ok && parse_address(value, &hook_pc);
            hook_pc &= ~(uint64_t)1; /* a Thumb function address has bit 0 set */
            hook_set = 1;
        } else if (g_str_has_prefix(argv[i], "counter=")) {
            ok = ok && parse_address(value, &counter_addr);
            counter_set = 1;
        } else {
            ok = 0;
        }
        if (!ok) {
            fprintf(stderr,
                    "adprof: bad argument '%s' (out=PATH, region=NAME:BASE:SIZE, "
                    "hook=ADDR, counter=ADDR)\n",
                    argv[i]);
            return -1;
        }
    }
    if (out_path == NULL || hook_set != counter_set) {
        fprintf(stderr, "adprof: needs out=PATH, and hook= and counter= together\n");
        return -1;
    }
    buckets = g_array_new(FALSE, TRUE, sizeof(struct bucket));
    bucket_at(0);
    blocks = g_ptr_array_new();
    by_start = g_hash_table_new(g_bytes_hash, g_bytes_equal);
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, write_counts, NULL);
    return 0;
}
