/* Model runner for the tests: the generated C and kernels run on input files, natively on the
 * host and under QEMU on the emulated boards (files through semihosting), so one image runs
 * many models on many inputs.
 *
 * Link with a table `adrt_host_models` of generated model descriptors. The runner reads
 * `jobs.txt` from the working folder: one job per line, `INDEX INPUTS OUTPUTS`. INPUTS holds N
 * input sets (each: every input tensor's bytes in order); OUTPUTS receives N output sets the
 * same way. Exit code 0 when every job ran. */
#include <stdint.h>

#include "adrt/model_api.h"

#include "runner_io.h"

extern const adrt_model_t *const adrt_host_models[];
extern const unsigned adrt_host_model_count;

enum { JOBS_MAX_BYTES = 1 << 16 };
static char s_jobs[JOBS_MAX_BYTES + 1];

/* 0: a full set was read, 1: clean end of file, -1: a truncated set. A model whose inputs
 * are all empty reads one (empty) set. */
static int read_inputs(const adrt_model_t *m, int in, long sets_done) {
    size_t wanted = 0, got = 0;
    for (uint32_t i = 0; i < m->num_inputs; i++) {
        wanted += m->inputs[i].bytes;
        got += runner_read(in, m->input(i), m->inputs[i].bytes);
    }
    if (wanted == 0) {
        return sets_done == 0 ? 0 : 1;
    }
    if (got == 0) {
        return 1;
    }
    return got == wanted ? 0 : -1;
}

/* Runs model `index` on every input set of `inputs`; 0 on success. */
static int run_job(unsigned index, const char *inputs, const char *outputs) {
    if (index >= adrt_host_model_count) {
        runner_error("model_runner: no such model index\n");
        return 2;
    }
    const adrt_model_t *m = adrt_host_models[index];
    int in = runner_open(inputs, 0);
    int out = runner_open(outputs, 1);
    if (in < 0 || out < 0) {
        runner_error("model_runner: cannot open a job's input or output file\n");
        return 2;
    }
    m->init();
    long sets = 0;
    for (;; sets++) {
        int status = read_inputs(m, in, sets);
        if (status > 0) {
            break;
        }
        if (status < 0) {
            runner_error("model_runner: an input set is incomplete\n");
            return 3;
        }
        m->invoke();
        for (uint32_t o = 0; o < m->num_outputs; o++) {
            if (!runner_write(out, m->output(o), m->outputs[o].bytes)) {
                return 4;
            }
        }
    }
    runner_close(in);
    return (runner_close(out) && sets > 0) ? 0 : 4;
}

/* The next whitespace-separated word of *cursor, NUL-terminated in place; NULL at the end. */
static char *next_word(char **cursor) {
    char *p = *cursor;
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') {
        p++;
    }
    if (*p == '\0') {
        return NULL;
    }
    char *word = p;
    while (*p != '\0' && *p != ' ' && *p != '\n' && *p != '\r' && *p != '\t') {
        p++;
    }
    if (*p != '\0') {
        *p++ = '\0';
    }
    *cursor = p;
    return word;
}

int main(void) {
    int jobs = runner_open("jobs.txt", 0);
    if (jobs < 0) {
        runner_error("model_runner: no jobs.txt in the working folder\n");
        return 2;
    }
    size_t len = runner_read(jobs, s_jobs, JOBS_MAX_BYTES);
    runner_close(jobs);
    s_jobs[len] = '\0';
    char *cursor = s_jobs;
    for (;;) {
        char *index = next_word(&cursor);
        if (index == NULL) {
            return 0;
        }
        char *inputs = next_word(&cursor);
        char *outputs = next_word(&cursor);
        if (outputs == NULL) {
            runner_error("model_runner: a job needs INDEX INPUTS OUTPUTS\n");
            return 2;
        }
        unsigned number = 0;
        for (const char *d = index; *d >= '0' && *d <= '9'; d++) {
            number = number * 10u + (unsigned)(*d - '0');
        }
        int status = run_job(number, inputs, outputs);
        if (status != 0) {
            return status;
        }
    }
}
