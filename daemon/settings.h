/* settings.h: guardd's configuration file (--config FILE), a JSON object whose keys set
 * the fields of struct manager_config; and the site's redaction patterns, which the
 * command line adds to. (Not "config.h": that is meson's build configuration.) */
#pragma once

#include <stddef.h>

#include "manager.h"

/* The largest configuration file read, and the most redaction patterns in all. */
#define SETTINGS_FILE_MAX   (64 * 1024)
#define SETTINGS_REDACT_MAX 256
/* The longest redaction pattern, in bytes. */
#define SETTINGS_REGEX_MAX 1024
/* The most users in "break_glass_deny_users", and the longest name. */
#define SETTINGS_DENY_MAX 1024
#define SETTINGS_USER_MAX 256

/* Owns the strings and the redaction list a manager_config points to once
 * settings_load() or settings_add_redact() has set them, and the error lines. */
struct settings;

/* Returns 0 and a new, empty struct settings in *ret, or -ENOMEM. */
int settings_new(struct settings **ret);

/* Frees s and the strings of every manager_config it filled in: free it after the
 * daemon's last use of that configuration. Accepts NULL. */
void settings_free(struct settings *s);

/* Reads the configuration file path (a symbolic link is followed) and sets the fields
 * of *cfg for the keys the file has; the others keep their values. The file must be
 * a regular file of at most SETTINGS_FILE_MAX bytes, owned by root or by the effective
 * uid, and not writable by group or others, as policy files must.
 *
 * Returns 0, or a negative errno with *cfg untouched and every problem found appended
 * to settings_errors(), one a line: "FILE:LINE:COLUMN: text" for JSON syntax,
 * "FILE: key: text" for a value, "FILE: text" for the file itself. -EINVAL: the
 * contents; -EPERM: the file's type, owner or mode; another errno: it could not be
 * read; -ENOMEM. Call it at most once for each s. */
int settings_load(struct settings *s, const char *path, struct manager_config *cfg);

/* Appends pattern to cfg's redaction list, which becomes a copy that s owns. pattern
 * is not copied: it must live as long as s (an argv string does). Returns 0, -EINVAL
 * for a pattern settings_regex_problem() refuses or one too many, or -ENOMEM; *cfg
 * is untouched on failure. */
int settings_add_redact(struct settings *s, struct manager_config *cfg, const char *pattern);

/* NULL when pattern is a usable redaction pattern: a POSIX extended regex, not empty,
 * at most SETTINGS_REGEX_MAX bytes, without back-references (glibc's regexec() can
 * take exponential time on those, and what it runs on comes from whoever asks). Else
 * why not, written to buf. */
const char *settings_regex_problem(const char *pattern, char *buf, size_t size);

/* The error lines of the last failed call, owned by s; *n is set to their number. */
const char *const *settings_errors(const struct settings *s, size_t *n);
