/*
 * household.c: households and members (see household.h).
 */
#include "core/household.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/access.h"
#include "core/org.h"
#include "core/validate.h"
#include "util/timeutil.h"

static core_status validate_member(const household_member_in *m, core_err *err)
{
	if (validate_text(err, "members.name", "家庭成员姓名", m->name, 1, 32) != CORE_OK)
		return err->status;
	return validate_text(err, "members.relation", "与户主关系", m->relation, 1, 16);
}

core_status household_validate(const st_household *h, const household_member_in *members,
                               size_t nmembers, core_err *err)
{
	if (validate_passbook(err, h->passbook_no ? h->passbook_no : "") != CORE_OK)
		return err->status;
	if (validate_text(err, "head_name", "户主姓名", h->head_name, 1, 32) != CORE_OK)
		return err->status;
	if (validate_text(err, "address", "住址", h->address ? h->address : "", 0, 128) != CORE_OK)
		return err->status;
	if (validate_phone(err, "phone", h->phone ? h->phone : "") != CORE_OK)
		return err->status;
	if (h->status && strcmp(h->status, "active") != 0 && strcmp(h->status, "moved_out") != 0)
		return core_fail(err, CORE_INVALID, "invalid_status",
		                 "户状态只能是 active（在册）或 moved_out（已迁出）",
		                 "status must be active or moved_out");
	if (nmembers > HOUSEHOLD_MAX_MEMBERS)
		return core_fail(err, CORE_INVALID, "too_many_members", "家庭成员最多 %d 人",
		                 "at most %d members", HOUSEHOLD_MAX_MEMBERS);
	for (size_t i = 0; i < nmembers; i++)
		if (validate_member(&members[i], err) != CORE_OK)
			return err->status;
	return CORE_OK;
}

/* CORE_OK if group_id is a group of the village. */
static core_status check_group(store *st, int64_t village_id, int64_t group_id, core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_group g;
	store_rc rc = store_group_get(st, group_id, &ar, &g);
	arena_free(&ar);
	if (rc == STORE_NOT_FOUND || (rc == STORE_OK && g.village_id != village_id))
		return core_fail(err, CORE_INVALID, "invalid_group", "村民小组（group_id）不属于这个村",
		                 "group_id is not a group of this village");
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "村民小组", "group");
}

static core_status passbook_taken(core_err *err, const char *passbook)
{
	return core_fail(err, CORE_CONFLICT, "passbook_taken", "存折号 %s 在本村已被使用",
	                 "passbook number %s is already used in this village", passbook);
}

core_status household_create(store *st, const actor *who, const st_household *h,
                             const household_member_in *members, size_t nmembers, int64_t *id,
                             core_err *err)
{
	if (access_village(st, who, h->village_id, ACCESS_ADMIN, err) != CORE_OK)
		return err->status;
	if (household_validate(h, members, nmembers, err) != CORE_OK)
		return err->status;
	if (check_group(st, h->village_id, h->group_id, err) != CORE_OK)
		return err->status;
	if (org_begin(st, err) != CORE_OK)
		return err->status;
	st_household rec = *h;
	rec.status = "active";
	rec.created_at = time_now();
	store_rc rc = store_household_create(st, &rec, id);
	for (size_t i = 0; rc == STORE_OK && i < nmembers; i++) {
		st_member m = {.household_id = *id, .name = members[i].name,
		               .relation = members[i].relation, .status = "active"};
		rc = store_member_create(st, &m, NULL);
	}
	if (rc != STORE_OK) {
		store_rollback(st);
		if (rc == STORE_CONFLICT)
			return passbook_taken(err, h->passbook_no);
		return core_store_fail(err, rc, "户", "household");
	}
	json_t *j = json_pack("{s:s, s:s, s:I, s:I}", "passbook_no", h->passbook_no, "head_name",
	                      h->head_name, "group_id", (json_int_t)h->group_id, "members",
	                      (json_int_t)nmembers);
	char *sum = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	core_status cs = org_finish(st, who, h->village_id, "household", *id, "create", sum, err);
	free(sum);
	return cs;
}

core_status household_get(store *st, const actor *who, int64_t id, arena *ar, st_household *out,
                          st_member **members, size_t *nmembers, core_err *err)
{
	store_rc rc = store_household_get(st, id, ar, out);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "户", "household");
	if (access_household(st, who, out, false, err) != CORE_OK)
		return err->status;
	rc = store_member_list(st, id, ar, members, nmembers);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "家庭成员", "members");
}

core_status household_list(store *st, const actor *who, const st_household_filter *f, arena *ar,
                           st_household **out, size_t *n, int64_t *total, core_err *err)
{
	if (access_village(st, who, f->village_id, ACCESS_STAFF, err) != CORE_OK)
		return err->status;
	store_rc rc = store_household_list(st, f, ar, out, n, total);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "户", "households");
}

/* Adds [old, new] under key to the change summary when they differ. */
static void diff_str(json_t *j, const char *key, const char *old, const char *new_)
{
	if (strcmp(old ? old : "", new_ ? new_ : "") != 0)
		json_object_set_new(j, key, json_pack("[s,s]", old ? old : "", new_ ? new_ : ""));
}

core_status household_update(store *st, const actor *who, int64_t id, const st_household *upd,
                             core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	core_status cs = CORE_OK;
	char *sum = NULL;
	st_household old;
	store_rc rc = store_household_get(st, id, &ar, &old);
	if (rc != STORE_OK) {
		cs = core_store_fail(err, rc, "户", "household");
		goto out;
	}
	if (access_household(st, who, &old, true, err) != CORE_OK) {
		cs = err->status;
		goto out;
	}
	st_household h = old;
	if (upd->group_id)
		h.group_id = upd->group_id;
	if (upd->passbook_no)
		h.passbook_no = upd->passbook_no;
	if (upd->head_name)
		h.head_name = upd->head_name;
	if (upd->address)
		h.address = upd->address;
	if (upd->phone)
		h.phone = upd->phone;
	if (upd->status)
		h.status = upd->status;
	h.updated_at = time_now();
	if (household_validate(&h, NULL, 0, err) != CORE_OK ||
	    check_group(st, h.village_id, h.group_id, err) != CORE_OK) {
		cs = err->status;
		goto out;
	}
	if (org_begin(st, err) != CORE_OK) {
		cs = err->status;
		goto out;
	}
	rc = store_household_update(st, &h);
	if (rc != STORE_OK) {
		store_rollback(st);
		cs = rc == STORE_CONFLICT ? passbook_taken(err, h.passbook_no)
		                          : core_store_fail(err, rc, "户", "household");
		goto out;
	}
	json_t *j = json_object();
	if (h.group_id != old.group_id)
		json_object_set_new(j, "group_id", json_pack("[I,I]", (json_int_t)old.group_id,
		                                             (json_int_t)h.group_id));
	diff_str(j, "passbook_no", old.passbook_no, h.passbook_no);
	diff_str(j, "head_name", old.head_name, h.head_name);
	diff_str(j, "address", old.address, h.address);
	diff_str(j, "phone", old.phone, h.phone);
	diff_str(j, "status", old.status, h.status);
	sum = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	cs = org_finish(st, who, h.village_id, "household", id, "update", sum, err);
out:
	free(sum);
	arena_free(&ar);
	return cs;
}

core_status household_member_add(store *st, const actor *who, int64_t household_id,
                                 const household_member_in *m, int64_t *id, core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	st_household h;
	core_status cs = CORE_OK;
	store_rc rc = store_household_get(st, household_id, &ar, &h);
	if (rc != STORE_OK) {
		cs = core_store_fail(err, rc, "户", "household");
		goto out;
	}
	if (access_household(st, who, &h, true, err) != CORE_OK ||
	    validate_member(m, err) != CORE_OK) {
		cs = err->status;
		goto out;
	}
	if (h.member_count >= HOUSEHOLD_MAX_MEMBERS) {
		cs = core_fail(err, CORE_CONFLICT, "too_many_members", "家庭成员最多 %d 人",
		               "at most %d members", HOUSEHOLD_MAX_MEMBERS);
		goto out;
	}
	if (org_begin(st, err) != CORE_OK) {
		cs = err->status;
		goto out;
	}
	st_member rec = {.household_id = household_id, .name = m->name, .relation = m->relation,
	                 .status = "active"};
	rc = store_member_create(st, &rec, id);
	if (rc != STORE_OK) {
		store_rollback(st);
		cs = core_store_fail(err, rc, "家庭成员", "member");
		goto out;
	}
	json_t *j = json_pack("{s:I, s:s, s:s}", "household_id", (json_int_t)household_id, "name",
	                      m->name, "relation", m->relation);
	char *sum = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	cs = org_finish(st, who, h.village_id, "member", *id, "create", sum, err);
	free(sum);
out:
	arena_free(&ar);
	return cs;
}

core_status household_member_update(store *st, const actor *who, int64_t id,
                                    const st_member *upd, core_err *err)
{
	arena ar;
	arena_init(&ar, 0);
	core_status cs = CORE_OK;
	char *sum = NULL;
	st_member old;
	st_household h;
	store_rc rc = store_member_get(st, id, &ar, &old);
	if (rc == STORE_OK)
		rc = store_household_get(st, old.household_id, &ar, &h);
	if (rc != STORE_OK) {
		cs = core_store_fail(err, rc, "家庭成员", "member");
		goto out;
	}
	if (access_household(st, who, &h, true, err) != CORE_OK) {
		cs = err->status;
		goto out;
	}
	st_member m = old;
	if (upd->name)
		m.name = upd->name;
	if (upd->relation)
		m.relation = upd->relation;
	if (upd->status)
		m.status = upd->status;
	household_member_in in = {m.name, m.relation};
	if (validate_member(&in, err) != CORE_OK) {
		cs = err->status;
		goto out;
	}
	if (strcmp(m.status, "active") != 0 && strcmp(m.status, "left") != 0) {
		cs = core_fail(err, CORE_INVALID, "invalid_status",
		               "成员状态只能是 active（在户）或 left（已离开）",
		               "member status must be active or left");
		goto out;
	}
	if (org_begin(st, err) != CORE_OK) {
		cs = err->status;
		goto out;
	}
	rc = store_member_update(st, &m);
	if (rc != STORE_OK) {
		store_rollback(st);
		cs = core_store_fail(err, rc, "家庭成员", "member");
		goto out;
	}
	json_t *j = json_object();
	diff_str(j, "name", old.name, m.name);
	diff_str(j, "relation", old.relation, m.relation);
	diff_str(j, "status", old.status, m.status);
	sum = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	cs = org_finish(st, who, h.village_id, "member", id, "update", sum, err);
out:
	free(sum);
	arena_free(&ar);
	return cs;
}
