/*
 * users.c: user accounts (see users.h).
 */
#include "core/users.h"

#include <jansson.h>
#include <stdio.h>
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
		if (strcmp(target->role, "area_admin") == 0)
			return access_area(st, who, target->area_id, err);
		return access_village(st, who, target->village_id, ACCESS_ADMIN, err);
	}
	if (strcmp(me->role, "village_admin") == 0 && target->village_id == me->village_id &&
	    (strcmp(target->role, "scorer") == 0 || strcmp(target->role, "clerk") == 0 ||
	     strcmp(target->role, "villager") == 0))
		return CORE_OK;
	return deny(err);
}

static core_status validate_new(store *st, const user_new *u, core_err *err)
{
	if (!user_role_valid(u->role))
		return core_fail(err, CORE_INVALID, "invalid_role",
		                 "角色只能是 area_admin、village_admin、scorer、clerk 或 villager",
		                 "role must be area_admin, village_admin, scorer, clerk or villager");
	if (validate_text(err, "display_name", "姓名", u->display_name, 1, 32) != CORE_OK)
		return err->status;
	if (u->username && validate_username(err, u->username) != CORE_OK)
		return err->status;
	if (u->phone && (validate_phone(err, "phone", u->phone) != CORE_OK))
		return err->status;
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
	if (validate_new(st, u, err) != CORE_OK)
		return err->status;
	st_user rec = {.username = u->username, .display_name = u->display_name, .role = u->role,
	               .phone = u->phone && *u->phone ? u->phone : NULL, .area_id = u->area_id,
	               .village_id = u->village_id, .household_id = u->household_id};
	if (may_manage(st, who, &rec, err) != CORE_OK)
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

/* Loads the target and checks that who may manage it (or is it). */
static core_status load_target(store *st, const actor *who, int64_t id, arena *ar, st_user *out,
                               bool allow_self, core_err *err)
{
	store_rc rc = store_user_get(st, id, ar, out);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "用户", "user");
	if (allow_self && who->user && who->user->id == id)
		return CORE_OK;
	return may_manage(st, who, out, err);
}

core_status user_set_secret(store *st, const actor *who, int64_t id, bool pin,
                            const char *secret, const char *current, core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_user u;
	core_status cs = load_target(st, who, id, &ar, &u, true, err);
	if (cs != CORE_OK)
		goto out;
	bool self = who->user && who->user->id == id;
	if (self) {
		const char *stored = pin ? u.pin_hash : u.password_hash;
		if (!current || !stored || !password_verify(stored, current)) {
			cs = core_fail(err, CORE_FORBIDDEN, "wrong_current_password",
			               "当前密码不正确", "the current password is wrong");
			goto out;
		}
	}
	cs = pin ? password_check_pin(secret, err) : password_check_policy(secret, u.username, err);
	if (cs != CORE_OK)
		goto out;
	char hash[PASSWORD_HASH_MAX];
	if (!password_hash(secret, hash)) {
		cs = core_fail(err, CORE_ERROR, "hash_failed", "密码处理失败（内存不足）",
		               "could not hash the password (out of memory)");
		goto out;
	}
	cs = org_begin(st, err);
	if (cs != CORE_OK)
		goto out;
	store_rc rc = store_user_set_secret(st, id, pin, hash);
	if (rc == STORE_OK && !self)
		rc = store_session_delete_user(st, id); /* a reset ends the old sessions */
	if (rc != STORE_OK) {
		store_rollback(st);
		cs = core_store_fail(err, rc, "用户", "user");
		goto out;
	}
	cs = org_finish(st, who, u.village_id, "user", id, pin ? "set_pin" : "set_password",
	                self ? "{\"self\":true}" : "{\"self\":false}", err);
out:
	arena_free(&ar);
	return cs;
}

core_status user_set_disabled(store *st, const actor *who, int64_t id, bool disabled,
                              core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_user u;
	core_status cs = load_target(st, who, id, &ar, &u, false, err);
	if (cs != CORE_OK)
		goto out;
	cs = org_begin(st, err);
	if (cs != CORE_OK)
		goto out;
	store_rc rc = store_user_set_disabled(st, id, disabled);
	if (rc == STORE_OK && disabled)
		rc = store_session_delete_user(st, id);
	if (rc != STORE_OK) {
		store_rollback(st);
		cs = core_store_fail(err, rc, "用户", "user");
		goto out;
	}
	cs = org_finish(st, who, u.village_id, "user", id, disabled ? "disable" : "enable",
	                disabled ? "{\"disabled\":true}" : "{\"disabled\":false}", err);
out:
	arena_free(&ar);
	return cs;
}

core_status user_update(store *st, const actor *who, int64_t id, const char *display_name,
                        const char *phone, core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_user u;
	char *sum = NULL;
	core_status cs = load_target(st, who, id, &ar, &u, true, err);
	if (cs != CORE_OK)
		goto out;
	if (display_name && validate_text(err, "display_name", "姓名", display_name, 1, 32) != CORE_OK) {
		cs = err->status;
		goto out;
	}
	if (phone && validate_phone(err, "phone", phone) != CORE_OK) {
		cs = err->status;
		goto out;
	}
	st_user upd = u;
	if (display_name)
		upd.display_name = display_name;
	if (phone)
		upd.phone = *phone ? phone : NULL;
	cs = org_begin(st, err);
	if (cs != CORE_OK)
		goto out;
	store_rc rc = store_user_update(st, &upd);
	if (rc != STORE_OK) {
		store_rollback(st);
		cs = rc == STORE_CONFLICT ? core_fail(err, CORE_CONFLICT, "phone_taken", "这个手机号已被其他账号使用",
		                                      "this phone number is used by another account")
		                          : core_store_fail(err, rc, "用户", "user");
		goto out;
	}
	json_t *j = json_pack("{s:[s,s], s:[s?,s?]}", "display_name", u.display_name,
	                      upd.display_name, "phone", u.phone, upd.phone);
	sum = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	cs = org_finish(st, who, u.village_id, "user", id, "update", sum, err);
out:
	free(sum);
	arena_free(&ar);
	return cs;
}

core_status user_set_home_household(store *st, const actor *who, int64_t id,
                                    int64_t household_id, core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_user u;
	core_status cs = load_target(st, who, id, &ar, &u, false, err);
	if (cs != CORE_OK)
		goto out;
	if (strcmp(u.role, "village_admin") != 0 && strcmp(u.role, "scorer") != 0 &&
	    strcmp(u.role, "clerk") != 0) {
		cs = core_fail(err, CORE_INVALID, "invalid_home_household",
		               "只有村干部账号（村管理员、评分员、超市管理员）可以设置本人所在户",
		               "only village staff accounts have a home household");
		goto out;
	}
	if (household_id < 0) {
		cs = core_fail(err, CORE_INVALID, "invalid_home_household",
		               "home_household_id 须为本村的户编号，或 null 表示清除",
		               "home_household_id must be a household of the village, or null to clear it");
		goto out;
	}
	if (household_id) {
		st_household h;
		store_rc rc = store_household_get(st, household_id, &ar, &h);
		if (rc == STORE_NOT_FOUND || (rc == STORE_OK && h.village_id != u.village_id)) {
			cs = core_fail(err, CORE_INVALID, "invalid_home_household",
			               "home_household_id 不是这个村的户",
			               "home_household_id is not a household of this user's village");
			goto out;
		}
		if (rc != STORE_OK) {
			cs = core_store_fail(err, rc, "户", "household");
			goto out;
		}
	}
	cs = org_begin(st, err);
	if (cs != CORE_OK)
		goto out;
	store_rc rc = store_user_set_home_household(st, id, household_id);
	if (rc != STORE_OK) {
		store_rollback(st);
		cs = core_store_fail(err, rc, "用户", "user");
		goto out;
	}
	char sum[64];
	snprintf(sum, sizeof(sum), "{\"home_household_id\":%lld}", (long long)household_id);
	cs = org_finish(st, who, u.village_id, "user", id, "set_home_household", sum, err);
out:
	arena_free(&ar);
	return cs;
}
