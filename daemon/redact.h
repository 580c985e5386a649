/* redact.h: hide the secrets of a command before guardd logs it (passwords in options,
 * NAME=value with a secret name, user:pass@ in URLs, token shapes, site patterns). Pure:
 * no I/O, no global state; one struct redact may be used from several threads at once.
 *
 * A hidden secret becomes "***" and what is around it stays: --password=***, -p***,
 * PGPASSWORD=***, https://user:***@host, Authorization: Bearer ***, ghp_***. The work is
 * linear in the input, site patterns included (they are searched in windows, see
 * redact.c), and the output is at most three times the input. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define REDACT_MASK         "***"
#define REDACT_MAX_PATTERNS 256 /* site patterns in one struct redact */

struct redact; /* the built-in rules plus the compiled site patterns */

/* Compiles the site patterns: POSIX extended regular expressions (regcomp REG_EXTENDED).
 * When a pattern has a parenthesised group only what group 1 matched is hidden, else the
 * whole match. A pattern that matches the empty string is refused (it would hide nothing).
 * Returns 0 and a new object in *ret (free it with redact_free), -EINVAL after writing
 * "pattern N: <what is wrong>" to err (N counts from 0, as the config's array does), or
 * -ENOMEM. n may be 0: the built-in rules only. */
int redact_new(const char *const *patterns, size_t n, struct redact **ret, char *err,
	       size_t err_len);
/* Accepts NULL. */
void redact_free(struct redact *r);

/* A redacted copy of argv (n words). Program context counts: -pSECRET is hidden only for
 * the mysql family, `--password X` hides X, `sshpass -p X`, `curl -u user:pass`, a shell
 * line after `sh -c` or `ssh host` is read as a line (see redact_line). r may be NULL (the
 * built-in rules only). Returns 0 and a NULL-terminated array in *ret that the caller frees
 * with redact_free_argv, or -ENOMEM, or -E2BIG for more than 1 GiB. *changed (when not
 * NULL) tells whether anything was hidden. Nothing is written through ret on failure. */
int redact_argv(const struct redact *r, const char *const *argv, size_t n, char ***ret,
		bool *changed);
/* Accepts NULL. */
void redact_free_argv(char **argv);

/* A redacted copy of a whole shell line (guard -c): the same secrets, quoted or not, in
 * every simple command of the line; quotes stay balanced (-p'***'). Returns 0 and a string
 * the caller frees in *ret, or -ENOMEM, or -E2BIG. */
int redact_line(const struct redact *r, const char *line, char **ret, bool *changed);

/* A redacted copy of one environment variable's value: all of it when the name is a
 * secret's (see redact_env_name), else the secrets inside it (a URL's password, a token,
 * a command line). Returns 0 and a string the caller frees in *ret, or -ENOMEM, -E2BIG. */
int redact_env(const struct redact *r, const char *name, const char *value, char **ret,
	       bool *changed);

/* Whether an environment variable's value is hidden for its name alone: the name holds
 * PASSWORD, PASSWD, PASSPHRASE, SECRET, TOKEN, PASS, AUTH, API_KEY, PRIVATE_KEY,
 * ACCESS_KEY, CREDENTIALS... (any case: PGPASSWORD, AWS_SECRET_ACCESS_KEY, GITHUB_TOKEN),
 * and is not the name of a path or a switch (PASSWORD_FILE, SSH_AUTH_SOCK, SSH_ASKPASS). */
bool redact_env_name(const char *name);
