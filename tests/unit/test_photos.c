/*
 * Unit tests for src/core/photos.c — what it adds to util/image.c and
 * util/filestore.c: refused uploads turned into messages a villager can act
 * on (and nothing stored), who may upload, the file written under its hash and
 * one record per village (the same picture again returns the first record,
 * with no second audit row), a disk that cannot be written, and who may open
 * a photo: staff, the uploader, a villager whose household's claim or entry
 * names it — nobody else.
 */
#include "check.h"
#include "core/claims.h"
#include "core/photos.h"
#include "ledger_fixture.h"
#include "util/filestore.h"

/* The first 33 bytes (signature and IHDR) of a real 3×2 PNG; a tail makes
 * another picture of the same header. */
static const unsigned char png_3x2[] = {
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d,
	0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02,
	0x01, 0x03, 0x00, 0x00, 0x00, 0xa7, 0xba, 0xf4, 0x59,
};
/* A PNG header claiming 50000×50000 pixels (a pixel flood), with its CRC. */
static const unsigned char png_flood[] = {
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
	0x52, 0x00, 0x00, 0xc3, 0x50, 0x00, 0x00, 0xc3, 0x50, 0x08, 0x02, 0x00, 0x00, 0x00, 0xc4,
	0xcd, 0xaa, 0x9d,
};

typedef struct {
	unsigned char b[64];
	size_t n;
} pic;

/* png_3x2 followed by tail. */
static pic picture(const char *tail)
{
	pic p;
	memcpy(p.b, png_3x2, sizeof(png_3x2));
	size_t t = strlen(tail);
	memcpy(p.b + sizeof(png_3x2), tail, t);
	p.n = sizeof(png_3x2) + t;
	return p;
}

static long long files_in(const char *dir)
{
	DIR *d = opendir(dir);
	long long n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL)
		if (strlen(e->d_name) == FILESTORE_NAME_HEX)
			n++;
	if (d)
		closedir(d);
	return n;
}

static void refused_uploads(void)
{
	lworld w;
	CHECK(lw_build(&w));
	const char *dir = w.db.dir;
	pic cut = picture(""), zero = picture("");
	cut.n = 20;
	zero.b[19] = 0; /* width 0 (and the CRC no longer matches) */
	const char text[] = "这不是照片，是一段文字";
	size_t big_n = PHOTO_MAX_BYTES + 1;
	unsigned char *big = calloc(1, big_n);
	CHECK(big != NULL);
	memcpy(big, png_3x2, sizeof(png_3x2));
	const actor op = {.user = NULL, .ip = "cli"};
	const struct {
		const actor *who;
		int64_t village;
		const void *data;
		size_t n;
		core_status want;
		const char *code, *zh;
	} cases[] = {
		{&w.as[LW_VILLAGER], 0, text, sizeof(text) - 1, CORE_INVALID, "not_an_image", "JPEG、PNG 或 WebP"},
		{&w.as[LW_VILLAGER], 0, "", 0, CORE_INVALID, "not_an_image", NULL},
		{&w.as[LW_VILLAGER], 0, cut.b, cut.n, CORE_INVALID, "image_truncated", "重新拍照"},
		{&w.as[LW_VILLAGER], 0, zero.b, zero.n, CORE_INVALID, "image_corrupt", "已损坏"},
		{&w.as[LW_VILLAGER], 0, png_flood, sizeof(png_flood), CORE_INVALID, "image_too_large",
		 "50000×50000"},
		{&w.as[LW_VILLAGER], 0, big, big_n, CORE_INVALID, "image_too_big", "8 MB"},
		{&w.as[LW_ADMIN2], 0, png_3x2, sizeof(png_3x2), CORE_FORBIDDEN, NULL, NULL},
		{&w.as[LW_VILLAGER], 9999, png_3x2, sizeof(png_3x2), CORE_NOT_FOUND, NULL, NULL},
		{&op, 0, png_3x2, sizeof(png_3x2), CORE_INVALID, "no_user", "登录"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st_photo p;
		bool created = true;
		core_err err;
		char what[48];
		snprintf(what, sizeof(what), "upload case %zu", i);
		CHECK(lw_expect(what, photo_upload(w.st, cases[i].who, dir,
		                                   cases[i].village ? cases[i].village : w.v1,
		                                   cases[i].data, cases[i].n, &w.ar, &p, &created, &err),
		                &err, cases[i].want, cases[i].code, cases[i].zh));
		CHECK(!created);
		CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM photos"), 0);
		CHECK_INT_EQ(lw_audits(&w), 0);
		/* a refused picture is never written (the operator's is, harmlessly: see photos.c) */
		if (cases[i].who != &op)
			CHECK_INT_EQ(files_in(dir), 0);
	}
	free(big);
	lw_done(&w);
}

static void upload_stores_once_per_village(void)
{
	lworld w;
	CHECK(lw_build(&w));
	const char *dir = w.db.dir;
	pic a = picture("甲");
	st_photo p;
	bool created = false;
	core_err err;
	CHECK_INT_EQ(photo_upload(w.st, &w.as[LW_VILLAGER], dir, w.v1, a.b, a.n, &w.ar, &p, &created,
	                          &err),
	             CORE_OK);
	CHECK(created);
	char hash[FILESTORE_NAME_HEX + 1];
	filestore_hash(a.b, a.n, hash);
	CHECK_STR_EQ(p.hash, hash);
	CHECK_STR_EQ(p.mime, "image/png");
	CHECK_INT_EQ(p.width, 3);
	CHECK_INT_EQ(p.height, 2);
	CHECK_INT_EQ(p.bytes, (int64_t)a.n);
	CHECK_INT_EQ(p.village_id, w.v1);
	CHECK_INT_EQ(p.uploaded_by, w.u[LW_VILLAGER].id);
	/* the file holds exactly the bytes */
	char path[256];
	CHECK(filestore_path(dir, hash, path, sizeof(path)));
	FILE *f = fopen(path, "rb");
	CHECK(f != NULL);
	unsigned char back[128];
	size_t got = fread(back, 1, sizeof(back), f);
	fclose(f);
	CHECK_INT_EQ(got, a.n);
	CHECK(memcmp(back, a.b, a.n) == 0);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM audit_log WHERE entity = 'photo' AND"
	                        " action = 'upload' AND summary LIKE '%%%s%%'", hash),
	             1);
	/* the same picture again, by someone else: the first record, no new row */
	created = true;
	CHECK_INT_EQ(photo_upload(w.st, &w.as[LW_CLERK], dir, w.v1, a.b, a.n, &w.ar, &p, &created,
	                          &err),
	             CORE_OK);
	CHECK(!created);
	CHECK_INT_EQ(p.uploaded_by, w.u[LW_VILLAGER].id);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM photos"), 1);
	CHECK_INT_EQ(lw_audits(&w), 1);
	CHECK_INT_EQ(files_in(dir), 1);
	/* another village keeps its own record of the same bytes (one file) */
	CHECK_INT_EQ(photo_upload(w.st, &w.as[LW_ADMIN2], dir, w.v2, a.b, a.n, &w.ar, &p, &created,
	                          &err),
	             CORE_OK);
	CHECK(created);
	CHECK_INT_EQ(p.village_id, w.v2);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM photos"), 2);
	CHECK_INT_EQ(files_in(dir), 1);
	/* another picture is another file */
	pic b = picture("乙");
	CHECK_INT_EQ(photo_upload(w.st, &w.as[LW_SCORER], dir, w.v1, b.b, b.n, &w.ar, &p, &created,
	                          &err),
	             CORE_OK);
	CHECK(created);
	CHECK_INT_EQ(files_in(dir), 2);
	/* a disk that cannot take the file: an error, and no record */
	pic c = picture("丙");
	char missing[160];
	snprintf(missing, sizeof(missing), "%s/没有这个目录", dir);
	CHECK(lw_expect("no disk", photo_upload(w.st, &w.as[LW_SCORER], missing, w.v1, c.b, c.n, &w.ar,
	                                        &p, &created, &err),
	                &err, CORE_ERROR, "storage", "照片保存失败"));
	CHECK(!created);
	CHECK_INT_EQ(lw_int(&w, "SELECT count(*) FROM photos"), 3);
	lw_done(&w);
}

static void who_may_open(void)
{
	lworld w;
	CHECK(lw_build(&w));
	const char *dir = w.db.dir;
	/* 评分员 photographs 1002's tidy yard; 于洪军 uploads his own picture */
	pic yard = picture("院"), own = picture("家");
	st_photo p;
	bool created;
	core_err err;
	CHECK_INT_EQ(photo_upload(w.st, &w.as[LW_SCORER], dir, w.v1, yard.b, yard.n, &w.ar, &p,
	                          &created, &err),
	             CORE_OK);
	const char *yard_hash = p.hash;
	CHECK_INT_EQ(photo_upload(w.st, &w.as[LW_VILLAGER], dir, w.v1, own.b, own.n, &w.ar, &p,
	                          &created, &err),
	             CORE_OK);
	const char *own_hash = p.hash;
	int64_t v3 = fx_user(w.st, "villager3", "villager", 0, w.v1, w.h3);
	st_user u3;
	CHECK_INT_EQ(store_user_get(w.st, v3, &w.ar, &u3), STORE_OK);
	actor a3 = {.user = &u3, .ip = "10.0.0.7"};
	const actor op = {.user = NULL, .ip = "cli"};
	const struct {
		const actor *who;
		const char *hash;
		core_status want;
	} before[] = {
		{&w.as[LW_SCORER], yard_hash, CORE_OK},     /* staff */
		{&w.as[LW_CLERK], yard_hash, CORE_OK},
		{&w.as[LW_ADMIN], own_hash, CORE_OK},
		{&w.as[LW_COUNTY], own_hash, CORE_OK},      /* the area above */
		{&op, yard_hash, CORE_OK},
		{&w.as[LW_VILLAGER], own_hash, CORE_OK},    /* the uploader */
		{&w.as[LW_VILLAGER], yard_hash, CORE_FORBIDDEN},
		{&w.as[LW_VILLAGER2], yard_hash, CORE_FORBIDDEN}, /* not yet named for 1002 */
		{&w.as[LW_VILLAGER2], own_hash, CORE_FORBIDDEN},
		{&a3, own_hash, CORE_FORBIDDEN},
		{&w.as[LW_ADMIN2], yard_hash, CORE_FORBIDDEN}, /* another village */
	};
	for (size_t i = 0; i < sizeof(before) / sizeof(before[0]); i++) {
		const char *path = NULL;
		char what[48];
		snprintf(what, sizeof(what), "open case %zu", i);
		CHECK(lw_expect(what, photo_open(w.st, before[i].who, dir, w.v1, before[i].hash, &w.ar,
		                                 &p, &path, &err),
		                &err, before[i].want, before[i].want ? "forbidden" : NULL, NULL));
		if (before[i].want == CORE_OK) {
			char want[256];
			snprintf(want, sizeof(want), "%s/%s", dir, before[i].hash);
			CHECK_STR_EQ(path, want);
		}
	}
	const char *path = NULL;
	CHECK(lw_expect("missing photo", photo_open(w.st, &w.as[LW_SCORER], dir, w.v1,
	                                            "0000000000000000000000000000000000000000000000000000000000000000",
	                                            &w.ar, &p, &path, &err),
	                &err, CORE_NOT_FOUND, NULL, NULL));
	CHECK(lw_expect("wrong village", photo_open(w.st, &w.as[LW_ADMIN2], dir, w.v2, yard_hash, &w.ar,
	                                            &p, &path, &err),
	                &err, CORE_NOT_FOUND, NULL, NULL));
	/* an entry of 1002 names the yard photo: 1002 may now see it */
	int64_t rule = lw_rule(&w, w.v1, "庭院整洁", 3, NULL);
	char today[11];
	lw_today(today);
	ledger_target t = {.household_id = w.h2};
	const char *ev[] = {yard_hash};
	ledger_record_in in = {.village_id = w.v1, .rule_id = rule, .targets = &t, .ntargets = 1,
	                       .deed_date = today, .evidence = ev, .nevidence = 1};
	int64_t batch = 0;
	CHECK_INT_EQ(ledger_record(w.st, &w.as[LW_SCORER], &in, NULL, &batch, &err), CORE_OK);
	CHECK_INT_EQ(photo_open(w.st, &w.as[LW_VILLAGER2], dir, w.v1, yard_hash, &w.ar, &p, &path, &err),
	             CORE_OK);
	CHECK(lw_expect("still not 1001's", photo_open(w.st, &w.as[LW_VILLAGER], dir, w.v1, yard_hash,
	                                               &w.ar, &p, &path, &err),
	                &err, CORE_FORBIDDEN, "forbidden", "不属于您家"));
	/* a claim of 2001 names 于洪军's photo (knowing the hash means having the picture) */
	int64_t claimable = lw_rule(&w, w.v1, "拾金不昧", 5, &(st_rule){.claimable = true});
	const char *ph[] = {own_hash};
	claim_new c = {.village_id = w.v1, .rule_id = claimable, .deed_date = today,
	               .description = "在村部门口捡到钱包，已交还失主", .photos = ph, .nphotos = 1};
	int64_t cid = 0;
	CHECK_INT_EQ(claim_file(w.st, &a3, &c, NULL, &cid, &err), CORE_OK);
	CHECK_INT_EQ(photo_open(w.st, &a3, dir, w.v1, own_hash, &w.ar, &p, &path, &err), CORE_OK);
	CHECK(lw_expect("1002 still not", photo_open(w.st, &w.as[LW_VILLAGER2], dir, w.v1, own_hash,
	                                             &w.ar, &p, &path, &err),
	                &err, CORE_FORBIDDEN, NULL, NULL));
	lw_done(&w);
}

CHECK_MAIN("photos", T(refused_uploads), T(upload_stores_once_per_village), T(who_may_open))
