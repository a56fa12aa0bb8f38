/*
 * Unit tests for src/store/sqlite_idem.c: idempotency claims. A claim is new,
 * running, done or a mismatch; a stale claim is taken over with a new token,
 * and the request that held the old token can no longer complete it — so a
 * slow first request and its retry never both take effect.
 */
#include "check.h"
#include "fixture.h"

static fx_db db;
static int64_t uid;

static bool setup(void)
{
	if (!fx_open(&db))
		return false;
	int64_t county = fx_area(db.st, 0, "county", "铁岭县");
	int64_t v = fx_village(db.st, county, "高箭沟村");
	uid = fx_user(db.st, "scorer1", "scorer", 0, v, 0);
	return uid > 0;
}

static void states(void)
{
	CHECK(setup());
	arena ar;
	arena_init(&ar, 0);
	st_idem a, b;
	int64_t now = time_now();
	CHECK_INT_EQ(store_idem_claim(db.st, uid, "植树-1", "hash-A", now, now - 60, &ar, &a), STORE_OK);
	CHECK_INT_EQ(a.state, IDEM_NEW);
	CHECK(a.token && strlen(a.token) == 32);
	/* the same key again while the first runs: running */
	CHECK_INT_EQ(store_idem_claim(db.st, uid, "植树-1", "hash-A", now, now - 60, &ar, &b), STORE_OK);
	CHECK_INT_EQ(b.state, IDEM_RUNNING);
	/* another request under the same key: mismatch */
	CHECK_INT_EQ(store_idem_claim(db.st, uid, "植树-1", "hash-B", now, now - 60, &ar, &b), STORE_OK);
	CHECK_INT_EQ(b.state, IDEM_MISMATCH);
	/* completed: done, with what it created and the response */
	CHECK_INT_EQ(store_begin(db.st), STORE_OK);
	CHECK_INT_EQ(store_idem_complete(db.st, uid, "植树-1", a.token, "batch:7"), STORE_OK);
	CHECK_INT_EQ(store_commit(db.st), STORE_OK);
	CHECK_INT_EQ(store_idem_set_response(db.st, uid, "植树-1", a.token, 201, "{\"batch_id\":7}"),
	             STORE_OK);
	CHECK_INT_EQ(store_idem_claim(db.st, uid, "植树-1", "hash-A", now, now - 60, &ar, &b), STORE_OK);
	CHECK_INT_EQ(b.state, IDEM_DONE);
	CHECK_INT_EQ(b.status, 201);
	CHECK_STR_EQ(b.result_ref, "batch:7");
	CHECK_STR_EQ(b.response, "{\"batch_id\":7}");
	arena_free(&ar);
	fx_close(&db);
}

static void take_over_fences_the_first_request(void)
{
	CHECK(setup());
	arena ar;
	arena_init(&ar, 0);
	st_idem first, retry;
	int64_t now = time_now();
	CHECK_INT_EQ(store_idem_claim(db.st, uid, "k", "h", now - 120, now - 180, &ar, &first), STORE_OK);
	CHECK_INT_EQ(first.state, IDEM_NEW);
	/* two minutes later the first request looks dead: a retry takes over */
	CHECK_INT_EQ(store_idem_claim(db.st, uid, "k", "h", now, now - 60, &ar, &retry), STORE_OK);
	CHECK_INT_EQ(retry.state, IDEM_NEW);
	CHECK(strcmp(first.token, retry.token) != 0);
	/* the slow first request finishes: it may not complete the key */
	CHECK_INT_EQ(store_begin(db.st), STORE_OK);
	CHECK_INT_EQ(store_idem_complete(db.st, uid, "k", first.token, "batch:1"), STORE_CONFLICT);
	store_rollback(db.st);
	CHECK_INT_EQ(store_idem_set_response(db.st, uid, "k", first.token, 201, "{}"), STORE_NOT_FOUND);
	/* the retry completes it */
	CHECK_INT_EQ(store_begin(db.st), STORE_OK);
	CHECK_INT_EQ(store_idem_complete(db.st, uid, "k", retry.token, "batch:2"), STORE_OK);
	CHECK_INT_EQ(store_commit(db.st), STORE_OK);
	/* and a release with the old token does not forget the finished key */
	CHECK_INT_EQ(store_idem_release(db.st, uid, "k", first.token), STORE_OK);
	CHECK_INT_EQ(fx_int(db.path, "SELECT count(*) FROM idempotency_keys WHERE state = 'done'"), 1);
	arena_free(&ar);
	fx_close(&db);
}

static void keys_are_per_user_and_purged(void)
{
	CHECK(setup());
	arena ar;
	arena_init(&ar, 0);
	int64_t county = fx_int(db.path, "SELECT id FROM areas LIMIT 1");
	int64_t other = fx_user(db.st, "scorer2", "scorer", 0,
	                        fx_village(db.st, county, "马家寨村"), 0);
	st_idem a, b;
	int64_t now = time_now();
	CHECK_INT_EQ(store_idem_claim(db.st, uid, "same", "h1", now - 9 * 86400, now, &ar, &a), STORE_OK);
	CHECK_INT_EQ(store_idem_claim(db.st, other, "same", "h2", now, now, &ar, &b), STORE_OK);
	CHECK_INT_EQ(b.state, IDEM_NEW); /* another user's key is independent */
	CHECK_INT_EQ(store_idem_purge(db.st, now - 8 * 86400), STORE_OK);
	CHECK_INT_EQ(fx_int(db.path, "SELECT count(*) FROM idempotency_keys"), 1);
	arena_free(&ar);
	fx_close(&db);
}

CHECK_MAIN("idem", T(states), T(take_over_fences_the_first_request), T(keys_are_per_user_and_purged))
