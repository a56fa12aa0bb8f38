/*
 * Unit tests for src/core/ledger.c on a temporary store: a record posts its
 * entries, the household's balance and the village's chain head in one
 * transaction (a failure at any step leaves none of them); the validation of
 * a record, table-driven, each refusal changing nothing; month and year caps
 * with what is left in the message; batches that are all or nothing; a
 * reversal once, never of a reversal; ledger_target_month for confirmed
 * months; and an idempotency key taken over by a retry rolling the post back.
 */
#include "check.h"
#include "core/chain.h"
#include "core/ledger.h"
#include "ledger_fixture.h"

#define PHOTO1 "1111111111111111111111111111111111111111111111111111111111111111"
#define PHOTO2 "2222222222222222222222222222222222222222222222222222222222222222"

/* Everything a failed request must leave as it was. */
typedef struct {
	long long entries, batches, audits, balances_sum, balance_rows;
	int64_t head_seq;
	char head[STORE_HASH_HEX + 1];
} snapshot;

static bool snap(lworld *w, snapshot *s)
{
	s->entries = lw_entries(w);
	s->batches = lw_int(w, "SELECT count(*) FROM batches");
	s->audits = lw_audits(w);
	s->balances_sum = lw_int(w, "SELECT COALESCE(sum(confirmed * 7 + pending * 3 + entry_count),"
	                            " 0) FROM balances");
	s->balance_rows = lw_int(w, "SELECT count(*) FROM balances");
	return store_chain_head(w->st, w->v1, &s->head_seq, s->head) == STORE_OK;
}

static bool same(lworld *w, const snapshot *a, const char *what)
{
	snapshot b;
	if (!snap(w, &b))
		return false;
	bool ok = a->entries == b.entries && a->batches == b.batches && a->audits == b.audits &&
	          a->balances_sum == b.balances_sum && a->balance_rows == b.balance_rows &&
	          a->head_seq == b.head_seq && strcmp(a->head, b.head) == 0;
	if (!ok)
		fprintf(stderr, "%s changed something: entries %lld→%lld batches %lld→%lld audits "
		        "%lld→%lld balances %lld→%lld head %lld→%lld\n", what, a->entries, b.entries,
		        a->batches, b.batches, a->audits, b.audits, a->balances_sum, b.balances_sum,
		        (long long)a->head_seq, (long long)b.head_seq);
	return ok;
}

/* The entries of a batch, oldest first (the store's order for a batch), into out (in w->ar). */
static size_t batch_entries(lworld *w, int64_t batch, st_entry **out)
{
	st_entry_filter f = {.batch_id = batch, .limit = 600};
	size_t n = 0;
	int64_t total = 0;
	if (store_entry_list(w->st, &f, &w->ar, out, &n, &total) != STORE_OK)
		return 0;
	return n;
}

static core_status rec1(lworld *w, int who, int64_t rule, int64_t household, const char *date,
                        int64_t *batch, core_err *err)
{
	ledger_target t = {.household_id = household};
	ledger_record_in in = {.village_id = w->v1, .rule_id = rule, .targets = &t, .ntargets = 1,
	                       .deed_date = date};
	return ledger_record(w->st, &w->as[who], &in, NULL, batch, err);
}

static bool add_photo(lworld *w, int64_t village, const char *hash)
{
	st_photo p = {.village_id = village, .hash = hash, .mime = "image/png", .width = 4,
	              .height = 3, .bytes = 100, .uploaded_by = w->u[LW_SCORER].id,
	              .created_at = time_now()};
	return store_photo_add(w->st, &p) == STORE_OK;
}

/* ---- posting ----------------------------------------------------------- */

static void record_posts_entry_balance_and_head(void)
{
	lworld w;
	CHECK(lw_build(&w));
	CHECK(add_photo(&w, w.v1, PHOTO1));
	int64_t rule = lw_rule(&w, w.v1, "清理村道积雪", 3, NULL);
	CHECK(rule);
	char today[11], month[8];
	lw_today(today);
	snprintf(month, sizeof(month), "%.7s", today);
	const char *ev[] = {PHOTO1};
	ledger_target t[] = {{.household_id = w.h1, .member_id = w.m1}, {.household_id = w.h2}};
	ledger_record_in in = {.village_id = w.v1, .rule_id = rule, .targets = t, .ntargets = 2,
	                       .quantity = 2, .deed_date = today, .note = "雪后清理村道两小时",
	                       .evidence = ev, .nevidence = 1};
	int64_t batch = 0;
	core_err err;
	CHECK_INT_EQ(ledger_record(w.st, &w.as[LW_SCORER], &in, NULL, &batch, &err), CORE_OK);
	CHECK(batch > 0);
	st_entry *e = NULL;
	CHECK_INT_EQ(batch_entries(&w, batch, &e), 2);
	const char *zeros = "0000000000000000000000000000000000000000000000000000000000000000";
	for (int i = 0; i < 2; i++) {
		CHECK_INT_EQ(e[i].seq, i + 1);
		CHECK_INT_EQ(e[i].household_id, t[i].household_id);
		CHECK_INT_EQ(e[i].member_id, t[i].member_id);
		CHECK_INT_EQ(e[i].points, 6);
		CHECK_INT_EQ(e[i].quantity, 2);
		CHECK_STR_EQ(e[i].kind, "award");
		CHECK_STR_EQ(e[i].bucket, "pending");
		CHECK_STR_EQ(e[i].month, month);
		CHECK_STR_EQ(e[i].deed_date, today);
		CHECK_STR_EQ(e[i].note, "雪后清理村道两小时");
		CHECK_STR_EQ(e[i].evidence, "[\"" PHOTO1 "\"]");
		CHECK_INT_EQ(e[i].rule_id, rule);
		CHECK_INT_EQ(e[i].rule_version, 1);
		CHECK_INT_EQ(e[i].rule_lineage, rule);
		CHECK_INT_EQ(e[i].recorded_by, w.u[LW_SCORER].id);
		CHECK_INT_EQ(e[i].batch_id, batch);
		/* each hash is the hash of its contents, chained to the one before */
		CHECK_STR_EQ(e[i].prev_hash, i == 0 ? zeros : e[0].hash);
		char h[STORE_HASH_HEX + 1];
		CHECK(chain_hash(&e[i], h));
		CHECK_STR_EQ(h, e[i].hash);
	}
	CHECK_STR_EQ(e[0].member_name, "王桂芝");
	/* the chain head names the last entry; balances are pending and counted */
	int64_t seq = 0;
	char head[STORE_HASH_HEX + 1];
	CHECK_INT_EQ(store_chain_head(w.st, w.v1, &seq, head), STORE_OK);
	CHECK_INT_EQ(seq, 2);
	CHECK_STR_EQ(head, e[1].hash);
	st_balance b;
	CHECK_INT_EQ(store_balance_get(w.st, w.h1, &b), STORE_OK);
	CHECK_INT_EQ(b.pending, 6);
	CHECK_INT_EQ(b.confirmed, 0);
	CHECK_INT_EQ(b.entry_count, 1);
	CHECK_INT_EQ(b.village_id, w.v1);
	/* the rule is now used, one audit row names the batch */
	CHECK_INT_EQ(lw_int(&w, "SELECT used FROM rules WHERE id = %lld", (long long)rule), 1);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM audit_log WHERE entity = 'batch' AND"
	                        " entity_id = %lld AND action = 'record' AND summary LIKE"
	                        " '%%清理村道积雪%%' AND summary LIKE '%%\"households\":2%%'",
	                        (long long)batch),
	             1);
	CHECK_INT_EQ(lw_int(&w, "SELECT kind = 'record' FROM batches WHERE id = %lld", (long long)batch),
	             1);
	/* a deduction: negative points, kind deduction, the balance goes down */
	int64_t ded = lw_rule(&w, w.v1, "乱堆乱放", -2, NULL);
	CHECK(ded);
	CHECK_INT_EQ(rec1(&w, LW_ADMIN, ded, w.h1, today, &batch, &err), CORE_OK);
	CHECK_INT_EQ(batch_entries(&w, batch, &e), 1);
	CHECK_STR_EQ(e[0].kind, "deduction");
	CHECK_INT_EQ(e[0].points, -2);
	CHECK_INT_EQ(e[0].seq, 3);
	CHECK_INT_EQ(lw_balance(&w, w.h1), 4);
	/* another village has its own chain, starting at 1 from zeros */
	int64_t rule2 = lw_rule(&w, w.v2, "植树", 2, NULL);
	ledger_target t2 = {.household_id = w.h_other};
	ledger_record_in in2 = {.village_id = w.v2, .rule_id = rule2, .targets = &t2, .ntargets = 1,
	                        .deed_date = today};
	CHECK_INT_EQ(ledger_record(w.st, &w.as[LW_ADMIN2], &in2, NULL, &batch, &err), CORE_OK);
	CHECK_INT_EQ(batch_entries(&w, batch, &e), 1);
	CHECK_INT_EQ(e[0].seq, 1);
	CHECK_STR_EQ(e[0].prev_hash, zeros);
	CHECK_INT_EQ(store_chain_head(w.st, w.v1, &seq, head), STORE_OK);
	CHECK_INT_EQ(seq, 3);
	lw_done(&w);
}

/* ledger_post alone fills seq, hashes, created_at and the defaults; a rollback
 * leaves nothing. */
static void post_fills_and_rolls_back(void)
{
	lworld w;
	CHECK(lw_build(&w));
	arena ar;
	arena_init(&ar, 0);
	core_err err;
	CHECK_INT_EQ(store_begin(w.st), STORE_OK);
	int64_t batch = 0;
	CHECK_INT_EQ(store_batch_create(w.st, w.v1, "adjustment", w.u[LW_ADMIN].id, time_now(), &batch),
	             STORE_OK);
	st_entry e = {.village_id = w.v1, .household_id = w.h2, .kind = "adjustment", .points = 15,
	              .deed_date = "2025-01-02", .month = "2025-01", .bucket = "confirmed",
	              .batch_id = batch, .recorded_by = w.u[LW_ADMIN].id};
	CHECK_INT_EQ(ledger_post(w.st, &e, &ar, &err), CORE_OK);
	CHECK(e.id > 0);
	CHECK_INT_EQ(e.seq, 1);
	CHECK_INT_EQ(e.quantity, 1);
	CHECK_STR_EQ(e.note, "");
	CHECK_STR_EQ(e.evidence, "[]");
	CHECK(e.created_at > 0);
	char h[STORE_HASH_HEX + 1];
	CHECK(chain_hash(&e, h));
	CHECK_STR_EQ(h, e.hash);
	st_balance b;
	CHECK_INT_EQ(store_balance_get(w.st, w.h2, &b), STORE_OK);
	CHECK_INT_EQ(b.confirmed, 15); /* a confirmed entry lands in confirmed */
	CHECK_INT_EQ(b.pending, 0);
	store_rollback(w.st);
	CHECK_INT_EQ(lw_entries(&w), 0);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM balances"), 0);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM chain_heads"), 0);
	arena_free(&ar);
	lw_done(&w);
}

/* A failure at the balance, the chain head or the audit row undoes the whole post. */
static void one_transaction(void)
{
	lworld w;
	CHECK(lw_build(&w));
	int64_t rule = lw_rule(&w, w.v1, "防火巡逻", 3, NULL);
	char today[11];
	lw_today(today);
	core_err err;
	int64_t batch = 0;
	CHECK_INT_EQ(rec1(&w, LW_SCORER, rule, w.h1, today, &batch, &err), CORE_OK);
	const char *const traps[] = {
		"CREATE TRIGGER trap BEFORE UPDATE ON balances BEGIN SELECT RAISE(ABORT, 'trap'); END",
		"CREATE TRIGGER trap BEFORE UPDATE ON chain_heads BEGIN SELECT RAISE(ABORT, 'trap'); END",
		"CREATE TRIGGER trap BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'trap'); END",
		"CREATE TRIGGER trap BEFORE UPDATE ON rules BEGIN SELECT RAISE(ABORT, 'trap'); END",
	};
	int64_t fresh = lw_rule(&w, w.v1, "植树", 2, NULL); /* unused: posting marks it used */
	for (size_t i = 0; i < sizeof(traps) / sizeof(traps[0]); i++) {
		CHECK_INT_EQ(lw_exec(&w, "%s", traps[i]), 0);
		snapshot s;
		CHECK(snap(&w, &s));
		int64_t r = i == 3 ? fresh : rule;
		core_status cs = rec1(&w, LW_SCORER, r, w.h1, today, &batch, &err);
		if (cs == CORE_OK)
			fprintf(stderr, "trap %zu did not stop the post\n", i);
		CHECK(cs != CORE_OK);
		CHECK(same(&w, &s, traps[i]));
		CHECK_INT_EQ(lw_exec(&w, "DROP TRIGGER trap"), 0);
	}
	CHECK_INT_EQ(lw_int(&w, "SELECT used FROM rules WHERE id = %lld", (long long)fresh), 0);
	/* and with the traps gone it posts again, continuing the chain */
	CHECK_INT_EQ(rec1(&w, LW_SCORER, rule, w.h1, today, &batch, &err), CORE_OK);
	CHECK_INT_EQ(lw_balance(&w, w.h1), 6);
	CHECK_INT_EQ(lw_int(&w, "SELECT seq FROM chain_heads WHERE village_id = %lld", (long long)w.v1),
	             2);
	lw_done(&w);
}

/* ---- validation -------------------------------------------------------- */

static void record_refusals(void)
{
	lworld w;
	CHECK(lw_build(&w));
	CHECK(add_photo(&w, w.v1, PHOTO1));
	CHECK(add_photo(&w, w.v2, PHOTO2)); /* a photo of the other village */
	const st_rule ranged = {.has_range = true, .min_points = 3, .max_points = 8};
	const st_rule admins = {.recorders = "village_admin"};
	const st_rule photo = {.evidence_required = true};
	int64_t fixed = lw_rule(&w, w.v1, "孝敬老人", 5, NULL);
	int64_t range = lw_rule(&w, w.v1, "见义勇为", 5, &ranged);
	int64_t admin_only = lw_rule(&w, w.v1, "村干部评议", 10, &admins);
	int64_t needs_photo = lw_rule(&w, w.v1, "婚事新办", 10, &photo);
	int64_t retired = lw_rule(&w, w.v1, "旧细则", 2, NULL);
	int64_t foreign = lw_rule(&w, w.v2, "腰堡村细则", 2, NULL);
	CHECK(fixed && range && admin_only && needs_photo && retired && foreign);
	CHECK_INT_EQ(store_rule_retire(w.st, retired, time_now()), STORE_OK);
	char today[11], tomorrow[11];
	lw_today(today);
	/* tomorrow: the day after today, via the month boundary helper when needed */
	{
		int y = atoi(today), m = atoi(today + 5), d = atoi(today + 8);
		snprintf(tomorrow, sizeof(tomorrow), "%04u-%02u-%02u", (unsigned)y % 10000u,
		         (unsigned)m % 100u, (unsigned)(d + 1) % 100u);
		if (!time_valid_date(tomorrow))
			time_next_month(today, tomorrow);
	}
	static const char nodate[] = "(none)"; /* stands for a missing date */
	char note201[1024] = "";
	for (int i = 0; i < 201; i++)
		strcat(note201, "记");
	const char *one_photo[] = {PHOTO1};
	const char *bad_photo[] = {"3333333333333333333333333333333333333333333333333333333333333333"};
	const char *other_photo[] = {PHOTO2};
	const char *seven[] = {PHOTO1, PHOTO1, PHOTO1, PHOTO1, PHOTO1, PHOTO1, PHOTO1};
	ledger_target many[LEDGER_MAX_TARGETS + 1];
	for (int i = 0; i <= LEDGER_MAX_TARGETS; i++)
		many[i] = (ledger_target){.household_id = w.h1, .member_id = i};
	ledger_target h1 = {.household_id = w.h1}, moved = {.household_id = w.h_moved},
	              other = {.household_id = w.h_other}, nobody = {.household_id = 9999},
	              stranger = {.household_id = w.h2, .member_id = w.m1}, /* 王桂芝 is of 1001 */
	              twice[] = {{.household_id = w.h1}, {.household_id = w.h2}, {.household_id = w.h1}};
	const struct {
		int who;
		ledger_record_in in;
		core_status want;
		const char *code, *zh;
	} cases[] = {
		{LW_SCORER, {.rule_id = fixed, .deed_date = "2025-02-30"}, CORE_INVALID, "invalid_date", "YYYY-MM-DD"},
		{LW_SCORER, {.rule_id = fixed, .deed_date = "2025/03/01"}, CORE_INVALID, "invalid_date", NULL},
		{LW_SCORER, {.rule_id = fixed, .deed_date = nodate}, CORE_INVALID, "invalid_date", NULL},
		{LW_SCORER, {.rule_id = fixed, .deed_date = "1999-12-31"}, CORE_INVALID, "invalid_date", "太早"},
		{LW_SCORER, {.rule_id = fixed, .deed_date = tomorrow}, CORE_INVALID, "future_date", "不能晚于今天"},
		{LW_SCORER, {.rule_id = 9999}, CORE_INVALID, "invalid_rule", "不是本村的细则"},
		{LW_SCORER, {.rule_id = foreign}, CORE_INVALID, "invalid_rule", NULL},
		{LW_SCORER, {.rule_id = retired}, CORE_INVALID, "rule_retired", "旧细则"},
		{LW_SCORER, {.rule_id = admin_only}, CORE_FORBIDDEN, "forbidden", "村干部评议"},
		{LW_CLERK, {.rule_id = fixed}, CORE_FORBIDDEN, "forbidden", "超市"},
		{LW_VILLAGER, {.rule_id = fixed}, CORE_FORBIDDEN, NULL, NULL},
		{LW_ADMIN2, {.rule_id = fixed}, CORE_FORBIDDEN, NULL, NULL},
		{LW_SCORER, {.rule_id = range}, CORE_INVALID, "points_required", "3 到 8"},
		{LW_SCORER, {.rule_id = range, .has_points = true, .points = 2}, CORE_INVALID, "points_out_of_range", NULL},
		{LW_SCORER, {.rule_id = range, .has_points = true, .points = 9}, CORE_INVALID, "points_out_of_range", NULL},
		{LW_SCORER, {.rule_id = fixed, .has_points = true, .points = 6}, CORE_INVALID, "points_fixed", "固定为 5"},
		{LW_SCORER, {.rule_id = fixed, .quantity = 101}, CORE_INVALID, "invalid_quantity", "1 到 100"},
		{LW_SCORER, {.rule_id = fixed, .quantity = -1}, CORE_INVALID, "invalid_quantity", NULL},
		{LW_SCORER, {.rule_id = needs_photo}, CORE_INVALID, "evidence_required", "婚事新办"},
		{LW_SCORER, {.rule_id = needs_photo, .evidence = bad_photo, .nevidence = 1}, CORE_INVALID, "invalid_photo", "请先上传"},
		{LW_SCORER, {.rule_id = needs_photo, .evidence = other_photo, .nevidence = 1}, CORE_INVALID, "invalid_photo", NULL},
		{LW_SCORER, {.rule_id = fixed, .evidence = seven, .nevidence = 7}, CORE_INVALID, "too_many_photos", NULL},
		{LW_SCORER, {.rule_id = fixed, .note = note201}, CORE_INVALID, "too_long", NULL},
		{LW_SCORER, {.rule_id = fixed, .note = "备注\x01"}, CORE_INVALID, "control_characters", NULL},
		{LW_SCORER, {.rule_id = fixed, .targets = &h1, .ntargets = 0}, CORE_INVALID, "no_households", NULL},
		{LW_SCORER, {.rule_id = fixed, .targets = many, .ntargets = LEDGER_MAX_TARGETS + 1}, CORE_INVALID, "too_many_households", "500"},
		{LW_SCORER, {.rule_id = fixed, .targets = twice, .ntargets = 3}, CORE_INVALID, "duplicate_household", NULL},
		{LW_SCORER, {.rule_id = fixed, .targets = &moved, .ntargets = 1}, CORE_INVALID, "household_moved_out", "张秀英（1004）已迁出"},
		{LW_SCORER, {.rule_id = fixed, .targets = &other, .ntargets = 1}, CORE_INVALID, "invalid_household", NULL},
		{LW_SCORER, {.rule_id = fixed, .targets = &nobody, .ntargets = 1}, CORE_INVALID, "invalid_household", NULL},
		{LW_SCORER, {.rule_id = fixed, .targets = &stranger, .ntargets = 1}, CORE_INVALID, "invalid_member", "王桂芝 家的成员"},
		{LW_SCORER, {.rule_id = fixed, .targets = &h1, .ntargets = 1, .group_id = 1}, CORE_INVALID, "targets_conflict", NULL},
		{LW_SCORER, {.rule_id = fixed, .group_id = 3}, CORE_INVALID, "invalid_group", NULL}, /* 腰堡村's */
		{LW_SCORER, {.rule_id = fixed, .group_id = 9999}, CORE_INVALID, "invalid_group", NULL},
		/* the edges that pass */
		{LW_SCORER, {.rule_id = range, .has_points = true, .points = 3}, CORE_OK, NULL, NULL},
		{LW_SCORER, {.rule_id = range, .has_points = true, .points = 8}, CORE_OK, NULL, NULL},
		{LW_SCORER, {.rule_id = fixed, .has_points = true, .points = 5, .quantity = 100}, CORE_OK, NULL, NULL},
		{LW_ADMIN, {.rule_id = admin_only, .deed_date = "2000-01-01"}, CORE_OK, NULL, NULL},
		{LW_ADMIN, {.rule_id = needs_photo, .evidence = one_photo, .nevidence = 1}, CORE_OK, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ledger_record_in in = cases[i].in;
		in.village_id = w.v1;
		if (!in.deed_date)
			in.deed_date = today;
		else if (in.deed_date == nodate)
			in.deed_date = NULL;
		if (!in.targets && !in.group_id) {
			in.targets = &h1;
			in.ntargets = 1;
		}
		if (in.group_id == 1)
			in.group_id = w.g1;
		else if (in.group_id == 3)
			in.group_id = w.g3;
		snapshot s;
		CHECK(snap(&w, &s));
		int64_t batch = 0;
		core_err err;
		memset(&err, 0, sizeof(err));
		char what[48];
		snprintf(what, sizeof(what), "record case %zu", i);
		core_status got = ledger_record(w.st, &w.as[cases[i].who], &in, NULL, &batch, &err);
		CHECK(lw_expect(what, got, &err, cases[i].want, cases[i].code, cases[i].zh));
		if (got != CORE_OK)
			CHECK(same(&w, &s, what));
		else
			CHECK_INT_EQ(lw_entries(&w), s.entries + 1);
	}
	/* 3 + 8 + 500 + 10 + 10 */
	CHECK_INT_EQ(lw_balance(&w, w.h1), 531);
	lw_done(&w);
}

/* A whole group: its active households, not the moved-out one nor other groups. */
static void group_records_its_active_households(void)
{
	lworld w;
	CHECK(lw_build(&w));
	int64_t rule = lw_rule(&w, w.v1, "参加宣讲学习", 2, NULL);
	char today[11];
	lw_today(today);
	ledger_record_in in = {.village_id = w.v1, .rule_id = rule, .group_id = w.g1,
	                       .deed_date = today};
	int64_t batch = 0;
	core_err err;
	CHECK_INT_EQ(ledger_record(w.st, &w.as[LW_SCORER], &in, NULL, &batch, &err), CORE_OK);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM entries WHERE batch_id = %lld", (long long)batch),
	             2);
	CHECK_INT_EQ(lw_balance(&w, w.h1), 2);
	CHECK_INT_EQ(lw_balance(&w, w.h2), 2);
	CHECK_INT_EQ(lw_balance(&w, w.h_moved), 0);
	CHECK_INT_EQ(lw_balance(&w, w.h3), 0);
	/* a group with no active household records nothing */
	int64_t empty = fx_group(w.st, w.v1, "三组", 3);
	in.group_id = empty;
	CHECK(lw_expect("empty group", ledger_record(w.st, &w.as[LW_SCORER], &in, NULL, &batch, &err),
	                &err, CORE_INVALID, "no_households", "没有选择"));
	lw_done(&w);
}

/* ---- caps -------------------------------------------------------------- */

static void caps(void)
{
	lworld w;
	CHECK(lw_build(&w));
	const st_rule month_cap = {.cap_month = 10};
	const st_rule year_cap = {.cap_year = 9};
	const st_rule both = {.cap_month = 6, .cap_year = 8};
	const st_rule ded_cap = {.cap_month = 6};
	int64_t rm = lw_rule(&w, w.v1, "孝敬老人", 4, &month_cap);
	int64_t ry = lw_rule(&w, w.v1, "婚事新办", 3, &year_cap);
	int64_t rb = lw_rule(&w, w.v1, "志愿服务", 2, &both);
	int64_t rd = lw_rule(&w, w.v1, "乱堆乱放", -3, &ded_cap);
	CHECK(rm && ry && rb && rd);
	char may3[11], may20[11], jun1[11], mar1[11], sep9[11], dec31[11];
	lw_last_year(may3, 5, 3);
	lw_last_year(may20, 5, 20);
	lw_last_year(jun1, 6, 1);
	lw_last_year(mar1, 3, 1);
	lw_last_year(sep9, 9, 9);
	lw_last_year(dec31, 12, 31);
	int64_t b = 0;
	core_err err;
	/* month cap 10 for 4 points: 4, 8, then "还可记 2 分"; another month is free */
	CHECK_INT_EQ(rec1(&w, LW_SCORER, rm, w.h1, may3, &b, &err), CORE_OK);
	CHECK_INT_EQ(rec1(&w, LW_SCORER, rm, w.h1, may20, &b, &err), CORE_OK);
	snapshot s;
	CHECK(snap(&w, &s));
	CHECK(lw_expect("month cap", rec1(&w, LW_SCORER, rm, w.h1, may20, &b, &err), &err,
	                CORE_INVALID, "cap_exceeded",
	                "于洪军（1001）“孝敬老人”本月上限 10 分，已记 8 分，还可记 2 分"));
	CHECK(strstr(err.en, "8 used, 2 left") != NULL);
	CHECK(same(&w, &s, "month cap"));
	CHECK_INT_EQ(rec1(&w, LW_SCORER, rm, w.h1, jun1, &b, &err), CORE_OK);
	CHECK_INT_EQ(rec1(&w, LW_SCORER, rm, w.h2, may3, &b, &err), CORE_OK); /* per household */
	/* a member's entries count for the household */
	ledger_target mem = {.household_id = w.h1, .member_id = w.m2};
	ledger_record_in in = {.village_id = w.v1, .rule_id = rm, .targets = &mem, .ntargets = 1,
	                       .deed_date = jun1};
	CHECK_INT_EQ(ledger_record(w.st, &w.as[LW_SCORER], &in, NULL, &b, &err), CORE_OK);
	CHECK(lw_expect("member against the cap",
	                ledger_record(w.st, &w.as[LW_SCORER], &in, NULL, &b, &err), &err,
	                CORE_INVALID, "cap_exceeded", "已记 8 分，还可记 2 分"));
	/* the quantity multiplies: 3 × 4 = 12 > 10 at once */
	in.targets = &(ledger_target){.household_id = w.h3};
	in.quantity = 3;
	CHECK(lw_expect("quantity over the cap",
	                ledger_record(w.st, &w.as[LW_SCORER], &in, NULL, &b, &err), &err,
	                CORE_INVALID, "cap_exceeded", "已记 0 分，还可记 10 分"));
	in.quantity = 2;
	CHECK_INT_EQ(ledger_record(w.st, &w.as[LW_SCORER], &in, NULL, &b, &err), CORE_OK);

	/* year cap 9 for 3 points, across months: 3 + 3 + 3, then nothing left;
	 * next year's January is another year */
	CHECK_INT_EQ(rec1(&w, LW_SCORER, ry, w.h1, mar1, &b, &err), CORE_OK);
	CHECK_INT_EQ(rec1(&w, LW_SCORER, ry, w.h1, may3, &b, &err), CORE_OK);
	CHECK_INT_EQ(rec1(&w, LW_SCORER, ry, w.h1, dec31, &b, &err), CORE_OK);
	CHECK(lw_expect("year cap", rec1(&w, LW_SCORER, ry, w.h1, sep9, &b, &err), &err, CORE_INVALID,
	                "cap_exceeded", "本年上限 9 分，已记 9 分，还可记 0 分"));
	CHECK(strstr(err.en, "this year") != NULL);
	char today[11];
	lw_today(today);
	CHECK_INT_EQ(rec1(&w, LW_SCORER, ry, w.h1, today, &b, &err), CORE_OK);

	/* both caps: the month one bites first (6), then the year one (8) */
	CHECK_INT_EQ(rec1(&w, LW_SCORER, rb, w.h2, may3, &b, &err), CORE_OK);
	CHECK_INT_EQ(rec1(&w, LW_SCORER, rb, w.h2, may3, &b, &err), CORE_OK);
	CHECK_INT_EQ(rec1(&w, LW_SCORER, rb, w.h2, may20, &b, &err), CORE_OK);
	CHECK(lw_expect("month of both", rec1(&w, LW_SCORER, rb, w.h2, may20, &b, &err), &err,
	                CORE_INVALID, "cap_exceeded", "本月上限 6 分，已记 6 分，还可记 0 分"));
	CHECK_INT_EQ(rec1(&w, LW_SCORER, rb, w.h2, jun1, &b, &err), CORE_OK);
	CHECK(lw_expect("year of both", rec1(&w, LW_SCORER, rb, w.h2, sep9, &b, &err), &err,
	                CORE_INVALID, "cap_exceeded", "本年上限 8 分，已记 8 分，还可记 0 分"));

	/* a deduction cap counts the size: −3, −3, then refused */
	CHECK_INT_EQ(rec1(&w, LW_SCORER, rd, w.h3, may3, &b, &err), CORE_OK);
	CHECK_INT_EQ(rec1(&w, LW_SCORER, rd, w.h3, may3, &b, &err), CORE_OK);
	CHECK(lw_expect("deduction cap", rec1(&w, LW_SCORER, rd, w.h3, may20, &b, &err), &err,
	                CORE_INVALID, "cap_exceeded", "“乱堆乱放”本月上限 6 分，已记 6 分，还可记 0 分"));

	/* a reversal frees its part of the cap */
	int64_t last = lw_int(&w, "SELECT max(id) FROM entries WHERE rule_id = %lld", (long long)rd);
	CHECK_INT_EQ(ledger_reverse(w.st, &w.as[LW_SCORER], last, "记错户了", NULL, &b, &err), CORE_OK);
	CHECK_INT_EQ(rec1(&w, LW_SCORER, rd, w.h3, may20, &b, &err), CORE_OK);

	/* a lower cap in a new version: more used than the cap leaves 0, not a negative */
	st_rule r;
	CHECK_INT_EQ(store_rule_get(w.st, rm, &w.ar, &r), STORE_OK);
	r.cap_month = 5;
	r.version = 2;
	r.lineage_id = rm;
	CHECK_INT_EQ(store_rule_retire(w.st, rm, time_now()), STORE_OK);
	int64_t rm2 = 0;
	CHECK_INT_EQ(store_rule_create(w.st, &r, &rm2), STORE_OK);
	CHECK(lw_expect("lowered cap", rec1(&w, LW_SCORER, rm2, w.h1, may3, &b, &err), &err,
	                CORE_INVALID, "cap_exceeded", "本月上限 5 分，已记 8 分，还可记 0 分"));
	lw_done(&w);
}

/* One household over its cap refuses the whole batch. */
static void batches_are_all_or_nothing(void)
{
	lworld w;
	CHECK(lw_build(&w));
	const st_rule cap = {.cap_month = 5};
	int64_t rule = lw_rule(&w, w.v1, "清除杂草", 5, &cap);
	char today[11];
	lw_today(today);
	int64_t b = 0;
	core_err err;
	CHECK_INT_EQ(rec1(&w, LW_SCORER, rule, w.h3, today, &b, &err), CORE_OK);
	const struct {
		ledger_target t[3];
		size_t n;
		const char *code, *zh;
	} cases[] = {
		{{{.household_id = w.h1}, {.household_id = w.h2}, {.household_id = w.h3}}, 3,
		 "cap_exceeded", "李春生（2001）"},
		{{{.household_id = w.h1}, {.household_id = w.h_moved}}, 2, "household_moved_out", NULL},
		{{{.household_id = w.h1}, {.household_id = w.h2}, {.household_id = w.h_other}}, 3,
		 "invalid_household", NULL},
		{{{.household_id = w.h1}, {.household_id = w.h2, .member_id = w.m2}}, 2,
		 "invalid_member", NULL},
		/* the same household twice with the same member (none) */
		{{{.household_id = w.h2}, {.household_id = w.h1, .member_id = w.m1},
		  {.household_id = w.h2}}, 3, "duplicate_household", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ledger_record_in in = {.village_id = w.v1, .rule_id = rule, .targets = cases[i].t,
		                       .ntargets = cases[i].n, .deed_date = today};
		snapshot s;
		CHECK(snap(&w, &s));
		char what[48];
		snprintf(what, sizeof(what), "batch case %zu", i);
		CHECK(lw_expect(what, ledger_record(w.st, &w.as[LW_SCORER], &in, NULL, &b, &err), &err,
		                CORE_INVALID, cases[i].code, cases[i].zh));
		CHECK(same(&w, &s, what));
		CHECK_INT_EQ(lw_balance(&w, w.h1), 0);
	}
	/* a household and one of its members are two targets, and both count for the cap */
	ledger_target hm[] = {{.household_id = w.h1}, {.household_id = w.h1, .member_id = w.m1}};
	ledger_record_in in = {.village_id = w.v1, .rule_id = rule, .targets = hm, .ntargets = 2,
	                       .deed_date = today};
	CHECK(lw_expect("household and member over the cap",
	                ledger_record(w.st, &w.as[LW_SCORER], &in, NULL, &b, &err), &err,
	                CORE_INVALID, "cap_exceeded", "已记 5 分，还可记 0 分"));
	CHECK_INT_EQ(lw_balance(&w, w.h1), 0);
	lw_done(&w);
}

/* ---- reversals --------------------------------------------------------- */

static void reversals(void)
{
	lworld w;
	CHECK(lw_build(&w));
	int64_t rule = lw_rule(&w, w.v1, "拾金不昧", 5, NULL);
	char today[11];
	lw_today(today);
	ledger_target t = {.household_id = w.h1, .member_id = w.m2};
	ledger_record_in in = {.village_id = w.v1, .rule_id = rule, .targets = &t, .ntargets = 1,
	                       .quantity = 2, .deed_date = today, .note = "捡到钱包交还失主"};
	int64_t b = 0;
	core_err err;
	CHECK_INT_EQ(ledger_record(w.st, &w.as[LW_SCORER], &in, NULL, &b, &err), CORE_OK);
	int64_t orig = lw_int(&w, "SELECT id FROM entries WHERE batch_id = %lld", (long long)b);
	CHECK_INT_EQ(lw_balance(&w, w.h1), 10);

	const struct {
		int who;
		int64_t id;
		const char *reason;
		core_status want;
		const char *code;
	} refusals[] = {
		{LW_SCORER, 0, "", CORE_INVALID, "too_short"},
		{LW_SCORER, 0, NULL, CORE_INVALID, "missing_field"},
		{LW_CLERK, 0, "记错户了", CORE_FORBIDDEN, "forbidden"},
		{LW_VILLAGER, 0, "记错户了", CORE_FORBIDDEN, NULL},
		{LW_ADMIN2, 0, "记错户了", CORE_FORBIDDEN, NULL},
		{LW_SCORER, 9999, "记错户了", CORE_NOT_FOUND, "not_found"},
	};
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		snapshot s;
		CHECK(snap(&w, &s));
		char what[48];
		snprintf(what, sizeof(what), "reversal refusal %zu", i);
		CHECK(lw_expect(what, ledger_reverse(w.st, &w.as[refusals[i].who],
		                                     refusals[i].id ? refusals[i].id : orig,
		                                     refusals[i].reason, NULL, &b, &err),
		                &err, refusals[i].want, refusals[i].code, NULL));
		CHECK(same(&w, &s, what));
	}

	/* the reversal mirrors the original */
	CHECK_INT_EQ(ledger_reverse(w.st, &w.as[LW_ADMIN], orig, "记错户了", NULL, &b, &err), CORE_OK);
	st_entry *e = NULL;
	CHECK_INT_EQ(batch_entries(&w, b, &e), 1);
	CHECK_STR_EQ(e[0].kind, "reversal");
	CHECK_INT_EQ(e[0].points, -10);
	CHECK_INT_EQ(e[0].reverses_id, orig);
	CHECK_INT_EQ(e[0].household_id, w.h1);
	CHECK_INT_EQ(e[0].member_id, w.m2);
	CHECK_INT_EQ(e[0].rule_id, rule);
	CHECK_INT_EQ(e[0].quantity, 2);
	CHECK_STR_EQ(e[0].deed_date, today);
	CHECK_STR_EQ(e[0].note, "记错户了");
	CHECK_STR_EQ(e[0].bucket, "pending");
	CHECK_INT_EQ(e[0].recorded_by, w.u[LW_ADMIN].id);
	CHECK_INT_EQ(lw_int(&w, "SELECT kind = 'reversal' FROM batches WHERE id = %lld", (long long)b), 1);
	int64_t rev = e[0].id;
	CHECK_INT_EQ(lw_balance(&w, w.h1), 0);
	st_balance bal;
	CHECK_INT_EQ(store_balance_get(w.st, w.h1, &bal), STORE_OK);
	CHECK_INT_EQ(bal.entry_count, 2);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM audit_log WHERE entity = 'entry' AND"
	                        " entity_id = %lld AND action = 'reverse' AND summary LIKE"
	                        " '%%\"reverses\":%lld%%'", (long long)rev, (long long)orig),
	             1);
	st_entry o;
	CHECK_INT_EQ(store_entry_get(w.st, orig, &w.ar, &o), STORE_OK);
	CHECK_INT_EQ(o.reversed_by, rev);

	/* once only, and never a reversal of a reversal */
	snapshot s;
	CHECK(snap(&w, &s));
	CHECK(lw_expect("second reversal",
	                ledger_reverse(w.st, &w.as[LW_SCORER], orig, "重复记录", NULL, &b, &err), &err,
	                CORE_CONFLICT, "already_reversed", "已经被冲销过"));
	char num[32];
	snprintf(num, sizeof(num), "%lld", (long long)rev);
	CHECK(strstr(err.zh, num) != NULL);
	CHECK(lw_expect("reversal of a reversal",
	                ledger_reverse(w.st, &w.as[LW_SCORER], rev, "撤销冲销", NULL, &b, &err), &err,
	                CORE_CONFLICT, "reversal_of_reversal", "不能再冲销"));
	CHECK(same(&w, &s, "refused reversals"));

	/* the schema backs it: a second row naming the same original is refused */
	arena ar;
	arena_init(&ar, 0);
	CHECK_INT_EQ(store_begin(w.st), STORE_OK);
	st_entry dup = {.village_id = w.v1, .household_id = w.h1, .kind = "reversal",
	                .points = -10, .deed_date = today, .month = "2025-01", .bucket = "pending",
	                .reverses_id = orig, .recorded_by = w.u[LW_ADMIN].id};
	CHECK(lw_expect("duplicate reversal row", ledger_post(w.st, &dup, &ar, &err), &err,
	                CORE_CONFLICT, "already_reversed", NULL));
	store_rollback(w.st);
	arena_free(&ar);
	CHECK(same(&w, &s, "duplicate reversal row"));

	/* a redemption is cancelled, not reversed */
	arena_init(&ar, 0);
	CHECK_INT_EQ(store_begin(w.st), STORE_OK);
	st_entry red = {.village_id = w.v1, .household_id = w.h2, .kind = "redemption", .points = -5,
	                .deed_date = today, .month = "2025-01", .bucket = "confirmed",
	                .note = "兑换洗衣粉", .recorded_by = w.u[LW_CLERK].id};
	CHECK_INT_EQ(ledger_post(w.st, &red, &ar, &err), CORE_OK);
	CHECK_INT_EQ(store_commit(w.st), STORE_OK);
	arena_free(&ar);
	CHECK(lw_expect("reverse a redemption",
	                ledger_reverse(w.st, &w.as[LW_SCORER], red.id, "兑换错了", NULL, &b, &err),
	                &err, CORE_CONFLICT, "use_cancel", "取消兑换"));
	lw_done(&w);
}

/* ---- confirmed months --------------------------------------------------- */

static void target_month(void)
{
	lworld w;
	CHECK(lw_build(&w));
	char today[11], this_month[8], may3[11], jun1[11];
	lw_today(today);
	snprintf(this_month, sizeof(this_month), "%.7s", today);
	lw_last_year(may3, 5, 3);
	lw_last_year(jun1, 6, 1);
	core_err err;
	char m[8];
	/* nothing confirmed: every date goes into its own month */
	CHECK_INT_EQ(ledger_target_month(w.st, w.v1, may3, m, &err), CORE_OK);
	CHECK(strncmp(m, may3, 7) == 0 && strlen(m) == 7);
	CHECK_INT_EQ(lw_exec(&w, "INSERT INTO confirmed_months(village_id, month, confirmed_at)"
	                         " VALUES (%lld, '%.7s', 1)", (long long)w.v1, may3),
	             0);
	/* the confirmed month's dates go into the current month; others stay */
	CHECK_INT_EQ(ledger_target_month(w.st, w.v1, may3, m, &err), CORE_OK);
	CHECK_STR_EQ(m, this_month);
	CHECK_INT_EQ(ledger_target_month(w.st, w.v1, jun1, m, &err), CORE_OK);
	CHECK(strncmp(m, jun1, 7) == 0);
	/* only for that village */
	CHECK_INT_EQ(ledger_target_month(w.st, w.v2, may3, m, &err), CORE_OK);
	CHECK(strncmp(m, may3, 7) == 0);

	/* a late record keeps its deed date but lands in the current month */
	int64_t rule = lw_rule(&w, w.v1, "见义勇为", 10, NULL);
	int64_t b = 0;
	CHECK_INT_EQ(rec1(&w, LW_SCORER, rule, w.h1, may3, &b, &err), CORE_OK);
	st_entry *e = NULL;
	CHECK_INT_EQ(batch_entries(&w, b, &e), 1);
	CHECK_STR_EQ(e[0].deed_date, may3);
	CHECK_STR_EQ(e[0].month, this_month);
	CHECK_STR_EQ(e[0].bucket, "pending");
	int64_t late = e[0].id;
	CHECK_INT_EQ(rec1(&w, LW_SCORER, rule, w.h2, jun1, &b, &err), CORE_OK);
	CHECK_INT_EQ(batch_entries(&w, b, &e), 1);
	CHECK(strncmp(e[0].month, jun1, 7) == 0);
	int64_t june = e[0].id;

	/* reversing an entry whose month was confirmed: current month, confirmed bucket */
	CHECK_INT_EQ(lw_exec(&w, "INSERT INTO confirmed_months(village_id, month, confirmed_at)"
	                         " VALUES (%lld, '%.7s', 1)", (long long)w.v1, jun1),
	             0);
	CHECK_INT_EQ(ledger_reverse(w.st, &w.as[LW_SCORER], june, "核实后撤销", NULL, &b, &err),
	             CORE_OK);
	CHECK_INT_EQ(batch_entries(&w, b, &e), 1);
	CHECK_STR_EQ(e[0].month, this_month);
	CHECK_STR_EQ(e[0].bucket, "confirmed");
	CHECK_STR_EQ(e[0].deed_date, jun1);
	CHECK_INT_EQ(lw_balance(&w, w.h2), 0);
	/* an entry of an open month reverses into its own month, pending */
	CHECK_INT_EQ(ledger_reverse(w.st, &w.as[LW_SCORER], late, "核实后撤销", NULL, &b, &err),
	             CORE_OK);
	CHECK_INT_EQ(batch_entries(&w, b, &e), 1);
	CHECK_STR_EQ(e[0].month, this_month);
	CHECK_STR_EQ(e[0].bucket, "pending");
	lw_done(&w);
}

/* ---- idempotency keys -------------------------------------------------- */

static void idempotency_key_completed_or_rolled_back(void)
{
	lworld w;
	CHECK(lw_build(&w));
	int64_t rule = lw_rule(&w, w.v1, "植树", 2, NULL);
	char today[11];
	lw_today(today);
	int64_t uid = w.u[LW_SCORER].id, now = time_now();
	st_idem a, b2;
	CHECK_INT_EQ(store_idem_claim(w.st, uid, "植树-甲", "h1", now, now - 60, &w.ar, &a), STORE_OK);
	CHECK_INT_EQ(a.state, IDEM_NEW);
	ledger_target t = {.household_id = w.h1};
	ledger_record_in in = {.village_id = w.v1, .rule_id = rule, .targets = &t, .ntargets = 1,
	                       .deed_date = today};
	ledger_idem idem = {.user_id = uid, .key = "植树-甲", .token = a.token};
	int64_t batch = 0;
	core_err err;
	CHECK_INT_EQ(ledger_record(w.st, &w.as[LW_SCORER], &in, &idem, &batch, &err), CORE_OK);
	char ref[48];
	snprintf(ref, sizeof(ref), "batch:%lld", (long long)batch);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM idempotency_keys WHERE key = '植树-甲' AND"
	                        " state = 'done' AND result_ref = '%s'", ref),
	             1);
	/* a key taken over by a retry: the slow first request posts nothing */
	CHECK_INT_EQ(store_idem_claim(w.st, uid, "植树-乙", "h2", now - 120, now - 180, &w.ar, &a),
	             STORE_OK);
	CHECK_INT_EQ(store_idem_claim(w.st, uid, "植树-乙", "h2", now, now - 60, &w.ar, &b2), STORE_OK);
	CHECK_INT_EQ(b2.state, IDEM_NEW);
	CHECK(strcmp(a.token, b2.token) != 0);
	idem = (ledger_idem){.user_id = uid, .key = "植树-乙", .token = a.token};
	snapshot s;
	CHECK(snap(&w, &s));
	CHECK(lw_expect("stale token", ledger_record(w.st, &w.as[LW_SCORER], &in, &idem, &batch, &err),
	                &err, CORE_CONFLICT, "request_in_progress", "重试"));
	CHECK(same(&w, &s, "stale token record"));
	int64_t orig = lw_int(&w, "SELECT max(id) FROM entries");
	CHECK(lw_expect("stale token reversal",
	                ledger_reverse(w.st, &w.as[LW_SCORER], orig, "记错户了", &idem, &batch, &err),
	                &err, CORE_CONFLICT, "request_in_progress", NULL));
	CHECK(same(&w, &s, "stale token reversal"));
	/* the retry's token completes */
	idem.token = b2.token;
	CHECK_INT_EQ(ledger_reverse(w.st, &w.as[LW_SCORER], orig, "记错户了", &idem, &batch, &err),
	             CORE_OK);
	CHECK_INT_EQ(lw_balance(&w, w.h1), 0);
	lw_done(&w);
}

CHECK_MAIN("ledger", T(record_posts_entry_balance_and_head), T(post_fills_and_rolls_back),
           T(one_transaction), T(record_refusals), T(group_records_its_active_households),
           T(caps), T(batches_are_all_or_nothing), T(reversals), T(target_month),
           T(idempotency_key_completed_or_rolled_back))
