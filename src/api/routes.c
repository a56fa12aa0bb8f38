/*
 * routes.c: the route table of the JSON API: every path, its method, its
 * handler, its body limit and whether it needs a login. docs/api/openapi.yaml
 * describes each row (a test checks that none is missing).
 */
#include "api/api.h"

#define KB 1024
#define MB (1024 * 1024)

const http_route api_routes[] = {
	/* method  pattern                                     handler            max_body public */
	{"GET",    "/api/v1/health",                           api_health,             0, true},
	{"GET",    "/api/v1/openapi.yaml",                     api_openapi,            0, true},

	{"POST",   "/api/v1/session",                          api_session_login,  4 * KB, true},
	{"GET",    "/api/v1/session",                          api_session_get,        0, false},
	{"DELETE", "/api/v1/session",                          api_session_logout,     0, false},

	{"GET",    "/api/v1/areas",                            api_areas_list,         0, false},
	{"POST",   "/api/v1/areas",                            api_areas_create,       0, false},
	{"GET",    "/api/v1/areas/{id}",                       api_area_get,           0, false},

	{"GET",    "/api/v1/villages",                         api_villages_list,      0, false},
	{"POST",   "/api/v1/villages",                         api_villages_create,    0, false},
	{"GET",    "/api/v1/villages/{id}",                    api_village_get,        0, false},
	{"PATCH",  "/api/v1/villages/{id}",                    api_village_update,     0, false},
	{"GET",    "/api/v1/villages/{id}/groups",             api_groups_list,        0, false},
	{"POST",   "/api/v1/villages/{id}/groups",             api_groups_create,      0, false},
	{"PATCH",  "/api/v1/groups/{id}",                      api_group_update,       0, false},

	{"GET",    "/api/v1/villages/{id}/households",         api_households_list,    0, false},
	{"POST",   "/api/v1/villages/{id}/households",         api_households_create,  0, false},
	{"POST",   "/api/v1/villages/{id}/households/import",  api_households_import, 8 * MB, false},
	{"GET",    "/api/v1/households/{id}",                  api_household_get,      0, false},
	{"PATCH",  "/api/v1/households/{id}",                  api_household_update,   0, false},
	{"POST",   "/api/v1/households/{id}/members",          api_members_create,     0, false},
	{"PATCH",  "/api/v1/members/{id}",                     api_member_update,      0, false},

	{"GET",    "/api/v1/users",                            api_users_list,         0, false},
	{"POST",   "/api/v1/users",                            api_users_create,       0, false},
	{"GET",    "/api/v1/users/{id}",                       api_user_get,           0, false},
	{"PATCH",  "/api/v1/users/{id}",                       api_user_update,        0, false},

	{"GET",    "/api/v1/audit",                            api_audit_list,         0, false},

	{"GET",    "/api/v1/villages/{id}/rules",              api_rules_list,         0, true},
	{"POST",   "/api/v1/villages/{id}/rules",              api_rules_create,       0, false},
	{"GET",    "/api/v1/rules/{id}",                       api_rule_get,           0, true},
	{"PATCH",  "/api/v1/rules/{id}",                       api_rule_update,        0, false},
	{"POST",   "/api/v1/rules/{id}/retire",                api_rule_retire,        0, false},
	{"POST",   "/api/v1/rules/{id}/revise",                api_rule_revise,        0, false},

	{"POST",   "/api/v1/villages/{id}/entries",            api_entries_record,     0, false},
	{"GET",    "/api/v1/villages/{id}/entries",            api_entries_list,       0, false},
	{"GET",    "/api/v1/entries/{id}",                     api_entry_get,          0, false},
	{"POST",   "/api/v1/entries/{id}/reversal",            api_entry_reverse,      0, false},
	{"GET",    "/api/v1/households/{id}/passbook",         api_passbook,           0, false},
	{"GET",    "/api/v1/villages/{id}/chain",              api_chain_head,         0, true},

	{"POST",   "/api/v1/villages/{id}/activities",         api_activities_create,  0, false},
	{"GET",    "/api/v1/villages/{id}/activities",         api_activities_list,    0, false},
	{"GET",    "/api/v1/activities/{id}",                  api_activity_get,       0, false},
	{"POST",   "/api/v1/activities/{id}/signups",          api_activity_signup,    0, false},
	{"POST",   "/api/v1/activities/{id}/attendance",       api_activity_attendance, 0, false},
	{"POST",   "/api/v1/activities/{id}/award",            api_activity_award,     0, false},

	{"POST",   "/api/v1/villages/{id}/inspections",        api_inspections_create, 0, false},
	{"GET",    "/api/v1/villages/{id}/inspections",        api_inspections_list,   0, false},
	{"GET",    "/api/v1/inspections/{id}",                 api_inspection_get,     0, false},
	{"POST",   "/api/v1/inspections/{id}/scores",          api_inspection_score,   0, false},
	{"POST",   "/api/v1/inspections/{id}/close",           api_inspection_close,   0, false},

	{"POST",   "/api/v1/villages/{id}/photos",             api_photos_upload,  8 * MB, false},
	{"GET",    "/api/v1/villages/{id}/photos/{hash}",      api_photo_get,          0, false},

	{"POST",   "/api/v1/villages/{id}/claims",             api_claims_create,      0, false},
	{"GET",    "/api/v1/villages/{id}/claims",             api_claims_list,        0, false},
	{"GET",    "/api/v1/households/{id}/claims",           api_household_claims,   0, false},
	{"GET",    "/api/v1/claims/{id}",                      api_claim_get,          0, false},
	{"POST",   "/api/v1/claims/{id}/approve",              api_claim_approve,      0, false},
	{"POST",   "/api/v1/claims/{id}/reject",               api_claim_reject,       0, false},

	{"POST",   "/api/v1/villages/{id}/sponsors",           api_sponsors_create,    0, false},
	{"GET",    "/api/v1/villages/{id}/sponsors",           api_sponsors_list,      0, false},
	{"POST",   "/api/v1/sponsors/{id}/contributions",      api_contributions_create, 0, false},
	{"GET",    "/api/v1/sponsors/{id}/statement",          api_sponsor_statement,  0, false},
	{"POST",   "/api/v1/villages/{id}/goods",              api_goods_create,       0, false},
	{"GET",    "/api/v1/villages/{id}/goods",              api_goods_list,         0, true},
	{"GET",    "/api/v1/goods/{id}",                       api_goods_get,          0, true},
	{"PATCH",  "/api/v1/goods/{id}",                       api_goods_update,       0, false},
	{"GET",    "/api/v1/goods/{id}/photo",                 api_goods_photo,        0, true},
	{"POST",   "/api/v1/goods/{id}/stock",                 api_goods_stock,        0, false},
	{"GET",    "/api/v1/goods/{id}/stock-moves",           api_goods_stock_moves,  0, false},
	{"POST",   "/api/v1/villages/{id}/redemption-windows", api_windows_create,     0, false},
	{"GET",    "/api/v1/villages/{id}/redemption-windows", api_windows_list,       0, false},
	{"GET",    "/api/v1/villages/{id}/redemption-windows/current", api_window_current, 0, true},
	{"POST",   "/api/v1/villages/{id}/redemption-overrides", api_overrides_create, 0, false},
	{"GET",    "/api/v1/villages/{id}/redemption-overrides", api_overrides_list,   0, false},
	{"POST",   "/api/v1/villages/{id}/redemptions",        api_redemptions_create, 0, false},
	{"GET",    "/api/v1/villages/{id}/redemptions",        api_redemptions_list,   0, false},
	{"GET",    "/api/v1/households/{id}/redemptions",      api_household_redemptions, 0, false},
	{"GET",    "/api/v1/redemptions/{id}",                 api_redemption_get,     0, false},
	{"POST",   "/api/v1/redemptions/{id}/cancel",          api_redemption_cancel,  0, false},
	{"GET",    "/api/v1/households/{id}/qr",               api_household_qr,       0, false},
	{"GET",    "/api/v1/villages/{id}/households/by-qr",   api_household_by_qr,    0, false},

	{"GET",    "/api/v1/notices/{id}/export",              api_notice_export,      0, false},
	{"GET",    "/api/v1/villages/{id}/ranking/export",     api_ranking_export,     0, false},
	{"GET",    "/api/v1/households/{id}/passbook/export",  api_passbook_export,    0, false},
	{"GET",    "/api/v1/villages/{id}/redemptions/export", api_redemptions_export, 0, false},
	{"GET",    "/api/v1/sponsors/{id}/statement/export",   api_sponsor_export,     0, false},

	{"POST",   "/api/v1/villages/{id}/notices",            api_notices_publish,    0, false},
	{"GET",    "/api/v1/villages/{id}/notices",            api_notices_list,       0, false},
	{"GET",    "/api/v1/villages/{id}/notices/current",    api_notice_current,     0, true},
	{"GET",    "/api/v1/notices/{id}",                     api_notice_get,         0, false},
	{"POST",   "/api/v1/notices/{id}/objections",          api_objections_create,  0, false},
	{"GET",    "/api/v1/notices/{id}/objections",          api_objections_list,    0, false},
	{"GET",    "/api/v1/objections/{id}",                  api_objection_get,      0, false},
	{"POST",   "/api/v1/objections/{id}/settle",           api_objection_settle,   0, false},

	{"GET",    "/api/v1/villages/{id}/ranking",            api_ranking,            0, false},
	{"GET",    "/api/v1/villages/{id}/ranking/public",     api_ranking_public,     0, true},
	{"GET",    "/api/v1/households/{id}/rank",             api_household_rank,     0, false},
	{"POST",   "/api/v1/villages/{id}/honour-rules",       api_honour_rules_create, 0, false},
	{"GET",    "/api/v1/villages/{id}/honour-rules",       api_honour_rules_list,  0, false},
	{"PATCH",  "/api/v1/honour-rules/{id}",                api_honour_rule_update, 0, false},
	{"GET",    "/api/v1/villages/{id}/honours",            api_honours,            0, false},
	{"GET",    "/api/v1/villages/{id}/honours/public",     api_honours_public,     0, true},
	{"GET",    "/api/v1/villages/{id}/years",              api_years_list,         0, false},
	{"GET",    "/api/v1/villages/{id}/years/{year}",       api_year_get,           0, false},
	{"POST",   "/api/v1/villages/{id}/years/{year}/close", api_year_close,         0, false},

	{"GET",    "/api/v1/areas/{id}/compare",               api_area_compare,       0, false},
	{"GET",    "/api/v1/villages/{id}/groups/compare",     api_village_groups_compare, 0, false},
};

const size_t api_route_count = sizeof(api_routes) / sizeof(api_routes[0]);
