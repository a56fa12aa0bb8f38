/*
 * users.h: user accounts and their roles. Staff log in with a user name and a
 * password; villagers with their household's passbook number and a 6-digit PIN,
 * or with a phone number and a password. Who may manage whom:
 *   operator (command line)  everyone
 *   area_admin               users of the villages in their area, area admins below them
 *   village_admin            scorers, clerks and villagers of their village
 *   anyone                   their own name, phone and password
 */
#ifndef JF_USERS_H
#define JF_USERS_H
#include "core/core.h"

typedef struct {
	const char *username, *display_name, *role, *phone;
	const char *password, *pin; /* plain text, hashed here */
	int64_t area_id, village_id, household_id;
} user_new;

/* True if role is one of the five roles. */
bool user_role_valid(const char *role);
core_status user_create(store *st, const actor *who, const user_new *u, int64_t *id,
                        core_err *err);
core_status user_get(store *st, const actor *who, int64_t id, arena *ar, st_user *out,
                     core_err *err);
/* Lists the users the actor may manage (filter narrowed to the actor's scope). */
core_status user_list(store *st, const actor *who, st_user_filter *f, arena *ar, st_user **out,
                      size_t *n, int64_t *total, core_err *err);
/* One change to an account; NULL fields and disabled -1 keep what is there. */
typedef struct {
	const char *display_name, *phone;
	const char *password, *pin;
	const char *current; /* the current password or PIN, to change one's own */
	int disabled;        /* -1 keep, 0 enable, 1 disable */
	bool set_home;       /* change the staff member's home household … */
	int64_t home_household_id; /* … to this one (0 clears it) */
} user_patch_in;

/* Checks every part of the patch, then applies all of it in one transaction
 * with one audit row per part. Anyone may change their own name, phone and
 * secrets (with the current one); their managers may change all but their
 * own disabled flag. A reset by a manager, or disabling, ends the user's
 * sessions. */
core_status user_patch(store *st, const actor *who, int64_t id, const user_patch_in *p,
                       core_err *err);
/* Sets a new password (pin = false) or PIN. Changing one's own needs current. */
core_status user_set_secret(store *st, const actor *who, int64_t id, bool pin,
                            const char *secret, const char *current, core_err *err);
/* Disables or re-enables; disabling ends every session of the user. */
core_status user_set_disabled(store *st, const actor *who, int64_t id, bool disabled,
                              core_err *err);
/* Changes display_name and/or phone (NULL keeps). */
core_status user_update(store *st, const actor *who, int64_t id, const char *display_name,
                        const char *phone, core_err *err);
/* Sets the household a village staff member lives in (household_id 0 clears it),
 * so that they never review their own household's claims. Only those who manage
 * the account may set it, never its owner. CORE_INVALID for a household of
 * another village or an account that is not village staff. */
core_status user_set_home_household(store *st, const actor *who, int64_t id,
                                    int64_t household_id, core_err *err);

#endif
