/* resolve.h: find the program a command word names, the way execvp(3) would. */
#pragma once

/* The absolute path that executing word would run, found through $PATH when
 * word has no slash. Returns 0 and a new string in *ret, -ENOENT when nothing
 * executable is found, or another negative errno. */
int resolve_program(const char *word, const char *cwd, char **ret);
