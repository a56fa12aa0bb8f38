/*
 * Unit tests for src/core/chain.c: the canonical encoding of a ledger entry and
 * its SHA-256. The encoding must never change for existing entries (jifen
 * verify recomputes every stored hash), so two hashes are pinned here: they
 * were computed outside jifen (Python's hashlib over the encoding written out
 * below), and an accidental change of the field list, their order, the
 * number format or the length prefixes fails this file. Also: every stored
 * field changes the hash, fields the hash must not cover (id, the hash itself,
 * the names filled by reads) do not, and the byte-length prefixes keep two
 * different entries from encoding alike.
 */
#include <sodium.h>

#include "check.h"
#include "core/chain.h"

#define PREV_A "abababababababababababababababababababababababababababababababab"
#define PHOTO_C "[\"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\"]"

/* The pinned award: 帮五保户挑水, 2 × 5 points, for household 12. */
static st_entry base_entry(void)
{
	return (st_entry){
		.village_id = 1, .seq = 7, .household_id = 12, .member_id = 0, .rule_id = 3,
		.rule_version = 2, .rule_lineage = 3, .kind = "award", .points = 10, .quantity = 2,
		.deed_date = "2025-03-08", .month = "2025-03", .bucket = "pending",
		.note = "帮五保户挑水", .evidence = PHOTO_C, .reverses_id = 0, .batch_id = 5,
		.claim_id = 0, .activity_id = 0, .inspection_id = 0, .recorded_by = 4,
		.approved_by = 0, .created_at = 1741392000, .prev_hash = PREV_A,
	};
}

static const char base_hash[] = "3079a018bbee3a96f4257fad9c220ec99e5ebf1e4e6d786cf343ae12e3715d2c";

/* The encoding of base_entry, byte for byte (text fields: byte length, ':', bytes). */
static const char base_encoding[] =
	"jifen-entry-v1\n"
	"village_id=1\nseq=7\nhousehold_id=12\nmember_id=0\nrule_id=3\nrule_version=2\n"
	"rule_lineage=3\nkind=5:award\npoints=10\nquantity=2\ndeed_date=10:2025-03-08\n"
	"month=7:2025-03\nbucket=7:pending\nnote=18:帮五保户挑水\nevidence=68:" PHOTO_C "\n"
	"reverses_id=0\nbatch_id=5\nclaim_id=0\nactivity_id=0\ninspection_id=0\nrecorded_by=4\n"
	"approved_by=0\ncreated_at=1741392000\nprev_hash=64:" PREV_A "\n";

static void init(void)
{
	CHECK(sodium_init() >= 0);
}

static void pinned_award(void)
{
	st_entry e = base_entry();
	char h[STORE_HASH_HEX + 1];
	memset(h, 'x', sizeof(h));
	CHECK(chain_hash(&e, h));
	CHECK_STR_EQ(h, base_hash);
	CHECK_INT_EQ(strlen(h), STORE_HASH_HEX);
	/* the encoding written out above is what gets hashed */
	unsigned char bin[crypto_hash_sha256_BYTES];
	char hex[STORE_HASH_HEX + 1];
	crypto_hash_sha256(bin, (const unsigned char *)base_encoding, strlen(base_encoding));
	sodium_bin2hex(hex, sizeof(hex), bin, sizeof(bin));
	CHECK_STR_EQ(hex, base_hash);
	/* the same entry hashes the same way every time */
	char again[STORE_HASH_HEX + 1];
	CHECK(chain_hash(&e, again));
	CHECK_STR_EQ(again, h);
}

/* A reversal of it, chained after it: negative points, a link, another bucket. */
static void pinned_reversal(void)
{
	st_entry e = base_entry();
	e.seq = 8;
	e.kind = "reversal";
	e.points = -10;
	e.month = "2025-04";
	e.bucket = "confirmed";
	e.note = "记错户了";
	e.evidence = "[]";
	e.reverses_id = 99;
	e.batch_id = 6;
	e.created_at = 1743465600;
	e.prev_hash = base_hash;
	char h[STORE_HASH_HEX + 1];
	CHECK(chain_hash(&e, h));
	CHECK_STR_EQ(h, "f55aaa96e76d5162c990afcee6e1330e10304f2126d58dce852e747efb5353b0");
}

/* Each stored field, changed alone, gives a new hash; all of them differ. */
static void every_field_counts(void)
{
	enum { NFIELDS = 24 };
	static const char *const names[NFIELDS] = {
		"village_id", "seq", "household_id", "member_id", "rule_id", "rule_version",
		"rule_lineage", "kind", "points", "quantity", "deed_date", "month", "bucket", "note",
		"evidence", "reverses_id", "batch_id", "claim_id", "activity_id", "inspection_id",
		"recorded_by", "approved_by", "created_at", "prev_hash",
	};
	char hashes[NFIELDS + 1][STORE_HASH_HEX + 1];
	st_entry b = base_entry();
	CHECK(chain_hash(&b, hashes[NFIELDS]));
	for (int i = 0; i < NFIELDS; i++) {
		st_entry e = base_entry();
		switch (i) {
		case 0: e.village_id = 2; break;
		case 1: e.seq = 8; break;
		case 2: e.household_id = 13; break;
		case 3: e.member_id = 1; break;
		case 4: e.rule_id = 4; break;
		case 5: e.rule_version = 3; break;
		case 6: e.rule_lineage = 4; break;
		case 7: e.kind = "adjustment"; break;
		case 8: e.points = 11; break;
		case 9: e.quantity = 1; break;
		case 10: e.deed_date = "2025-03-09"; break;
		case 11: e.month = "2025-04"; break;
		case 12: e.bucket = "confirmed"; break;
		case 13: e.note = "帮五保户挑水。"; break;
		case 14: e.evidence = "[]"; break;
		case 15: e.reverses_id = 1; break;
		case 16: e.batch_id = 6; break;
		case 17: e.claim_id = 1; break;
		case 18: e.activity_id = 1; break;
		case 19: e.inspection_id = 1; break;
		case 20: e.recorded_by = 5; break;
		case 21: e.approved_by = 4; break;
		case 22: e.created_at = 1741392001; break;
		case 23: e.prev_hash = base_hash; break;
		}
		CHECK(chain_hash(&e, hashes[i]));
	}
	for (int i = 0; i <= NFIELDS; i++)
		for (int k = 0; k < i; k++)
			if (strcmp(hashes[i], hashes[k]) == 0) {
				fprintf(stderr, "changing %s and %s give the same hash\n",
				        i < NFIELDS ? names[i] : "nothing", names[k]);
				CHECK(false);
			}
	/* the sign of the points alone, and a single bit of a large id, count too */
	st_entry neg = base_entry(), big = base_entry();
	neg.points = -10;
	big.household_id = ((int64_t)1 << 40) + 12;
	char hn[STORE_HASH_HEX + 1], hb[STORE_HASH_HEX + 1];
	CHECK(chain_hash(&neg, hn));
	CHECK(chain_hash(&big, hb));
	CHECK(strcmp(hn, base_hash) != 0);
	CHECK(strcmp(hb, base_hash) != 0);
}

/* What reads fill in, the row id and the stored hash are not part of the encoding:
 * verify recomputes the hash from a raw row, and the id is linked separately. */
static void derived_fields_do_not_count(void)
{
	st_entry e = base_entry();
	e.id = 4242;
	e.hash = "ffff";
	e.rule_name = "孝敬老人";
	e.rule_category = "尊老爱幼";
	e.member_name = "王桂芝";
	e.recorded_by_name = "评分员";
	e.approved_by_name = "村书记";
	e.passbook_no = "1001";
	e.head_name = "于洪军";
	e.reversed_by = 77;
	e.running_balance = 123;
	char h[STORE_HASH_HEX + 1];
	CHECK(chain_hash(&e, h));
	CHECK_STR_EQ(h, base_hash);
}

/* Length prefixes: moving bytes from one text field to the next, or hiding a
 * field separator inside a text, never gives the same encoding. */
static void length_prefixes_prevent_ambiguity(void)
{
	const struct {
		const char *note1, *evidence1, *note2, *evidence2;
	} pairs[] = {
		{"a", "bc", "ab", "c"},
		{"", "abc", "abc", ""},
		{"调解", "纠纷", "调解纠纷", ""},
		/* a note that spells out the evidence line of the other entry */
		{"a\nevidence=2:bc", "", "a", "bc"},
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		st_entry x = base_entry(), y = base_entry();
		x.note = pairs[i].note1;
		x.evidence = pairs[i].evidence1;
		y.note = pairs[i].note2;
		y.evidence = pairs[i].evidence2;
		char hx[STORE_HASH_HEX + 1], hy[STORE_HASH_HEX + 1];
		CHECK(chain_hash(&x, hx));
		CHECK(chain_hash(&y, hy));
		if (strcmp(hx, hy) == 0)
			fprintf(stderr, "pair %zu encodes alike\n", i);
		CHECK(strcmp(hx, hy) != 0);
	}
	/* across other neighbouring text fields: month/bucket, deed_date/month */
	st_entry m1 = base_entry(), m2 = base_entry();
	m1.month = "2025-03p";
	m1.bucket = "ending";
	m2.month = "2025-03";
	m2.bucket = "pending";
	char h1[STORE_HASH_HEX + 1], h2[STORE_HASH_HEX + 1];
	CHECK(chain_hash(&m1, h1));
	CHECK(chain_hash(&m2, h2));
	CHECK(strcmp(h1, h2) != 0);
}

/* A missing text is encoded as the empty text (ledger_post stores "" for a
 * missing note, and verify reads that back). */
static void missing_text_is_empty(void)
{
	st_entry a = base_entry(), b = base_entry();
	a.note = NULL;
	b.note = "";
	char ha[STORE_HASH_HEX + 1], hb[STORE_HASH_HEX + 1];
	CHECK(chain_hash(&a, ha));
	CHECK(chain_hash(&b, hb));
	CHECK_STR_EQ(ha, hb);
	CHECK(strcmp(ha, base_hash) != 0);
}

/* An encoding past the 64 KiB limit is refused (false), without leaking. */
static void oversized_entry_is_refused(void)
{
	size_t n = 70 * 1024;
	char *note = malloc(n + 1);
	CHECK(note != NULL);
	memset(note, 'x', n);
	note[n] = '\0';
	st_entry e = base_entry();
	e.note = note;
	char h[STORE_HASH_HEX + 1];
	bool ok = chain_hash(&e, h);
	free(note);
	CHECK(!ok);
	/* a long but allowed note (200 Chinese characters) is fine */
	char longnote[200 * 3 + 1] = "";
	for (int i = 0; i < 200; i++)
		strcat(longnote, "积");
	e.note = longnote;
	CHECK(chain_hash(&e, h));
	CHECK_INT_EQ(strlen(h), STORE_HASH_HEX);
}

CHECK_MAIN("chain", T(init), T(pinned_award), T(pinned_reversal), T(every_field_counts),
           T(derived_fields_do_not_count), T(length_prefixes_prevent_ambiguity),
           T(missing_text_is_empty), T(oversized_entry_is_refused))
