/*
 * users.c: user accounts (see users.h).
 */
#include "core/users.h"

#include <jansson.h>
#include <stdio.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/org.h"
#include "core/password.h"
#include "core/validate.h"
#include "util/timeutil.h"

static const char *const roles[] = {"area_admin", "village_admin", "scorer", "clerk", "villager"};

bool user_role_valid(const char *role)
{
	for (size_t i = 0; role && i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(role, roles[i]) == 0)
			return true;
	return false;
}

static core_status deny(core_err *err)
{
	return core_fail(err, CORE_FORBIDDEN, "forbidden", "您没有权限管理这个用户",
	                 "you are not allowed to manage this user");
}

/* May who manage (create, reset, disable) an account shaped like target? */
static core_status may_manage(store *st, const actor *who, const st_user *target, core_err *err)
{
	if (!who->user)
		return CORE_OK;
	const st_user *me = who->user;
	if (strcmp(me->role, "area_admin") == 0) {
		/* area admins manage the admins of areas strictly below their own */
		if (strcmp(target->role, "area_admin") == 0)
			return target->area_id == me->area_id ? deny(err)
			                                      : access_area(st, who, target->area_id, err);
		return access_village(st, who, target->village_id, ACCESS_ADMIN, err);
	}
	if (strcmp(me->role, "village_admin") == 0 && target->village_id == me->village_id &&
	    (strcmp(target->role, "scorer") == 0 || strcmp(target->role, "clerk") == 0 ||
	     strcmp(target->role, "villager") == 0))
		return CORE_OK;
	return deny(err);
}

/* The role and the ids that bind it (no database reads): checked before access,
 * so that access is decided on a well-formed target. */
static core_status validate_shape(const user_new *u, core_err *err)
{
	if (!user_role_valid(u->role))
		return core_fail(err, CORE_INVALID, "invalid_role",
		                 "角色只能是 area_admin、village_admin、scorer、clerk 或 villager",
		                 "role must be area_admin, village_admin, scorer, clerk or villager");
	bool area_admin = strcmp(u->role, "area_admin") == 0;
	bool villager = strcmp(u->role, "villager") == 0;
	if (area_admin && (!u->area_id || u->village_id))
		return core_fail(err, CORE_INVALID, "invalid_scope",
		                 "区县/乡镇管理员需要 area_id，不能有 village_id",
		                 "an area admin needs area_id and no village_id");
	if (!area_admin && (!u->village_id || u->area_id))
		return core_fail(err, CORE_INVALID, "invalid_scope", "村级用户需要 village_id，不能有 area_id",
		                 "a village user needs village_id and no area_id");
	if (villager != (u->household_id != 0))
		return core_fail(err, CORE_INVALID, "invalid_scope",
		                 "村民账号必须绑定一户（household_id），其他角色不能绑定",
		                 "a villager is bound to one household_id; other roles are not");
	return CORE_OK;
}

/* Everything else about a new account, checked once access is granted. */
static core_status validate_new(store *st, const user_new *u, core_err *err)
{
	bool villager = strcmp(u->role, "villager") == 0;
	if (validate_text(err, "display_name", "姓名", u->display_name, 1, 32) != CORE_OK)
		return err->status;
	if (u->username && validate_username(err, u->username) != CORE_OK)
		return err->status;
	if (u->phone && (validate_phone(err, "phone", u->phone) != CORE_OK))
		return err->status;
	if (!villager && (!u->username || !u->password))
		return core_fail(err, CORE_INVALID, "missing_field", "工作人员账号需要用户名和密码",
		                 "staff accounts need username and password");
	if (villager && !u->pin && !u->password)
		return core_fail(err, CORE_INVALID, "missing_field",
		                 "村民账号需要 PIN（存折号登录）或密码（手机号登录）",
		                 "a villager account needs a pin (passbook login) or a password (phone login)");
	if (villager && u->password && !u->phone && !u->username)
		return core_fail(err, CORE_INVALID, "missing_field", "用密码登录的村民账号需要手机号",
		                 "a villager with a password needs a phone to log in with");
	if (u->password && password_check_policy(u->password, u->username, err) != CORE_OK)
		return err->status;
	if (u->pin && password_check_pin(u->pin, err) != CORE_OK)
		return err->status;
	if (villager) {
		arena ar;
		arena_init(&ar, 0);
		st_household h;
		store_rc rc = store_household_get(st, u->household_id, &ar, &h);
		arena_free(&ar);
		if (rc == STORE_NOT_FOUND || (rc == STORE_OK && h.village_id != u->village_id))
			return core_fail(err, CORE_INVALID, "invalid_household",
			                 "household_id 不是这个村的户", "household_id is not a household of this village");
		if (rc != STORE_OK)
			return core_store_fail(err, rc, "户", "household");
	}
	return CORE_OK;
}

core_status user_create(store *st, const actor *who, const user_new *u, int64_t *id,
                        core_err *err)
{
	if (validate_shape(u, err) != CORE_OK)
		return err->status;
	st_user rec = {.username = u->username, .display_name = u->display_name, .role = u->role,
	               .phone = u->phone && *u->phone ? u->phone : NULL, .area_id = u->area_id,
	               .village_id = u->village_id, .household_id = u->household_id};
	if (may_manage(st, who, &rec, err) != CORE_OK || validate_new(st, u, err) != CORE_OK)
		return err->status;
	char pw[PASSWORD_HASH_MAX], pin[PASSWORD_HASH_MAX];
	if ((u->password && !password_hash(u->password, pw)) || (u->pin && !password_hash(u->pin, pin)))
		return core_fail(err, CORE_ERROR, "hash_failed", "密码处理失败（内存不足）",
		                 "could not hash the password (out of memory)");
	rec.password_hash = u->password ? pw : NULL;
	rec.pin_hash = u->pin ? pin : NULL;
	rec.created_at = time_now();
	if (org_begin(st, err) != CORE_OK)
		return err->status;
	store_rc rc = store_user_create(st, &rec, id);
	if (rc != STORE_OK) {
		store_rollback(st);
		if (rc == STORE_CONFLICT)
			return core_fail(err, CORE_CONFLICT, "user_taken",
			                 "用户名、手机号已被使用，或这一户已有存折号登录账号",
			                 "the username or phone is taken, or this household already has a PIN account");
		return core_store_fail(err, rc, "用户", "user");
	}
	json_t *j = json_pack("{s:s?, s:s, s:s, s:I, s:I, s:I}", "username", u->username,
	                      "display_name", u->display_name, "role", u->role, "area_id",
	                      (json_int_t)u->area_id, "village_id", (json_int_t)u->village_id,
	                      "household_id", (json_int_t)u->household_id);
	char *sum = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	core_status cs = org_finish(st, who, u->village_id, "user", *id, "create", sum, err);
	free(sum);
	return cs;
}

core_status user_get(store *st, const actor *who, int64_t id, arena *ar, st_user *out,
                     core_err *err)
{
	store_rc rc = store_user_get(st, id, ar, out);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "用户", "user");
	if (who->user && who->user->id == id)
		return CORE_OK;
	return may_manage(st, who, out, err);
}

core_status user_list(store *st, const actor *who, st_user_filter *f, arena *ar, st_user **out,
                      size_t *n, int64_t *total, core_err *err)
{
	if (who->user) {
		const st_user *me = who->user;
		if (strcmp(me->role, "area_admin") == 0) {
			if (f->village_id && access_village(st, who, f->village_id, ACCESS_ADMIN, err) != CORE_OK)
				return err->status;
			f->area_root = me->area_id;
		} else if (strcmp(me->role, "village_admin") == 0) {
			if (f->village_id && f->village_id != me->village_id)
				return deny(err);
			f->village_id = me->village_id;
		} else {
			return deny(err);
		}
	}
	store_rc rc = store_user_list(st, f, ar, out, n, total);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "用户", "users");
}

/* Checks every part of a patch against the target before anything is written. */
static core_status check_patch(const actor *who, const st_user *u, const user_patch_in *p,
                               bool manager, core_err *err)
{
	bool self = who->user && who->user->id == u->id;
	if (p->display_name && validate_text(err, "display_name", "姓名", p->display_name, 1, 32) != CORE_OK)
		return err->status;
	if (p->phone && validate_phone(err, "phone", p->phone) != CORE_OK)
		return err->status;
	if (p->password && password_check_policy(p->password, u->username, err) != CORE_OK)
		return err->status;
	if (p->pin && password_check_pin(p->pin, err) != CORE_OK)
		return err->status;
	if (p->disabled >= 0 && self)
		return core_fail(err, CORE_FORBIDDEN, "forbidden", "不能停用自己的账号",
		                 "you cannot disable your own account");
	if (p->disabled >= 0 && !manager)
		return deny(err);
	if (self && (p->password || p->pin)) {
		/* changing one's own secret needs the current one */
		bool pw_ok = !p->password || (p->current && u->password_hash &&
		                              password_verify(u->password_hash, p->current));
		bool pin_ok = !p->pin || (p->current && u->pin_hash && password_verify(u->pin_hash, p->current));
		if (!pw_ok || !pin_ok)
			return core_fail(err, CORE_FORBIDDEN, "wrong_current_password", "当前密码不正确",
			                 "the current password is wrong");
	}
	return CORE_OK;
}

/* Checks a new home household: staff accounts only, set by their managers,
 * a household of the account's own village (0 clears it). */
static core_status check_home(store *st, const actor *who, const st_user *u,
                              const user_patch_in *p, core_err *err)
{
	if (!p->set_home)
		return CORE_OK;
	if (who->user && who->user->id == u->id)
		return core_fail(err, CORE_FORBIDDEN, "forbidden", "本人所在户只能由管理员设置",
		                 "only your managers can set your home household");
	if (strcmp(u->role, "village_admin") != 0 && strcmp(u->role, "scorer") != 0 &&
	    strcmp(u->role, "clerk") != 0)
		return core_fail(err, CORE_INVALID, "invalid_home_household",
		                 "只有村干部账号（村管理员、评分员、超市管理员）可以设置本人所在户",
		                 "only village staff accounts have a home household");
	if (p->home_household_id < 0)
		return core_fail(err, CORE_INVALID, "invalid_home_household",
		                 "home_household_id 须为本村的户编号，或 null 表示清除",
		                 "home_household_id must be a household of the village, or null to clear it");
	if (!p->home_household_id)
		return CORE_OK;
	arena ar;
	arena_init(&ar, 0);
	st_household h;
	store_rc rc = store_household_get(st, p->home_household_id, &ar, &h);
	arena_free(&ar);
	if (rc == STORE_NOT_FOUND || (rc == STORE_OK && h.village_id != u->village_id))
		return core_fail(err, CORE_INVALID, "invalid_home_household",
		                 "home_household_id 不是这个村的户",
		                 "home_household_id is not a household of this user's village");
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "户", "household");
}

/* Writes one audit row for a part of the patch. */
static store_rc audit_part(store *st, const actor *who, const st_user *u, const char *action,
                           json_t *summary)
{
	char *sum = json_dumps(summary, JSON_COMPACT);
	json_decref(summary);
	store_rc rc = core_audit(st, who, u->village_id, "user", u->id, action, sum ? sum : "{}");
	free(sum);
	return rc;
}

core_status user_patch(store *st, const actor *who, int64_t id, const user_patch_in *p,
                       core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_user u;
	char pw_hash[PASSWORD_HASH_MAX], pin_hash[PASSWORD_HASH_MAX];
	store_rc rc = store_user_get(st, id, &ar, &u);
	core_status cs = rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "用户", "user");
	bool self = who->user && who->user->id == id;
	if (cs == CORE_OK && !self)
		cs = may_manage(st, who, &u, err);
	if (cs == CORE_OK)
		cs = check_patch(who, &u, p, !self, err);
	if (cs == CORE_OK)
		cs = check_home(st, who, &u, p, err);
	if (cs == CORE_OK && ((p->password && !password_hash(p->password, pw_hash)) ||
	                      (p->pin && !password_hash(p->pin, pin_hash))))
		cs = core_fail(err, CORE_ERROR, "hash_failed", "密码处理失败（内存不足）",
		               "could not hash the password (out of memory)");
	if (cs == CORE_OK)
		cs = org_begin(st, err);
	if (cs != CORE_OK)
		goto out;
	rc = STORE_OK;
	if (p->display_name || p->phone) {
		st_user upd = u;
		if (p->display_name)
			upd.display_name = p->display_name;
		if (p->phone)
			upd.phone = *p->phone ? p->phone : NULL;
		rc = store_user_update(st, &upd);
		if (rc == STORE_CONFLICT) {
			store_rollback(st);
			cs = core_fail(err, CORE_CONFLICT, "phone_taken", "这个手机号已被其他账号使用",
			               "this phone number is used by another account");
			goto out;
		}
		json_t *j = json_object();
		if (p->display_name)
			json_object_set_new(j, "display_name", json_pack("[s,s]", u.display_name, upd.display_name));
		if (p->phone)
			json_object_set_new(j, "phone", json_pack("[s?,s?]", u.phone, upd.phone));
		if (rc == STORE_OK)
			rc = audit_part(st, who, &u, "update", j);
		else
			json_decref(j);
	}
	if (rc == STORE_OK && p->password)
		rc = store_user_set_secret(st, id, false, pw_hash);
	if (rc == STORE_OK && p->password)
		rc = audit_part(st, who, &u, "set_password", json_pack("{s:b}", "self", self));
	if (rc == STORE_OK && p->pin)
		rc = store_user_set_secret(st, id, true, pin_hash);
	if (rc == STORE_OK && p->pin)
		rc = audit_part(st, who, &u, "set_pin", json_pack("{s:b}", "self", self));
	/* a reset by someone else, or disabling, ends the user's sessions */
	if (rc == STORE_OK && !self && (p->password || p->pin || p->disabled == 1))
		rc = store_session_delete_user(st, id);
	if (rc == STORE_OK && p->set_home) {
		rc = store_user_set_home_household(st, id, p->home_household_id);
		if (rc == STORE_OK)
			rc = audit_part(st, who, &u, "set_home_household",
			                json_pack("{s:I}", "home_household_id", (json_int_t)p->home_household_id));
	}
	if (rc == STORE_OK && p->disabled >= 0) {
		rc = store_user_set_disabled(st, id, p->disabled == 1);
		if (rc == STORE_OK)
			rc = audit_part(st, who, &u, p->disabled ? "disable" : "enable",
			                json_pack("{s:b}", "disabled", p->disabled == 1));
	}
	if (rc == STORE_OK)
		rc = store_commit(st);
	if (rc != STORE_OK) {
		store_rollback(st);
		cs = core_store_fail(err, rc, "用户", "user");
	}
out:
	sodium_memzero(pw_hash, sizeof(pw_hash));
	sodium_memzero(pin_hash, sizeof(pin_hash));
	arena_free(&ar);
	return cs;
}

core_status user_set_secret(store *st, const actor *who, int64_t id, bool pin,
                            const char *secret, const char *current, core_err *err)
{
	user_patch_in p = {.disabled = -1, .current = current};
	if (pin)
		p.pin = secret;
	else
		p.password = secret;
	return user_patch(st, who, id, &p, err);
}

core_status user_set_disabled(store *st, const actor *who, int64_t id, bool disabled,
                              core_err *err)
{
	user_patch_in p = {.disabled = disabled ? 1 : 0};
	return user_patch(st, who, id, &p, err);
}

core_status user_update(store *st, const actor *who, int64_t id, const char *display_name,
                        const char *phone, core_err *err)
{
	user_patch_in p = {.display_name = display_name, .phone = phone, .disabled = -1};
	return user_patch(st, who, id, &p, err);
}

core_status user_set_home_household(store *st, const actor *who, int64_t id,
                                    int64_t household_id, core_err *err)
{
	user_patch_in p = {.disabled = -1, .set_home = true, .home_household_id = household_id};
	return user_patch(st, who, id, &p, err);
}
