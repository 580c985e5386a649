/* fdio.h: small I/O helpers every part shares. */
#pragma once

#include <stddef.h>

/* write(2) until all n bytes of p are written, retrying on EINTR. Returns 0, or
 * negative errno (-EIO when write returns 0). */
int fdio_write_all(int fd, const void *p, size_t n);
