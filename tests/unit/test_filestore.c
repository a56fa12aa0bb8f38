/* Unit tests for src/util/filestore.c: names are SHA-256 hex, a file is written
 * whole under its name with no temporary left behind, the same content twice is
 * one file, and a folder that is a file is refused. */
#include <dirent.h>
#include <sodium.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "util/filestore.h"

/* Number of entries in dir other than . and .. */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	if (!d)
		return -1;
	for (struct dirent *e = readdir(d); e; e = readdir(d))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void hash_is_sha256_hex(void)
{
	char h[FILESTORE_NAME_HEX + 1];
	filestore_hash("abc", 3, h);
	CHECK_STR_EQ(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	filestore_hash("", 0, h);
	CHECK_STR_EQ(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void put_and_put_again(void)
{
	char root[] = "/tmp/jifen-filestore-XXXXXX";
	CHECK(mkdtemp(root) != NULL);
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/files", root);
	CHECK(filestore_ensure_dir(dir));
	CHECK(filestore_ensure_dir(dir)); /* already there: fine */
	static const char data[] = "\xFF\xD8\xFF pretend photo bytes";
	char name[FILESTORE_NAME_HEX + 1], path[512];
	filestore_hash(data, sizeof(data) - 1, name);
	CHECK(filestore_put(dir, name, data, sizeof(data) - 1));
	CHECK(filestore_put(dir, name, data, sizeof(data) - 1));
	CHECK_INT_EQ(count_entries(dir), 1);
	CHECK(filestore_path(dir, name, path, sizeof(path)));
	FILE *f = fopen(path, "rb");
	CHECK(f != NULL);
	char back[64];
	size_t n = fread(back, 1, sizeof(back), f);
	fclose(f);
	CHECK_INT_EQ(n, sizeof(data) - 1);
	CHECK(memcmp(back, data, n) == 0);
	struct stat sb;
	CHECK(stat(path, &sb) == 0);
	CHECK_INT_EQ(sb.st_mode & 0777, 0640);
	char small[20];
	CHECK(!filestore_path(dir, name, small, sizeof(small))); /* does not fit */
	/* a "folder" that is a file is refused, and nothing is written under it */
	CHECK(!filestore_ensure_dir(path));
	CHECK(!filestore_put(path, name, data, 3));
	unlink(path);
	rmdir(dir);
	rmdir(root);
}

static void init(void)
{
	CHECK(sodium_init() >= 0);
}

CHECK_MAIN("filestore", T(init), T(hash_is_sha256_hex), T(put_and_put_again))
