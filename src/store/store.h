/*
 * store.h: the only door to the database. Everything above this layer speaks in
 * records and status codes; all SQL text lives in src/store/. Today there is one
 * backend (SQLite, sqlite_*.c); a PostgreSQL backend will implement this same header.
 *
 * Threads: a store may be used from many threads at once; each thread gets its own
 * connection. A write transaction (store_begin .. store_commit) belongs to the
 * calling thread. Busy waits happen inside the store: callers never see "busy".
 *
 * Memory: functions that return records copy every string into the arena passed
 * in, so records live as long as that arena. Ids of 0 mean "none" (SQL NULL).
 */
#ifndef JF_STORE_H
#define JF_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

typedef struct store store;

typedef enum {
	STORE_OK = 0,
	STORE_NOT_FOUND,  /* no such row */
	STORE_CONFLICT,   /* a unique key is already taken */
	STORE_CONSTRAINT, /* a foreign key, check or append-only rule refused the write */
	STORE_TOO_NEW,    /* the database was written by a newer jifen */
	STORE_ERROR,      /* anything else; store_errmsg() says what */
} store_rc;

/* ---- records ---------------------------------------------------------- */

typedef struct {
	int64_t id, parent_id;
	const char *level; /* "county" or "township" */
	const char *name;
	int64_t created_at;
} st_area;

typedef struct {
	int64_t id, area_id;
	const char *name;
	int64_t created_at;
	int64_t household_count;
	int64_t group_count;
	/* settings */
	int64_t notice_days;          /* how long a monthly notice stays open */
	int64_t window_days;          /* redemption: the last N days of each quarter */
	const char *balance_policy;   /* year end: "carry_over" or "clear" */
	int64_t second_review_points; /* claims above this need a second reviewer */
} st_village;

typedef struct {
	int64_t id, village_id;
	const char *name;
	int64_t sort;
	int64_t household_count;
} st_group;

typedef struct {
	int64_t id, village_id, group_id;
	const char *group_name;
	const char *passbook_no, *head_name, *address, *phone;
	const char *status; /* "active" or "moved_out" */
	int64_t created_at, updated_at;
	int64_t member_count;
} st_household;

typedef struct {
	int64_t id, village_id, household_id;
	const char *name, *relation;
	const char *status; /* "active" or "left" */
} st_member;

typedef struct {
	int64_t id;
	const char *username, *display_name, *role, *phone;
	int64_t area_id, village_id, household_id;
	bool disabled;
	const char *password_hash, *pin_hash; /* argon2id strings, or NULL */
	int64_t created_at, updated_at;
	int64_t home_household_id; /* staff: the household they live in (own-claim rule), or 0 */
} st_user;

typedef struct {
	int64_t id, user_id;
	const char *csrf_token;
	int64_t created_at, last_seen, expires_at;
} st_session;

typedef struct {
	int64_t id, at, user_id, village_id, entity_id;
	int64_t area_id; /* 0 on write: taken from the village */
	const char *ip, *entity, *action, *summary;
	const char *username; /* filled by reads */
} st_audit;

/* ---- the database ----------------------------------------------------- */

/* Opens (create = also creates) the database at path and brings its schema up to
 * date. Returns STORE_TOO_NEW for a database of a newer jifen, STORE_NOT_FOUND when
 * the file is missing and create is false. On failure *out is NULL and err says why. */
store_rc store_open(const char *path, bool create, store **out, char *err, size_t errcap);
/* Closes every thread's connection. No transaction may be open. */
void store_close(store *st);
/* The last error message of the calling thread. */
const char *store_errmsg(void);
/* Schema version of the database, and the newest this build knows. */
int store_schema_version(store *st);
int store_schema_latest(void);
/* Copies the live database to dest with SQLite's online backup; consistent even
 * while others write. progress(remaining, total) may be NULL. */
store_rc store_backup(store *st, const char *dest, void (*progress)(int remaining, int total));
/* Runs PRAGMA integrity_check; out receives "ok" or the first problem. */
store_rc store_integrity_check(store *st, char *out, size_t cap);
/* Opens the database file at path read-only, without migrating it, and runs
 * PRAGMA integrity_check; out receives "ok" or the first problem. */
store_rc store_check_file(const char *path, char *out, size_t cap);
/* Closes the calling thread's connection (for threads that end before the store). */
void store_thread_done(store *st);

/* ---- read snapshots (sqlite_read.c) ---------------------------------- */

/* Names one committed state of the database as this thread's connection sees it. */
typedef struct {
	uint64_t conn;   /* 0: no snapshot was taken (inside a write unit); else this connection */
	int64_t version; /* the connection's data version inside the snapshot */
} store_snapshot;

/* Starts a read transaction on the calling thread's connection: every read of this
 * thread until store_snapshot_end sees the same committed state. Two snapshots
 * with equal conn and version saw the same database (no commit by anyone between
 * them), so what was computed from one holds for the other. Inside a write unit
 * nothing is started and snap->conn is 0. STORE_OK, or an error (snap->conn 0). */
store_rc store_snapshot_begin(store *st, store_snapshot *snap);
/* Ends the read transaction store_snapshot_begin started (nothing if it did not). */
void store_snapshot_end(store *st, const store_snapshot *snap);

/* ---- transactions ----------------------------------------------------- */

/* Starts a write transaction, waiting for other writers. Concurrent transactions
 * share commits (group commit, sqlite_tx.c); inside one, every store call of
 * this thread reads and writes through it. */
store_rc store_begin(store *st);
/* Makes the transaction durable (synchronous=FULL) before returning STORE_OK; on
 * failure nothing of it is kept. */
store_rc store_commit(store *st);
/* Ends the transaction like store_commit but may return before it is durable:
 * only for writes whose loss in a crash is harmless (an idempotency claim). */
store_rc store_commit_lazy(store *st);
/* Rolls the transaction back; a no-op when none is open. */
void store_rollback(store *st);
/* Commits (batches) and transactions (units) so far, for the log and tests. */
void store_tx_stats(store *st, uint64_t *batches, uint64_t *units);

/* ---- areas, villages, groups ------------------------------------------ */

store_rc store_area_create(store *st, const st_area *a, int64_t *id);
store_rc store_area_get(store *st, int64_t id, arena *ar, st_area *out);
/* Areas at or below root (root 0 = all), ordered by id. */
store_rc store_area_list(store *st, int64_t root, arena *ar, st_area **out, size_t *n);
/* True in *yes if area is root or lies below it. */
store_rc store_area_within(store *st, int64_t area, int64_t root, bool *yes);

store_rc store_village_create(store *st, const st_village *v, int64_t *id);
store_rc store_village_get(store *st, int64_t id, arena *ar, st_village *out);
/* Villages whose area lies at or below root (0 = all). */
store_rc store_village_list(store *st, int64_t root, arena *ar, st_village **out, size_t *n);
/* Writes name and the settings of v (by v->id). */
store_rc store_village_update(store *st, const st_village *v);

store_rc store_group_create(store *st, const st_group *g, int64_t *id);
store_rc store_group_get(store *st, int64_t id, arena *ar, st_group *out);
store_rc store_group_find(store *st, int64_t village_id, const char *name, arena *ar, st_group *out);
store_rc store_group_list(store *st, int64_t village_id, arena *ar, st_group **out, size_t *n);
store_rc store_group_update(store *st, const st_group *g);

/* ---- households and members ------------------------------------------- */

typedef struct {
	int64_t village_id;   /* required */
	int64_t group_id;     /* 0 = any */
	const char *status;   /* NULL = any */
	const char *q;        /* NULL = any; matches head, member names or passbook number */
	int64_t offset, limit;
} st_household_filter;

store_rc store_household_create(store *st, const st_household *h, int64_t *id);
store_rc store_household_get(store *st, int64_t id, arena *ar, st_household *out);
store_rc store_household_by_passbook(store *st, int64_t village_id, const char *passbook,
                                     arena *ar, st_household *out);
store_rc store_household_list(store *st, const st_household_filter *f, arena *ar,
                              st_household **out, size_t *n, int64_t *total);
/* Writes group, passbook, head, address, phone and status of h (by h->id). */
store_rc store_household_update(store *st, const st_household *h);

store_rc store_member_create(store *st, const st_member *m, int64_t *id);
store_rc store_member_get(store *st, int64_t id, arena *ar, st_member *out);
store_rc store_member_list(store *st, int64_t household_id, arena *ar, st_member **out, size_t *n);
store_rc store_member_update(store *st, const st_member *m);

/* ---- users, sessions, login throttling -------------------------------- */

typedef struct {
	int64_t village_id; /* 0 = any */
	int64_t area_root;  /* 0 = any; else users of villages in this area, or area admins below it */
	const char *role;   /* NULL = any */
	int64_t offset, limit;
} st_user_filter;

store_rc store_user_create(store *st, const st_user *u, int64_t *id);
store_rc store_user_get(store *st, int64_t id, arena *ar, st_user *out);
store_rc store_user_by_username(store *st, const char *username, arena *ar, st_user *out);
store_rc store_user_by_phone(store *st, const char *phone, arena *ar, st_user *out);
/* The villager account that logs in with this household's passbook number and PIN. */
store_rc store_user_by_household_pin(store *st, int64_t household_id, arena *ar, st_user *out);
store_rc store_user_list(store *st, const st_user_filter *f, arena *ar, st_user **out,
                         size_t *n, int64_t *total);
/* Sets password_hash (or pin_hash when pin is true). */
store_rc store_user_set_secret(store *st, int64_t id, bool pin, const char *hash);
store_rc store_user_set_disabled(store *st, int64_t id, bool disabled);
store_rc store_user_update(store *st, const st_user *u); /* display_name, phone */
/* Sets (household_id 0: clears) the household a staff user lives in. */
store_rc store_user_set_home_household(store *st, int64_t id, int64_t household_id);

store_rc store_session_create(store *st, const char *token_hash, const st_session *s, int64_t *id);
store_rc store_session_by_hash(store *st, const char *token_hash, arena *ar, st_session *out);
store_rc store_session_touch(store *st, int64_t id, int64_t now);
store_rc store_session_delete(store *st, int64_t id);
store_rc store_session_delete_user(store *st, int64_t user_id);
store_rc store_session_purge(store *st, int64_t now, int64_t idle_before);

store_rc store_login_failure_add(store *st, const char *key, int64_t at);
/* Failures for key at or after since: how many, and the oldest one's time. */
store_rc store_login_failure_count(store *st, const char *key, int64_t since, int64_t *count,
                                   int64_t *oldest);
store_rc store_login_failure_clear(store *st, const char *key);

/* ---- the audit log ---------------------------------------------------- */

typedef struct {
	int64_t village_id; /* 0 = any */
	int64_t area_root;  /* 0 = any; else rows of villages in this area and rows of this area's users */
	const char *entity; /* NULL = any */
	int64_t entity_id;  /* 0 = any */
	int64_t user_id;    /* 0 = any */
	int64_t since, until; /* 0 = open */
	int64_t offset, limit;
} st_audit_filter;

store_rc store_audit_add(store *st, const st_audit *a);
store_rc store_audit_list(store *st, const st_audit_filter *f, arena *ar, st_audit **out,
                          size_t *n, int64_t *total);

#include "store/store_ledger.h"
#include "store/store_notices.h"
#include "store/store_shop.h"
#include "store/store_rank.h"
#include "store/store_area.h"

#endif
