/*
 * chain.c: the canonical encoding of a ledger entry and its hash. The encoding
 * is versioned ("jifen-entry-v1"), lists every stored field in a fixed order,
 * and writes text fields with their byte length first, so no two different
 * entries encode the same way. Never change it for existing entries: a new
 * encoding needs a new version tag.
 */
#include "core/chain.h"

#include <sodium.h>
#include <string.h>

#include "util/buf.h"

static bool put_int(buf *b, const char *name, int64_t v)
{
	return buf_printf(b, "%s=%lld\n", name, (long long)v);
}

static bool put_text(buf *b, const char *name, const char *v)
{
	const char *s = v ? v : "";
	return buf_printf(b, "%s=%zu:", name, strlen(s)) && buf_puts(b, s) && buf_puts(b, "\n");
}

bool chain_hash(const st_entry *e, char *out)
{
	buf b;
	buf_init(&b, 64 * 1024);
	bool ok = buf_puts(&b, "jifen-entry-v1\n") && put_int(&b, "village_id", e->village_id) &&
	          put_int(&b, "seq", e->seq) && put_int(&b, "household_id", e->household_id) &&
	          put_int(&b, "member_id", e->member_id) && put_int(&b, "rule_id", e->rule_id) &&
	          put_int(&b, "rule_version", e->rule_version) &&
	          put_int(&b, "rule_lineage", e->rule_lineage) && put_text(&b, "kind", e->kind) &&
	          put_int(&b, "points", e->points) && put_int(&b, "quantity", e->quantity) &&
	          put_text(&b, "deed_date", e->deed_date) && put_text(&b, "month", e->month) &&
	          put_text(&b, "bucket", e->bucket) && put_text(&b, "note", e->note) &&
	          put_text(&b, "evidence", e->evidence) && put_int(&b, "reverses_id", e->reverses_id) &&
	          put_int(&b, "batch_id", e->batch_id) && put_int(&b, "claim_id", e->claim_id) &&
	          put_int(&b, "activity_id", e->activity_id) &&
	          put_int(&b, "inspection_id", e->inspection_id) &&
	          put_int(&b, "recorded_by", e->recorded_by) &&
	          put_int(&b, "approved_by", e->approved_by) &&
	          put_int(&b, "created_at", e->created_at) && put_text(&b, "prev_hash", e->prev_hash);
	if (!ok)
		return false;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)b.data, b.len);
	buf_free(&b);
	sodium_bin2hex(out, STORE_HASH_HEX + 1, h, sizeof(h));
	return true;
}
