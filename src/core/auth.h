/*
 * auth.h: signing in and out, and turning a session token back into a user.
 * Tokens are 256 random bits; only their SHA-256 is stored. A session ends after
 * an idle timeout or an absolute lifetime, whichever comes first, and at once
 * when its user is disabled. Failed logins are counted per account and per
 * address; past the limit, logins answer "too many attempts" with a wait.
 */
#ifndef JF_AUTH_H
#define JF_AUTH_H
#include "core/core.h"
#include "core/password.h"

typedef struct {
	int64_t idle_s;         /* session idle timeout */
	int64_t lifetime_s;     /* session absolute lifetime */
	int64_t fail_window_s;  /* failures counted over this window */
	int64_t max_fail_account;
	int64_t max_fail_ip;
} auth_config;

/* One of three ways to log in: username + password, phone + password, or
 * village_id + passbook_no + pin. */
typedef struct {
	const char *username, *phone, *password;
	int64_t village_id;
	const char *passbook_no, *pin;
} auth_login_in;

typedef struct {
	char token[TOKEN_CHARS + 1];
	char csrf[TOKEN_CHARS + 1];
	st_user user;
	int64_t expires_at;
} auth_login_out;

void auth_config_defaults(auth_config *c);
/* Checks credentials and opens a session. CORE_UNAUTHORIZED for wrong ones (one
 * message for every cause), CORE_THROTTLED with *retry_after seconds. */
core_status auth_login(store *st, const auth_config *cfg, const auth_login_in *in,
                       const char *ip, arena *ar, auth_login_out *out, int *retry_after,
                       core_err *err);
/* Finds the live session of token. CORE_UNAUTHORIZED if none, expired, idle too
 * long or of a disabled user; the session row is then removed. */
core_status auth_resolve(store *st, const auth_config *cfg, const char *token, arena *ar,
                         st_user *user, st_session *sess, core_err *err);
/* Ends one session (logout), audited. */
core_status auth_logout(store *st, const actor *who, int64_t session_id, core_err *err);

#endif
