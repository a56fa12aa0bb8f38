/*
 * test_tx.c: group commit (src/store/sqlite_tx.c). Concurrent transactions share
 * COMMITs, every committed one is in the file, a rolled-back one leaves nothing
 * and does not disturb the others of its batch, and a failed batch fails every
 * transaction in it. The crash test (tests/api/test_crash.py) shows durability.
 */
#include <pthread.h>

#include "check.h"
#include "fixture.h"

#define THREADS 16
#define PER_THREAD 60

typedef struct {
	store *st;
	int64_t parent;
	int n;
	int ok, refused;
} worker;

/* Each transaction creates one area; every 7th rolls back instead. */
static void *work(void *p)
{
	worker *w = p;
	for (int i = 0; i < PER_THREAD; i++) {
		if (store_begin(w->st) != STORE_OK)
			continue;
		char name[64];
		snprintf(name, sizeof(name), "乡镇%d-%d", w->n, i);
		st_area a = {.parent_id = w->parent, .level = "township", .name = name};
		int64_t id = 0;
		if (store_area_create(w->st, &a, &id) != STORE_OK) {
			store_rollback(w->st);
			continue;
		}
		if (i % 7 == 3) {
			store_rollback(w->st);
			w->refused++;
			continue;
		}
		if (store_commit(w->st) == STORE_OK)
			w->ok++;
	}
	store_thread_done(w->st);
	return NULL;
}

static void concurrent_units_share_commits(void)
{
	fx_db db;
	CHECK(fx_open(&db));
	int64_t county = fx_area(db.st, 0, "county", "铁岭县");
	uint64_t b0, u0;
	store_tx_stats(db.st, &b0, &u0);
	pthread_t th[THREADS];
	worker w[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i] = (worker){.st = db.st, .parent = county, .n = i};
		CHECK_INT_EQ(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	int ok = 0, refused = 0;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		ok += w[i].ok;
		refused += w[i].refused;
	}
	uint64_t b1, u1;
	store_tx_stats(db.st, &b1, &u1);
	printf("%d transactions committed in %llu commits (%d rolled back)\n", ok,
	       (unsigned long long)(b1 - b0), refused);
	CHECK_INT_EQ(ok + refused, THREADS * PER_THREAD);
	CHECK_INT_EQ((long long)(u1 - u0), ok);
	CHECK(b1 - b0 < (uint64_t)ok); /* some commits were shared */
	/* what was committed is in the file, seen by another connection; nothing else */
	CHECK_INT_EQ(fx_int(db.path, "SELECT count(*) FROM areas WHERE level = 'township'"), ok);
	fx_close(&db);
}

static void misuse_is_refused(void)
{
	fx_db db;
	CHECK(fx_open(&db));
	CHECK_INT_EQ(store_commit(db.st), STORE_ERROR); /* nothing open */
	store_rollback(db.st);                          /* a no-op */
	CHECK_INT_EQ(store_begin(db.st), STORE_OK);
	CHECK_INT_EQ(store_begin(db.st), STORE_ERROR); /* no nesting */
	CHECK(strstr(store_errmsg(), "already open") != NULL);
	int64_t id = 0;
	st_area a = {.level = "county", .name = "开原市"};
	CHECK_INT_EQ(store_area_create(db.st, &a, &id), STORE_OK);
	CHECK_INT_EQ(store_commit(db.st), STORE_OK);
	CHECK_INT_EQ(fx_int(db.path, "SELECT count(*) FROM areas WHERE name = '开原市'"), 1);
	fx_close(&db);
}

/* A write outside store_begin runs as a transaction of its own on the writer. */
static void single_writes_outside_a_transaction(void)
{
	fx_db db;
	CHECK(fx_open(&db));
	int64_t county = fx_area(db.st, 0, "county", "铁岭县");
	CHECK(county > 0);
	int64_t v = fx_village(db.st, county, "高箭沟村");
	int64_t g = fx_group(db.st, v, "一组", 1);
	CHECK(fx_household(db.st, v, g, "1001", "王福顺") > 0);
	CHECK_INT_EQ(fx_int(db.path, "SELECT count(*) FROM households WHERE head_name = '王福顺'"), 1);
	fx_close(&db);
}

/* A unit that breaks a constraint rolls back alone; its batch goes on. */
static void failed_unit_leaves_batch(void)
{
	fx_db db;
	CHECK(fx_open(&db));
	int64_t county = fx_area(db.st, 0, "county", "铁岭县");
	int64_t v = fx_village(db.st, county, "高箭沟村");
	int64_t g = fx_group(db.st, v, "一组", 1);
	CHECK(fx_household(db.st, v, g, "1001", "王福顺") > 0);
	CHECK_INT_EQ(store_begin(db.st), STORE_OK);
	st_household h = {.village_id = v, .group_id = g, .passbook_no = "1001", .head_name = "李桂兰"};
	int64_t id = 0;
	CHECK_INT_EQ(store_household_create(db.st, &h, &id), STORE_CONFLICT);
	store_rollback(db.st);
	CHECK_INT_EQ(store_begin(db.st), STORE_OK);
	h.passbook_no = "1002";
	CHECK_INT_EQ(store_household_create(db.st, &h, &id), STORE_OK);
	CHECK_INT_EQ(store_commit(db.st), STORE_OK);
	CHECK_INT_EQ(fx_int(db.path, "SELECT count(*) FROM households"), 2);
	fx_close(&db);
}

CHECK_MAIN("tx", T(concurrent_units_share_commits), T(misuse_is_refused),
           T(single_writes_outside_a_transaction), T(failed_unit_leaves_batch))
