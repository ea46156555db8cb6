/* adprof: a QEMU TCG plugin that counts, per profiled layer of an emulated Cortex-M, the executed
 * instructions by class (classify.h), the taken branches, the beats of the Helium instructions
 * (beats.h) and how many of them a dual-beat core overlaps, and per region of the platform's map
 * the memory accesses (count and bytes, read and write), the instruction fetches and, with a
 * data cache, its line fills and write-backs.
 *
 * Arguments (-plugin libadprof.so,out=...,region=...):
 *   out=PATH              where the counts go, as JSON, when QEMU ends
 *   region=NAME:BASE:SIZE a memory region (repeat; up to MAX_REGIONS); others count as "other"
 *   hook=ADDR, counter=ADDR  the layer hook function's entry and the counter register it reads.
 *     Layers are the windows between the counter reads the firmware's hook makes: the first
 *     read of `counter` after each entry into `hook` opens a layer, the next one closes it. That
 *     is the window the firmware times, and the firmware is unchanged. Without them everything
 *     counts as outside layers.
 *   boundaries=N          how many counter reads after each entry into `hook` are window edges
 *     (default 1: the layer hook, entered once per edge; 2: a function that opens and closes its
 *     window itself, like the power app's measure()).
 *   dcache=SIZE:WAYS:LINE a data cache (bytes; LINE a power of two): set-associative, LRU,
 *     write-back, write-allocate, one for the run, tag = address / LINE. It sees the data
 *     accesses to the cached= regions and counts line fills (refills) and dirty lines evicted
 *     (writebacks) per region.
 *   cached=NAME           a region whose data accesses go through the cache (repeat).
 *
 * Instructions are counted by inline counters per translated instruction (no callback on the
 * hot path); a layer boundary moves the counts so far into the bucket that just ended. Counting
 * per instruction rather than per block keeps the total exact when QEMU abandons a block half
 * way (an I/O access under -icount). Beats, overlaps and fetches follow from the same
 * per-instruction counts (translation-time facts times executions), so they need no callback
 * either. One vCPU: the M-profile machines have one core. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu/qemu-plugin.h>

#include "beats.h"
#include "classify.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_REGIONS 16

struct region {
    char *name;
    uint64_t base, size;
};

struct traffic {
    uint64_t reads, read_bytes, writes, write_bytes, fetches, fetch_bytes, refills, writebacks;
};

/* Bucket 0 is everything outside layers; bucket k is the k-th layer window. */
struct bucket {
    uint64_t classes[CLASS_COUNT];
    uint64_t taken_branches, mve_beats, mve_overlapped, mve_chained;
    struct traffic memory[MAX_REGIONS + 1]; /* the last one: addresses in no region */
};

/* What translation tells about an instruction. `overlapped`: a Helium instruction right after
 * one of the other group (memory or not) in the same block, the pairs a dual-beat core
 * overlaps; `chained`: right after one of the same group (the timing model decides what such a
 * pair costs). */
struct insn {
    uint8_t cls, beats, overlapped, chained, size, region;
};

/* A translated block: per instruction what translation tells, its execution count (incremented
 * inline by QEMU) and how much of that count is already in a bucket. */
struct block {
    uint64_t pc, fallthrough;
    size_t n;
    int ends_in_branch;
    struct insn *insns;
    uint64_t *executed, *moved;
};

/* The data cache: per line slot (set * ways + way) its line number + 1 (0: empty), when it was
 * last used (LRU) and whether it is dirty. */
struct cache {
    uint64_t line, sets, ways, clock;
    uint64_t *tags, *used;
    uint8_t *dirty;
};

static struct region regions[MAX_REGIONS];
static size_t region_count;
static char *out_path;
static uint64_t hook_pc, counter_addr;
static int hook_set, counter_set;
static struct cache dcache;         /* dcache.line == 0: no cache */
static int cached[MAX_REGIONS + 1]; /* per region: its data accesses use the cache */
static GPtrArray *cached_names;     /* the cached= arguments until the regions are known */

static GArray *buckets;         /* struct bucket */
static GPtrArray *blocks;       /* struct block *, every block ever translated */
static GHashTable *by_start;    /* (pc, length) -> struct block *: a re-translation reuses it */
static guint current;           /* the bucket counting now */
static uint64_t boundaries = 1; /* counter reads after a hook entry that are window edges */
static uint64_t pending;        /* of those, the ones still to come */

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
            uint64_t executed = blk->executed[i] - blk->moved[i];
            const struct insn *in = &blk->insns[i];
            struct traffic *t = &b->memory[in->region];
            b->classes[in->cls] += executed;
            b->mve_beats += executed * in->beats;
            b->mve_overlapped += executed * in->overlapped;
            b->mve_chained += executed * in->chained;
            t->fetches += executed;
            t->fetch_bytes += executed * in->size;
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

/* One access to line `line` of region `region`: a hit, or a refill that may first write a dirty
 * line back (to that line's own region). */
static void cache_touch(struct bucket *b, uint64_t line, size_t region, int store) {
    uint64_t *tags = &dcache.tags[line % dcache.sets * dcache.ways];
    uint64_t *used = &dcache.used[tags - dcache.tags];
    uint8_t *dirty = &dcache.dirty[tags - dcache.tags];
    uint64_t victim = 0;
    dcache.clock++;
    for (uint64_t w = 0; w < dcache.ways; w++) {
        if (tags[w] == line + 1) {
            used[w] = dcache.clock;
            dirty[w] |= store;
            return;
        }
        victim = used[w] < used[victim] ? w : victim; /* empty slots were never used: 0 */
    }
    if (tags[victim] != 0 && dirty[victim]) {
        b->memory[region_of((tags[victim] - 1) * dcache.line)].writebacks++;
    }
    b->memory[region].refills++;
    tags[victim] = line + 1;
    used[victim] = dcache.clock;
    dirty[victim] = store;
}

static void on_memory(unsigned vcpu, qemu_plugin_meminfo_t info, uint64_t address, void *unused) {
    uint64_t bytes = 1u << qemu_plugin_mem_size_shift(info);
    int store = qemu_plugin_mem_is_store(info);
    size_t region = region_of(address);
    struct bucket *b = bucket_at(current);
    struct traffic *t = &b->memory[region];
    if (cached[region]) { /* an access across a line boundary touches both lines */
        for (uint64_t line = address / dcache.line; line <= (address + bytes - 1) / dcache.line;
             line++) {
            cache_touch(b, line, region, store);
        }
    }
    if (store) {
        t->writes++;
        t->write_bytes += bytes;
    } else {
        t->reads++;
        t->read_bytes += bytes;
    }
    if (pending > 0 && !store && address == counter_addr) {
        pending--;
        move_counts();
        current = current == 0 ? buckets->len : 0;
        bucket_at(current);
    }
}

static void on_hook(unsigned vcpu, void *unused) {
    pending = boundaries;
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
    blk->insns = g_new0(struct insn, n);
    blk->executed = g_new0(uint64_t, n);
    blk->moved = g_new0(uint64_t, n);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        const uint8_t *bytes = qemu_plugin_insn_data(insn);
        size_t size = qemu_plugin_insn_size(insn);
        uint16_t hw1 = bytes[0] | bytes[1] << 8;
        uint16_t hw2 = size == 4 ? (uint16_t)(bytes[2] | bytes[3] << 8) : 0;
        struct insn *in = &blk->insns[i];
        in->cls = classify_thumb(hw1, hw2);
        in->beats = helium_beats(in->cls, hw1, hw2);
        int after_helium = i > 0 && is_helium(in->cls) && is_helium(in[-1].cls);
        int same_group = after_helium && is_helium_memory(in->cls) == is_helium_memory(in[-1].cls);
        in->overlapped = after_helium && !same_group;
        in->chained = same_group;
        in->size = size;
        in->region = region_of(qemu_plugin_insn_vaddr(insn));
        blk->fallthrough = qemu_plugin_insn_vaddr(insn) + size;
    }
    blk->ends_in_branch = blk->insns[n - 1].cls == CLASS_BRANCH;
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
    fprintf(f,
            "\"%s\": [%" PRIu64 ", %" PRIu64 ", %" PRIu64 ", %" PRIu64 ", %" PRIu64 ", %" PRIu64
            ", %" PRIu64 ", %" PRIu64 "]%s",
            name, t->reads, t->read_bytes, t->writes, t->write_bytes, t->fetches, t->fetch_bytes,
            t->refills, t->writebacks, last ? "" : ", ");
}

/* {"buckets": [{"classes": {...}, "taken_branches": N, "mve_beats": N, "mve_overlapped": N,
 *               "mve_chained": N,
 *               "memory": {region: [reads, read bytes, writes, write bytes, fetches,
 *                                   fetch bytes, refills, writebacks]}}]} */
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
        fprintf(f,
                "}, \"taken_branches\": %" PRIu64 ", \"mve_beats\": %" PRIu64
                ", \"mve_overlapped\": %" PRIu64 ", \"mve_chained\": %" PRIu64 ", \"memory\": {",
                b->taken_branches, b->mve_beats, b->mve_overlapped, b->mve_chained);
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

/* SIZE:WAYS:LINE, bytes; LINE a power of two and SIZE a multiple of WAYS * LINE. */
static int parse_dcache(const char *text) {
    gchar **parts = g_strsplit(text, ":", 3);
    uint64_t size = 0, ways = 0, line = 0;
    int ok = g_strv_length(parts) == 3 && parse_address(parts[0], &size) &&
             parse_address(parts[1], &ways) && parse_address(parts[2], &line) && ways > 0 &&
             line > 0 && (line & (line - 1)) == 0 && size > 0 && size % (ways * line) == 0;
    g_strfreev(parts);
    if (ok) {
        dcache.line = line;
        dcache.ways = ways;
        dcache.sets = size / (ways * line);
        dcache.tags = g_new0(uint64_t, size / line);
        dcache.used = g_new0(uint64_t, size / line);
        dcache.dirty = g_new0(uint8_t, size / line);
    }
    return ok;
}

/* Marks the cached= regions; 0 when one names no region= or there is no dcache=. */
static int resolve_cached_regions(void) {
    for (guint k = 0; k < cached_names->len; k++) {
        const char *name = g_ptr_array_index(cached_names, k);
        size_t r = 0;
        while (r < region_count && strcmp(regions[r].name, name) != 0) {
            r++;
        }
        if (r == region_count || dcache.line == 0) {
            fprintf(stderr, "adprof: cached=%s: %s\n", name,
                    dcache.line == 0 ? "needs dcache=SIZE:WAYS:LINE" : "no region= has that name");
            return 0;
        }
        cached[r] = 1;
    }
    return 1;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                           char **argv) {
    cached_names = g_ptr_array_new_with_free_func(g_free);
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
        } else if (g_str_has_prefix(argv[i], "boundaries=")) {
            ok = ok && parse_address(value, &boundaries) && boundaries > 0;
        } else if (g_str_has_prefix(argv[i], "dcache=")) {
            ok = ok && dcache.line == 0 && parse_dcache(value);
        } else if (g_str_has_prefix(argv[i], "cached=")) {
            g_ptr_array_add(cached_names, g_strdup(value));
        } else {
            ok = 0;
        }
        if (!ok) {
            fprintf(stderr,
                    "adprof: bad argument '%s' (out=PATH, region=NAME:BASE:SIZE, "
                    "hook=ADDR, counter=ADDR, boundaries=N, dcache=SIZE:WAYS:LINE with LINE a "
                    "power of two "
                    "and SIZE a multiple of WAYS*LINE, cached=REGION)\n",
                    argv[i]);
            return -1;
        }
    }
    if (out_path == NULL || hook_set != counter_set) {
        fprintf(stderr, "adprof: needs out=PATH, and hook= and counter= together\n");
        return -1;
    }
    if (!resolve_cached_regions()) {
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
