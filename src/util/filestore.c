/*
 * filestore.c: durable, content-addressed files (see filestore.h).
 */
#include "util/filestore.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

bool filestore_ensure_dir(const char *dir)
{
	struct stat sb;
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		return false;
	if (stat(dir, &sb) != 0)
		return false;
	if (!S_ISDIR(sb.st_mode)) {
		errno = ENOTDIR;
		return false;
	}
	return true;
}

void filestore_hash(const void *data, size_t len, char out[FILESTORE_NAME_HEX + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(out, FILESTORE_NAME_HEX + 1, h, sizeof(h));
}

bool filestore_path(const char *dir, const char *name, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);
	return n > 0 && (size_t)n < cap;
}

/* Writes all of data to fd, retrying short writes and interruptions. */
static bool write_all(int fd, const unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* fsyncs the directory so a rename into it is durable. */
static bool sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool ok = fsync(fd) == 0;
	int saved = errno;
	close(fd);
	errno = saved;
	return ok;
}

bool filestore_put(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4096], tmp[4096];
	struct stat sb;
	if (!filestore_path(dir, name, path, sizeof(path))) {
		errno = ENAMETOOLONG;
		return false;
	}
	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && (size_t)sb.st_size == len)
		return true; /* the same name is the same content */
	int n = snprintf(tmp, sizeof(tmp), "%s/.tmp-%s-XXXXXX", dir, name);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return false;
	}
	int fd = mkstemp(tmp);
	if (fd < 0)
		return false;
	bool ok = fchmod(fd, 0640) == 0 && write_all(fd, data, len) && fsync(fd) == 0;
	int saved = errno;
	if (close(fd) != 0 && ok) {
		ok = false;
		saved = errno;
	}
	if (ok && rename(tmp, path) != 0) {
		ok = false;
		saved = errno;
	}
	if (!ok) {
		unlink(tmp);
		errno = saved;
		return false;
	}
	return sync_dir(dir);
}
