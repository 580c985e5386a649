/* load.c: finding, vetting and reading policy files: a directory listed in strcmp()
 * order, owner and mode checks on the opened descriptor (so that what was checked is
 * what is read), a size cap, and the revision hash over what was read. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdio.h"
#include "policy-internal.h"

/* "PATH: strerror" and r back, or -ENOMEM. */
static int report_errno(struct policy_errors *errs, const char *path, int r)
{
	char buf[128];
	int k = policy_errors_addf(errs, "%s: %s", path, strerror_r(-r, buf, sizeof(buf)));

	return k < 0 ? k : r;
}

static int refuse(struct policy_errors *errs, const char *path, const char *why)
{
	int k = policy_errors_addf(errs, "%s: %s; refusing it", path, why);

	return k < 0 ? k : -EPERM;
}

int policy_check_owner_mode(struct policy_errors *errs, const char *path, const struct stat *st)
{
	uid_t euid = geteuid();
	char why[96];
	int r = 0;

	if (st->st_uid != 0 && st->st_uid != euid) {
		if (euid == 0)
			snprintf(why, sizeof(why), "owned by uid %u, not by root", st->st_uid);
		else
			snprintf(why, sizeof(why), "owned by uid %u, not by root or uid %u",
				 st->st_uid, euid);
		r = refuse(errs, path, why);
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, sizeof(why), "writable by group or others (mode %04o)",
			 st->st_mode & 07777);
		r = policy_worse(r, refuse(errs, path, why));
	}
	return r;
}

static int check_file(struct policy_errors *errs, const char *path, const struct stat *st)
{
	int r, k;

	if (!S_ISREG(st->st_mode))
		return refuse(errs, path, "not a regular file");
	r = policy_check_owner_mode(errs, path, st);
	if (st->st_size > POLICY_FILE_MAX) {
		k = policy_errors_addf(errs, "%s: larger than 1 MiB (%jd bytes); refusing it", path,
				       (intmax_t)st->st_size);
		r = policy_worse(r, k < 0 ? k : -EINVAL);
	}
	return r;
}

static int read_contents(struct policy_errors *errs, const char *path, int fd, char **ret,
			 size_t *ret_size)
{
	/* -EFBIG: the file grew after fstat(). */
	int r = fdio_read_max(fd, POLICY_FILE_MAX, ret, ret_size), k;

	if (r == -EFBIG) {
		k = policy_errors_addf(errs, "%s: larger than 1 MiB; refusing it", path);
		return k < 0 ? k : -EINVAL;
	}
	if (r < 0 && r != -ENOMEM)
		return report_errno(errs, path, r);
	return r;
}

static int read_file(int dirfd, const char *at, const char *path, struct policy_errors *errs,
		     char **ret, size_t *ret_size)
{
	/* O_NONBLOCK: a FIFO put in the directory must not hang the load; it is refused
	 * as not a regular file right after. */
	int fd = openat(dirfd, at, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	int r;

	if (fd < 0)
		return errno == ELOOP ? refuse(errs, path, "a symbolic link")
				      : report_errno(errs, path, -errno);
	if (fstat(fd, &st) < 0)
		r = report_errno(errs, path, -errno);
	else
		r = check_file(errs, path, &st);
	if (r == 0)
		r = read_contents(errs, path, fd, ret, ret_size);
	close(fd);
	return r;
}

/* The revision covers each file's name (not its directory, so that the same policy
 * has the same revision wherever it is loaded from) and contents, framed by a NUL and
 * a 64-bit big-endian length so that no two policies hash the same input. */
static int hash_file(EVP_MD_CTX *md, const char *path, const char *data, size_t size)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	unsigned char len[8];

	for (size_t i = 0; i < sizeof(len); i++)
		len[i] = (unsigned char)((uint64_t)size >> (56 - 8 * i));
	if (!EVP_DigestUpdate(md, name, strlen(name) + 1) ||
	    !EVP_DigestUpdate(md, len, sizeof(len)) || !EVP_DigestUpdate(md, data, size))
		return -ENOMEM;
	return 0;
}

static int hash_hex(EVP_MD_CTX *md, char hex[65])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int n;

	if (!EVP_DigestFinal_ex(md, digest, &n) || n != 32)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	return 0;
}

static int load_one(int dirfd, const char *at, struct policy_file *f, EVP_MD_CTX *md,
		    struct policy_errors *errs)
{
	AUTOFREE char *data = NULL;
	size_t size = 0;
	int r;

	r = read_file(dirfd, at, f->path, errs, &data, &size);
	if (r < 0)
		return r;
	r = hash_file(md, f->path, data, size);
	if (r < 0)
		return r;
	return policy_parse_file(data, size, errs, f);
}

/* Reads, hashes and parses files[0..n), whose paths the caller set; file i is opened
 * as at[i] relative to dirfd. Goes on after errors so that all of them are reported.
 * Takes ownership of files. */
static int load(int dirfd, const char *const *at, struct policy_file *files, size_t n,
		struct policy_errors *errs, struct policy **ret)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	char revision[65];
	int r = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) ? 0 : -ENOMEM;

	for (size_t i = 0; r != -ENOMEM && i < n; i++)
		r = policy_worse(r, load_one(dirfd, at[i], &files[i], md, errs));
	if (r != -ENOMEM)
		r = policy_worse(r, policy_files_check(files, n, errs));
	if (r == 0)
		r = hash_hex(md, revision);
	EVP_MD_CTX_free(md);
	if (r < 0) {
		policy_files_free(files, n);
		return r;
	}
	return policy_new(files, n, revision, ret);
}

static int open_dir(const char *dir, struct policy_errors *errs, DIR **ret)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	DIR *d = NULL;
	int r;

	if (fd < 0)
		return report_errno(errs, dir, -errno);
	if (fstat(fd, &st) < 0)
		r = report_errno(errs, dir, -errno);
	else
		r = policy_check_owner_mode(errs, dir, &st);
	if (r == 0 && !(d = fdopendir(fd)))
		r = report_errno(errs, dir, -errno);
	if (r < 0) {
		close(fd);
		return r;
	}
	*ret = d;
	return 0;
}

static bool is_policy_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".json") == 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The policy file names in d, in strcmp() order; the caller frees them with
 * names_free() (also on failure: *names holds what was read). */
static int list_names(DIR *d, char ***names, size_t *n)
{
	for (;;) {
		struct dirent *de;
		char **grown;

		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (!is_policy_name(de->d_name))
			continue;
		grown = realloc(*names, (*n + 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		*names = grown;
		grown[*n] = strdup(de->d_name);
		if (!grown[*n])
			return -ENOMEM;
		(*n)++;
	}
	if (errno)
		return -errno;
	if (*n > 1)
		qsort(*names, *n, sizeof(**names), compare_names);
	return 0;
}

static int load_names(int dirfd, const char *dir, char **names, size_t n,
		      struct policy_errors *errs, struct policy **ret)
{
	struct policy_file *files = calloc(n, sizeof(*files));
	size_t len = strlen(dir);

	if (!files)
		return -ENOMEM;
	/* "DIR/NAME" in error lines, without a doubled '/' for "DIR/" or "/". */
	while (len > 0 && dir[len - 1] == '/')
		len--;
	for (size_t i = 0; i < n; i++) {
		if (asprintf(&files[i].path, "%.*s/%s", (int)len, dir, names[i]) < 0) {
			files[i].path = NULL;
			policy_files_free(files, n);
			return -ENOMEM;
		}
	}
	return load(dirfd, (const char *const *)names, files, n, errs, ret);
}

int policy_load_dir(const char *dir, struct policy_errors *errs, struct policy **ret)
{
	char **names = NULL;
	size_t n = 0;
	DIR *d = NULL;
	int r, k;

	if (!dir || !ret)
		return -EINVAL;
	r = open_dir(dir, errs, &d);
	if (r < 0)
		return r;
	r = list_names(d, &names, &n);
	if (r < 0 && r != -ENOMEM) {
		r = report_errno(errs, dir, r);
	} else if (r == 0 && n == 0) {
		k = policy_errors_addf(errs, "%s: no policy files (*.json)", dir);
		r = k < 0 ? k : -EINVAL;
	} else if (r == 0) {
		r = load_names(dirfd(d), dir, names, n, errs, ret);
	}
	names_free(names, n);
	closedir(d);
	return r;
}

int policy_load_files(const char *const *paths, size_t n, struct policy_errors *errs,
		      struct policy **ret)
{
	struct policy_file *files;
	int k;

	if ((!paths && n > 0) || !ret)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!paths[i])
			return -EINVAL;
	if (n == 0) {
		k = policy_errors_addf(errs, "no policy files given");
		return k < 0 ? k : -EINVAL;
	}
	files = calloc(n, sizeof(*files));
	if (!files)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		files[i].path = strdup(paths[i]);
		if (!files[i].path) {
			policy_files_free(files, n);
			return -ENOMEM;
		}
	}
	return load(AT_FDCWD, paths, files, n, errs, ret);
}
