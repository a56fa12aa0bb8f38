/*
 * exports.h: exports and printouts of the village's records — the monthly
 * notice, the ranking, a household's passbook, the shop's redemptions and a
 * sponsor's statement — as CSV, Excel or PDF. This is the domain's half: it
 * checks who may see the records (the same rules as the JSON views of them),
 * reads them through the store and the domain modules, and lays them out as an
 * export_doc; src/export/ renders the bytes. The API and `jifen export` both
 * call these functions, so a download and a file from the command line are the
 * same file.
 *
 * The household's QR code (on its passbook page) says "JIFEN:<village_id>:
 * <passbook_no>"; the shop's clerk scans it to find the household. The
 * notice's QR code links to PUBLIC_URL/api/v1/villages/{id}/notices/current.
 */
#ifndef JF_EXPORTS_H
#define JF_EXPORTS_H
#include "core/core.h"
#include "export/export.h"

#define EXPORTS_MAX_BYTES (32u * 1024 * 1024) /* one exported file */
#define EXPORTS_MAX_ROWS 50000                 /* rows of one table */
#define EXPORTS_DEFAULT_PUBLIC_URL "http://127.0.0.1:8080"
#define EXPORTS_PUBLIC_URL_MAX 512

typedef struct {
	export_format format;
	const char *public_url; /* the base of links printed in QR codes; NULL = the default */
} exports_opts;

/* An exported file; every pointer lives in the arena passed in. */
typedef struct {
	const char *data;
	size_t len;
	const char *content_type;
	const char *filename;       /* UTF-8, e.g. 高箭沟村-2026-10-积分公示.pdf */
	const char *ascii_filename; /* e.g. jifen-notice-1-2026-10.pdf */
} exports_file;

/* A household's passbook (积分存折): the household, its balance and every
 * entry, oldest first, with the running balance; the PDF carries the
 * household's QR code. Its villager and the village's staff may export it.
 * Errors: CORE_NOT_FOUND, CORE_FORBIDDEN, CORE_INVALID (too many entries for one
 * file, a file too large), CORE_ERROR. */
core_status exports_passbook(store *st, const actor *who, int64_t household_id,
                             const exports_opts *o, arena *ar, exports_file *out, core_err *err);

/* The village's ranking for period (YYYY, YYYY-Qn or YYYY-MM), of the whole
 * village (group_id 0) or of one group. The village's staff and the area
 * admins above it may export it. Errors as rank_village, and as above. */
core_status exports_ranking(store *st, const actor *who, int64_t village_id, const char *period,
                            int64_t group_id, const exports_opts *o, arena *ar, exports_file *out,
                            core_err *err);

/* A monthly notice: every household's points of the month, entry by entry with
 * reasons, the chain head at publication and (PDF) a QR code of the online
 * notice. Whoever may read the notice may export it. Errors as notice_view_get. */
core_status exports_notice(store *st, const actor *who, int64_t notice_id, const exports_opts *o,
                           arena *ar, exports_file *out, core_err *err);
/* The same, found by village and month (the command line). CORE_NOT_FOUND if
 * the month has no notice. */
core_status exports_notice_month(store *st, const actor *who, int64_t village_id,
                                 const char *month, const exports_opts *o, arena *ar,
                                 exports_file *out, core_err *err);

/* The village's redemptions with their goods, oldest first, made on days from
 * .. to (YYYY-MM-DD, China time, both included; NULL = open). Who may list the
 * village's redemptions may export them. */
core_status exports_redemptions(store *st, const actor *who, int64_t village_id, const char *from,
                                const char *to, const exports_opts *o, arena *ar,
                                exports_file *out, core_err *err);

/* A sponsor's statement: what it gave (money and goods, with dates), what of
 * its goods was redeemed and what is left. Who may read the sponsor may export it. */
core_status exports_sponsor(store *st, const actor *who, int64_t sponsor_id, const exports_opts *o,
                            arena *ar, exports_file *out, core_err *err);

/* True if url can be the base of printed links: http:// or https://, at most
 * EXPORTS_PUBLIC_URL_MAX bytes, printable ASCII without spaces, quotes or <>. */
bool exports_public_url_valid(const char *url);
/* The household's QR payload "JIFEN:<village_id>:<passbook_no>", in the arena. */
const char *exports_household_qr(arena *ar, int64_t village_id, const char *passbook_no);

/* ---- shared by exports*.c --------------------------------------------- */

/* Renders doc in o->format into the arena and names the file "<base>.<ext>"
 * (ascii_base for the ASCII fallback). CORE_OK, CORE_INVALID (too large) or
 * CORE_ERROR (no CJK font, a library failure). */
core_status exports_finish(const export_doc *doc, const exports_opts *o, const char *base,
                           const char *ascii_base, arena *ar, exports_file *out, core_err *err);
/* Cells for rows × cols (zeroed: empty text), and a row style array, in the arena.
 * CORE_ERROR (out of memory) or CORE_INVALID (more than EXPORTS_MAX_ROWS). */
core_status exports_table(arena *ar, size_t rows, size_t cols, export_cell **cells,
                          unsigned char **style, core_err *err);
/* What an entry is, in words: 加分, 扣分, 兑换, 冲正, 结转, 清零, 调整. */
const char *exports_kind_label(const char *kind);
/* "2026年", "2026年第4季度" or "2026年10月" for a period; in the arena. */
const char *exports_period_label(arena *ar, const char *period);
/* "打印于 2026-11-29 · jifen" for footers; in the arena. */
const char *exports_printed_on(arena *ar);

#endif
