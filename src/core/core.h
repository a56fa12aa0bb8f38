/*
 * core.h: what every domain module shares: the status a domain call returns,
 * the error it carries (a Chinese and an English message a person can act on),
 * and the actor on whose behalf it runs (for authorization and the audit log).
 * The domain has no HTTP and no SQL: it talks to store.h and returns statuses.
 */
#ifndef JF_CORE_H
#define JF_CORE_H
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

typedef enum {
	CORE_OK = 0,
	CORE_INVALID,   /* bad input: 422 */
	CORE_NOT_FOUND, /* 404 */
	CORE_FORBIDDEN, /* 403 */
	CORE_CONFLICT,  /* a duplicate or a state that forbids it: 409 */
	CORE_UNAUTHORIZED, /* wrong or missing credentials: 401 */
	CORE_THROTTLED, /* too many attempts: 429 */
	CORE_ERROR,     /* the database or the machine failed: 500 */
} core_status;

typedef struct {
	core_status status;
	char code[48];  /* machine-readable, e.g. "passbook_taken" */
	char zh[384];
	char en[384];
} core_err;

/* Who acts: the signed-in user (NULL for the operator at the command line),
 * and from where. */
typedef struct {
	const st_user *user;
	const char *ip; /* "cli" for the command line */
} actor;

/* Records an error on err and returns its status. zh and en take the same
 * printf arguments in the same order. */
core_status core_fail(core_err *err, core_status st, const char *code, const char *zh,
                      const char *en, ...) __attribute__((format(printf, 4, 6)));
/* Records an error whose messages are already written. Returns st. */
core_status core_set(core_err *err, core_status st, const char *code, const char *zh,
                     const char *en);
/* Turns a store failure into a core error (conflicts keep their meaning). */
core_status core_store_fail(core_err *err, store_rc rc, const char *what_zh, const char *what_en);
/* Writes one audit row for the actor, inside the caller's transaction. */
store_rc core_audit(store *st, const actor *who, int64_t village_id, const char *entity,
                    int64_t entity_id, const char *action, const char *summary);

#endif
