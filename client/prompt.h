/* prompt.h: ask the person at the controlling terminal, not stdin: stdin may be
 * the guarded command's own input (a pipe, a file), which must not be eaten. */
#pragma once

#include <stddef.h>

/* Opens the controlling terminal for reading and writing. Returns the fd
 * (close-on-exec) or negative errno: -ENXIO and friends when there is none. */
int prompt_open(void);

/* Writes text to the terminal, then reads one line into buf (without its
 * newline). Returns 0, -ENODATA at end of input (the person pressed Ctrl-D),
 * -EMSGSIZE for a line longer than size - 1, or another negative errno. */
int prompt_line(int tty, const char *text, char *buf, size_t size);
