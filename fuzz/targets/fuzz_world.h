/*
 * fuzz_world.h: the demo village in a temporary database, for the targets that
 * need the store (fuzz_api, fuzz_import). Built once per fuzzing process in a
 * fresh mkdtemp folder and removed at exit. Static functions only: each target
 * includes it once.
 */
#ifndef JF_FUZZ_WORLD_H
#define JF_FUZZ_WORLD_H
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/demo.h"
#include "store/store.h"
#include "util/filestore.h"
#include "util/log.h"

typedef struct {
	char dir[64];    /* the temporary folder */
	char db[128];    /* dir/jifen.db */
	char files[128]; /* dir/files: uploaded photos */
	store *st;
	demo_result demo;
} fuzz_world;

static fuzz_world fw;

static int fw_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static void fw_cleanup(void)
{
	if (fw.st)
		store_close(fw.st);
	fw.st = NULL;
	if (fw.dir[0])
		nftw(fw.dir, fw_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* Creates the folder, the database and the demo village; exits on failure. */
static void fw_open(void)
{
	log_set_level(LOG_ERROR);
	snprintf(fw.dir, sizeof(fw.dir), "/tmp/jifen-fuzz-XXXXXX");
	if (!mkdtemp(fw.dir)) {
		perror("mkdtemp");
		exit(1);
	}
	atexit(fw_cleanup);
	snprintf(fw.db, sizeof(fw.db), "%s/jifen.db", fw.dir);
	snprintf(fw.files, sizeof(fw.files), "%s/files", fw.dir);
	char err[512];
	if (store_open(fw.db, true, &fw.st, err, sizeof(err)) != STORE_OK ||
	    !filestore_ensure_dir(fw.files)) {
		fprintf(stderr, "fuzz: cannot open %s: %s\n", fw.db, err);
		exit(1);
	}
	core_err cerr;
	if (demo_create(fw.st, &fw.demo, &cerr) != CORE_OK) {
		fprintf(stderr, "fuzz: demo_create: %s\n", cerr.en);
		exit(1);
	}
}

#endif
