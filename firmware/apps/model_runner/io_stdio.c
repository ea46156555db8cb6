/* runner_io.h on a host with a C library: stdio. */
#include <stdio.h>

#include "runner_io.h"

enum { MAX_FILES = 4 };
static FILE *s_files[MAX_FILES];

int runner_open(const char *path, int for_writing) {
    for (int h = 0; h < MAX_FILES; h++) {
        if (s_files[h] == NULL) {
            s_files[h] = fopen(path, for_writing ? "wb" : "rb");
            return s_files[h] != NULL ? h : -1;
        }
    }
    return -1;
}

size_t runner_read(int handle, void *data, size_t len) {
    return fread(data, 1, len, s_files[handle]);
}

int runner_write(int handle, const void *data, size_t len) {
    return fwrite(data, 1, len, s_files[handle]) == len;
}

int runner_close(int handle) {
    int ok = fclose(s_files[handle]) == 0;
    s_files[handle] = NULL;
    return ok;
}

void runner_error(const char *text) {
    fputs(text, stderr);
}
