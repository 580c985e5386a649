/* spool-write.c: see spool-write.h. The spool is like /tmp, plus the set-group-id bit
 * (mode 3733, group guardd): we may create a file but not list the directory, so the
 * entry's name is its random id; and the file gets guardd's group, so that mode 0640
 * lets guardd, which runs as a user of its own, read it and nobody else. In a spool
 * without the set-group-id bit the file must be readable by others (0644): then the
 * name, which nobody can list, is what keeps it from other users. */
#include "spool-write.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"

#include "config.h"
#include "guard/protocol.h"

const char *spool_write_dir(const char *dir)
{
	const char *env = getenv(GUARD_SPOOL_DIR_ENV);

	if (dir)
		return dir;
	return env && *env ? env : GUARD_DEFAULT_SPOOL_DIR;
}

static int new_id(char ret[SPOOL_WRITE_ID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[SPOOL_WRITE_ID_LEN / 2];

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -EIO;
	for (size_t i = 0; i < sizeof(raw); i++) {
		ret[2 * i] = hex[raw[i] >> 4];
		ret[2 * i + 1] = hex[raw[i] & 15];
	}
	ret[SPOOL_WRITE_ID_LEN] = '\0';
	return 0;
}

static void timestamp(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%06ldZ", ts.tv_nsec / 1000);
}

json_t *spool_write_entry(json_t *request, const char *reason, char ret_id[SPOOL_WRITE_ID_LEN + 1])
{
	char ts[40];
	struct passwd *pw = getpwuid(getuid());

	if (new_id(ret_id) < 0)
		return NULL;
	timestamp(ts, sizeof(ts));
	/* The file waits on disk for guardd, so it carries no environment: that is where
	 * tokens live. The would-be decision is judged without env conditions then. */
	json_t *req = json_deep_copy(request);
	if (!req)
		return NULL;
	json_object_del(req, "env");
	return json_pack("{s:i,s:s,s:s,s:I,s:I,s:s?,s:s,s:o}", "version", 1, "spool_id", ret_id,
			 "ts", ts, "pid", (json_int_t)getpid(), "uid", (json_int_t)getuid(), "user",
			 pw ? pw->pw_name : NULL, "reason", reason, "request", req);
}

/* The rename reaches the disk with the directory; we may not be able to open it for
 * that (it is not ours to read), and then the journal of the file system does it soon. */
static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int write_file(int dfd, const char *tmp, const char *data)
{
	struct stat st;
	mode_t mode = fstat(dfd, &st) == 0 && (st.st_mode & S_ISGID) ? 0640 : 0644;
	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	int r;

	if (fd < 0)
		return -errno;
	/* Whatever the umask: guardd reads it as another user. */
	r = fchmod(fd, mode) < 0 ? -errno : 0;
	if (r == 0)
		r = fdio_write_all(fd, data, strlen(data));
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

int spool_write(const char *dir, json_t *entry)
{
	const char *id = json_string_value(json_object_get(entry, "spool_id"));
	char tmp[64], name[64];
	/* O_PATH: the directory is ours to write into, not to read. */
	int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC), r;
	char *data;

	if (dfd < 0)
		return -errno;
	data = id ? json_dumps(entry, JSON_COMPACT) : NULL;
	if (!data) {
		close(dfd);
		return -ENOMEM;
	}
	/* Dot names are not entries yet: guardd leaves them alone while they are written. */
	snprintf(tmp, sizeof(tmp), ".tmp-%s", id);
	snprintf(name, sizeof(name), "%s.json", id);
	r = write_file(dfd, tmp, data);
	if (r == 0 && renameat(dfd, tmp, dfd, name) < 0)
		r = -errno;
	if (r < 0)
		unlinkat(dfd, tmp, 0);
	else
		sync_dir(dir);
	free(data);
	close(dfd);
	return r;
}
