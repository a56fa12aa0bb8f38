/*
 * auth.c: login, session lookup and logout (see auth.h).
 */
#include "core/auth.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/org.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#define TOUCH_EVERY_S 30

void auth_config_defaults(auth_config *c)
{
	c->idle_s = 2 * 3600;
	c->lifetime_s = 7 * 24 * 3600;
	c->fail_window_s = 15 * 60;
	c->max_fail_account = 5;
	c->max_fail_ip = 30;
}

static core_status bad_credentials(core_err *err)
{
	return core_fail(err, CORE_UNAUTHORIZED, "bad_credentials", "账号或密码不正确",
	                 "wrong account or password");
}

/* Failures over the window for key; CORE_THROTTLED when at the limit. */
static core_status check_throttle(store *st, const auth_config *cfg, const char *key,
                                  int64_t limit, int64_t now, int *retry_after, core_err *err)
{
	int64_t count = 0, oldest = 0;
	/* the window is the last fail_window_s seconds, so that a failure at t no
	 * longer counts at t + fail_window_s, when Retry-After said to come back */
	int64_t since = now - cfg->fail_window_s + 1;
	store_rc rc = store_login_failure_count(st, key, since, &count, &oldest);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "登录记录", "login record");
	if (count < limit)
		return CORE_OK;
	int64_t wait = oldest + cfg->fail_window_s - now;
	*retry_after = (int)(wait > 1 ? wait : 1);
	return core_fail(err, CORE_THROTTLED, "too_many_attempts",
	                 "登录失败次数太多，请 %d 分钟后再试",
	                 "too many failed logins; try again in %d minute(s)", (*retry_after + 59) / 60);
}

/* The account key of a login attempt, for throttling and the audit log. */
static void account_key(const auth_login_in *in, char *out, size_t cap)
{
	if (in->username)
		snprintf(out, cap, "user:%.64s", in->username);
	else if (in->phone)
		snprintf(out, cap, "phone:%.32s", in->phone);
	else
		snprintf(out, cap, "passbook:%lld:%.32s", (long long)in->village_id,
		         in->passbook_no ? in->passbook_no : "");
}

/* Looks the account up; *found false (and user untouched) if there is none. */
static core_status find_account(store *st, const auth_login_in *in, arena *ar, st_user *user,
                                bool *found, const char **secret, core_err *err)
{
	store_rc rc;
	*found = false;
	if (in->username) {
		rc = store_user_by_username(st, in->username, ar, user);
	} else if (in->phone) {
		rc = store_user_by_phone(st, in->phone, ar, user);
	} else {
		st_household h;
		rc = store_household_by_passbook(st, in->village_id, in->passbook_no, ar, &h);
		if (rc == STORE_OK)
			rc = store_user_by_household_pin(st, h.id, ar, user);
	}
	if (rc == STORE_NOT_FOUND)
		return CORE_OK;
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "账号", "account");
	*found = true;
	*secret = in->pin ? user->pin_hash : user->password_hash;
	return CORE_OK;
}

/* Records a failed login against the typed account, the address and (when the
 * account exists) the user, and audits it where that user's admins can see it. */
static void record_failure(store *st, const char *acct, const char *ipkey, const st_user *target,
                           const char *ip, int64_t now)
{
	if (store_begin(st) != STORE_OK)
		return;
	/* the account as typed, cut back to whole characters, escaped as JSON */
	size_t n = strlen(acct);
	while (n > 0 && !utf8_valid(acct, n))
		n--;
	json_t *j = json_pack("{s:s%}", "account", acct, n);
	char *sum = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	char uidkey[40] = "";
	if (target)
		snprintf(uidkey, sizeof(uidkey), "uid:%lld", (long long)target->id);
	st_audit a = {.at = now, .ip = ip, .entity = "session", .action = "login_failed",
	              .summary = sum ? sum : "{}"};
	if (target) {
		a.village_id = target->village_id;
		a.area_id = target->area_id;
		a.entity = "user";
		a.entity_id = target->id;
	}
	if (store_login_failure_add(st, acct, now) != STORE_OK ||
	    store_login_failure_add(st, ipkey, now) != STORE_OK ||
	    (target && store_login_failure_add(st, uidkey, now) != STORE_OK) ||
	    store_audit_add(st, &a) != STORE_OK || store_commit(st) != STORE_OK)
		store_rollback(st);
	free(sum);
}

core_status auth_login(store *st, const auth_config *cfg, const auth_login_in *in,
                       const char *ip, arena *ar, auth_login_out *out, int *retry_after,
                       core_err *err)
{
	int64_t now = time_now();
	char acct[128], ipkey[96];
	account_key(in, acct, sizeof(acct));
	snprintf(ipkey, sizeof(ipkey), "ip:%.64s", ip);
	if (check_throttle(st, cfg, acct, cfg->max_fail_account, now, retry_after, err) != CORE_OK ||
	    check_throttle(st, cfg, ipkey, cfg->max_fail_ip, now, retry_after, err) != CORE_OK)
		return err->status;
	bool found = false;
	const char *secret = NULL;
	if (find_account(st, in, ar, &out->user, &found, &secret, err) != CORE_OK)
		return err->status;
	/* one account, whichever way it is named (user name, phone, passbook) */
	char uidkey[40];
	snprintf(uidkey, sizeof(uidkey), "uid:%lld", (long long)(found ? out->user.id : 0));
	if (found && check_throttle(st, cfg, uidkey, cfg->max_fail_account, now, retry_after, err) !=
	                     CORE_OK)
		return err->status;
	const char *given = in->pin ? in->pin : in->password;
	bool ok = password_verify(found ? secret : NULL, given ? given : "");
	if (!ok || out->user.disabled) {
		record_failure(st, acct, ipkey, found ? &out->user : NULL, ip, now);
		if (ok && out->user.disabled)
			return core_fail(err, CORE_UNAUTHORIZED, "account_disabled", "该账号已停用，请联系村管理员",
			                 "this account is disabled; ask the village admin");
		return bad_credentials(err);
	}
	token_new(out->token);
	token_new(out->csrf);
	char hash[TOKEN_HASH_HEX + 1];
	token_hash(out->token, hash);
	out->expires_at = now + cfg->lifetime_s;
	st_session s = {.user_id = out->user.id, .csrf_token = out->csrf, .created_at = now,
	                .expires_at = out->expires_at};
	if (org_begin(st, err) != CORE_OK)
		return err->status;
	int64_t sid = 0;
	store_rc rc = store_session_create(st, hash, &s, &sid);
	if (rc == STORE_OK)
		rc = store_login_failure_clear(st, acct);
	if (rc == STORE_OK)
		rc = store_login_failure_clear(st, uidkey);
	if (rc == STORE_OK)
		rc = store_session_purge(st, now, now - cfg->idle_s);
	if (rc != STORE_OK) {
		store_rollback(st);
		return core_store_fail(err, rc, "会话", "session");
	}
	actor who = {.user = &out->user, .ip = ip};
	const char *how = in->username ? "username" : in->phone ? "phone" : "passbook";
	char sum[64];
	snprintf(sum, sizeof(sum), "{\"method\":\"%s\"}", how);
	return org_finish(st, &who, out->user.village_id, "session", sid, "login", sum, err);
}

core_status auth_resolve(store *st, const auth_config *cfg, const char *token, arena *ar,
                         st_user *user, st_session *sess, core_err *err)
{
	char hash[TOKEN_HASH_HEX + 1];
	token_hash(token, hash);
	store_rc rc = store_session_by_hash(st, hash, ar, sess);
	if (rc == STORE_NOT_FOUND)
		return core_fail(err, CORE_UNAUTHORIZED, "not_logged_in", "请先登录（或登录已过期）",
		                 "please log in (or your session has expired)");
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "会话", "session");
	int64_t now = time_now();
	bool dead = now >= sess->expires_at || now - sess->last_seen > cfg->idle_s;
	if (!dead) {
		rc = store_user_get(st, sess->user_id, ar, user);
		if (rc != STORE_OK)
			return core_store_fail(err, rc, "用户", "user");
		dead = user->disabled;
	}
	if (dead) {
		store_session_delete(st, sess->id);
		return core_fail(err, CORE_UNAUTHORIZED, "session_expired", "登录已过期，请重新登录",
		                 "your session has expired; please log in again");
	}
	int64_t every = cfg->idle_s / 2 < TOUCH_EVERY_S ? cfg->idle_s / 2 : TOUCH_EVERY_S;
	if (now - sess->last_seen >= every)
		store_session_touch(st, sess->id, now);
	return CORE_OK;
}

core_status auth_logout(store *st, const actor *who, int64_t session_id, core_err *err)
{
	if (org_begin(st, err) != CORE_OK)
		return err->status;
	store_rc rc = store_session_delete(st, session_id);
	if (rc != STORE_OK) {
		store_rollback(st);
		return core_store_fail(err, rc, "会话", "session");
	}
	return org_finish(st, who, who->user ? who->user->village_id : 0, "session", session_id,
	                  "logout", "{}", err);
}
