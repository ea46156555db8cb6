/* The model runner's file access: plain stdio on the host, Arm semihosting on the emulated
 * boards (QEMU serves the files of its working folder), so one runner serves both. */
#ifndef RUNNER_IO_H
#define RUNNER_IO_H

#include <stddef.h>

/* A handle >= 0, or -1 when the file cannot be opened. */
int runner_open(const char *path, int for_writing);
/* Bytes read (0 at the end of the file), like fread. */
size_t runner_read(int handle, void *data, size_t len);
/* 1 when every byte was written. */
int runner_write(int handle, const void *data, size_t len);
/* 1 when the file was closed cleanly (written data flushed). */
int runner_close(int handle);
/* Diagnostics for the person running the tests. */
void runner_error(const char *text);

#endif /* RUNNER_IO_H */
