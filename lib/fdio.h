/*
 * Whole writes to a file descriptor: write(2) may take part of a buffer
 * or be interrupted by a signal.
 */
#ifndef FDIO_H
#define FDIO_H

#include <stddef.h>

/* Writes all len bytes of data to fd, retrying after EINTR and short
 * writes; 0, or -1 with errno set by the write that failed. */
int fd_write_all(int fd, const void *data, size_t len);

#endif
