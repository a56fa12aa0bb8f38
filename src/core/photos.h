/*
 * photos.h: evidence photos (照片凭证) for claims and entries. An upload is
 * checked by its first bytes (JPEG, PNG or WebP, bounded pixel size; see
 * util/image.h), stored on disk under the SHA-256 of its bytes (see
 * util/filestore.h) and recorded per village. Storing the same picture twice
 * in a village returns the first record.
 *
 * Who may see a photo (photo_open):
 *   the village's staff (village admin, scorer, clerk) and area admins above it;
 *   the user who uploaded it;
 *   a villager whose household uploaded it, or whose household's claim or
 *   ledger entry names it.
 * Everyone else — a villager of another household, a user of another village —
 * gets CORE_FORBIDDEN.
 *
 * A claim or entry may name any photo of its village by hash. The hash is only
 * shown to those who may see the picture (or who uploaded the same bytes), so
 * knowing it means having the picture. A second household that uploads the same
 * bytes gets the first record and sees the photo once its own claim names it.
 */
#ifndef JF_PHOTOS_H
#define JF_PHOTOS_H
#include "core/core.h"

#define PHOTO_MAX_BYTES (8u * 1024 * 1024)

/* Checks and stores an uploaded picture for the village (any user of the village
 * may upload). *out is the record (strings in ar); *created is false when the
 * village already had this picture. Errors: CORE_INVALID (not an image, a cut or
 * damaged header, too many pixels, too many bytes), CORE_FORBIDDEN,
 * CORE_NOT_FOUND (no such village), CORE_ERROR (the disk or the database). */
core_status photo_upload(store *st, const actor *who, const char *files_dir, int64_t village_id,
                         const void *data, size_t len, arena *ar, st_photo *out, bool *created,
                         core_err *err);
/* Looks up a photo of the village that who may see; *path (in ar) is its file.
 * Errors: CORE_FORBIDDEN, CORE_NOT_FOUND. */
core_status photo_open(store *st, const actor *who, const char *files_dir, int64_t village_id,
                       const char *hash, arena *ar, st_photo *out, const char **path,
                       core_err *err);

#endif
