/* fdio.h: small I/O helpers every part shares. */
#pragma once

#include <stddef.h>

/* write(2) until all n bytes of p are written, retrying on EINTR. Returns 0, or
 * negative errno (-EIO when write returns 0). */
int fdio_write_all(int fd, const void *p, size_t n);

/* Reads fd to its end, retrying on EINTR, into a new NUL-terminated buffer the
 * caller frees. Returns 0 with the buffer in *ret and its length in *ret_n;
 * -EFBIG when there are more than max bytes (a file that grew after fstat(), or
 * one too large to trust); -ENOMEM; or read's negative errno. */
int fdio_read_max(int fd, size_t max, char **ret, size_t *ret_n);
