/*
 * fixture.h: a temporary database for the unit tests of src/store and
 * src/core: a fresh directory from mkdtemp, a store created in it, small
 * builders for the organisation tree, and raw SQLite access to the same file
 * (to look behind the store's back, or to break it on purpose).
 * Every helper is static inline so a test file uses only what it needs.
 */
#ifndef JF_FIXTURE_H
#define JF_FIXTURE_H
#include <dirent.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "util/timeutil.h"

typedef struct {
	char dir[64];
	char path[128]; /* dir/jifen.db */
	store *st;
} fx_db;

/* Removes every file in dir, then dir itself (the tests make no subfolders). */
static inline void fx_rmdir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	char p[512];
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

/* A fresh directory and a database created in it; false (with a message) on failure. */
static inline bool fx_open(fx_db *db)
{
	memset(db, 0, sizeof(*db));
	snprintf(db->dir, sizeof(db->dir), "/tmp/jifen-unit-XXXXXX");
	if (!mkdtemp(db->dir)) {
		perror("mkdtemp");
		return false;
	}
	snprintf(db->path, sizeof(db->path), "%s/jifen.db", db->dir);
	char err[512];
	store_rc rc = store_open(db->path, true, &db->st, err, sizeof(err));
	if (rc != STORE_OK) {
		fprintf(stderr, "store_open %s: %d %s\n", db->path, rc, err);
		return false;
	}
	return true;
}

static inline void fx_close(fx_db *db)
{
	store_close(db->st);
	db->st = NULL;
	fx_rmdir(db->dir);
}

/* Runs sql on its own raw connection to path. Returns the SQLite result code;
 * the message (if any) goes into msg. */
static inline int fx_exec(const char *path, const char *sql, char *msg, size_t cap)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, 10000);
		char *m = NULL;
		rc = sqlite3_exec(db, sql, NULL, NULL, &m);
		if (msg && cap)
			snprintf(msg, cap, "%s", m ? m : "");
		sqlite3_free(m);
	}
	sqlite3_close(db);
	return rc;
}

/* The first column of the first row of sql as an integer; -1 on error. */
static inline long long fx_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	long long v = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
		sqlite3_busy_timeout(db, 10000);
		sqlite3_stmt *s = NULL;
		if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
		    sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
		else
			fprintf(stderr, "fx_int(%s): %s\n", sql, sqlite3_errmsg(db));
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return v;
}

/* Builders: each returns the new id, or 0 after printing why it failed. */
static inline int64_t fx_area(store *st, int64_t parent, const char *level, const char *name)
{
	st_area a = {.parent_id = parent, .level = level, .name = name, .created_at = time_now()};
	int64_t id = 0;
	store_rc rc = store_area_create(st, &a, &id);
	if (rc != STORE_OK)
		fprintf(stderr, "fx_area %s: %d %s\n", name, rc, store_errmsg());
	return rc == STORE_OK ? id : 0;
}

static inline int64_t fx_village(store *st, int64_t area, const char *name)
{
	st_village v = {.area_id = area, .name = name, .created_at = time_now()};
	int64_t id = 0;
	store_rc rc = store_village_create(st, &v, &id);
	if (rc != STORE_OK)
		fprintf(stderr, "fx_village %s: %d %s\n", name, rc, store_errmsg());
	return rc == STORE_OK ? id : 0;
}

static inline int64_t fx_group(store *st, int64_t village, const char *name, int64_t sort)
{
	st_group g = {.village_id = village, .name = name, .sort = sort};
	int64_t id = 0;
	store_rc rc = store_group_create(st, &g, &id);
	if (rc != STORE_OK)
		fprintf(stderr, "fx_group %s: %d %s\n", name, rc, store_errmsg());
	return rc == STORE_OK ? id : 0;
}

static inline int64_t fx_household(store *st, int64_t village, int64_t group, const char *passbook,
                                   const char *head)
{
	st_household h = {.village_id = village, .group_id = group, .passbook_no = passbook,
	                  .head_name = head, .created_at = time_now()};
	int64_t id = 0;
	store_rc rc = store_household_create(st, &h, &id);
	if (rc != STORE_OK)
		fprintf(stderr, "fx_household %s: %d %s\n", passbook, rc, store_errmsg());
	return rc == STORE_OK ? id : 0;
}

/* A user without secrets (the tests of access and the domain act as them
 * without logging in). */
static inline int64_t fx_user(store *st, const char *username, const char *role, int64_t area,
                              int64_t village, int64_t household)
{
	st_user u = {.username = username, .display_name = username, .role = role,
	             .area_id = area, .village_id = village, .household_id = household,
	             .created_at = time_now()};
	int64_t id = 0;
	store_rc rc = store_user_create(st, &u, &id);
	if (rc != STORE_OK)
		fprintf(stderr, "fx_user %s: %d %s\n", username, rc, store_errmsg());
	return rc == STORE_OK ? id : 0;
}

#endif
