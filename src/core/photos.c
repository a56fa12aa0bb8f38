/*
 * photos.c: uploading and opening evidence photos (see photos.h). The file is
 * written before its record, so a record never names a missing file; a file
 * whose record failed is harmless and is reused by the next identical upload.
 */
#include "core/photos.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/access.h"
#include "core/org.h"
#include "util/filestore.h"
#include "util/image.h"
#include "util/log.h"
#include "util/timeutil.h"

/* Turns a refused image into a message the uploader can act on. */
static core_status image_fail(image_rc rc, const image_info *info, core_err *err)
{
	switch (rc) {
	case IMAGE_TRUNCATED:
		return core_fail(err, CORE_INVALID, "image_truncated",
		                 "图片不完整（文件被截断），请重新拍照上传",
		                 "the image is incomplete (the file was cut off); please upload it again");
	case IMAGE_CORRUPT:
		return core_fail(err, CORE_INVALID, "image_corrupt", "图片文件已损坏，无法识别",
		                 "the image file is damaged and cannot be read");
	case IMAGE_TOO_LARGE:
		return core_fail(err, CORE_INVALID, "image_too_large",
		                 "图片尺寸过大（%u×%u 像素）：每边最多 %u 像素，总共最多 %u 万像素",
		                 "the image is too large (%u×%u pixels): at most %u pixels a side and %u0000 pixels in all",
		                 info->width, info->height, IMAGE_MAX_SIDE, IMAGE_MAX_PIXELS / 10000);
	default:
		return core_fail(err, CORE_INVALID, "not_an_image",
		                 "只能上传 JPEG、PNG 或 WebP 格式的照片",
		                 "only JPEG, PNG or WebP photos can be uploaded");
	}
}

core_status photo_upload(store *st, const actor *who, const char *files_dir, int64_t village_id,
                         const void *data, size_t len, arena *ar, st_photo *out, bool *created,
                         core_err *err)
{
	*created = false;
	if (access_village(st, who, village_id, ACCESS_MEMBER, err) != CORE_OK)
		return err->status;
	if (len > PHOTO_MAX_BYTES)
		return core_fail(err, CORE_INVALID, "image_too_big", "照片不能超过 %u MB",
		                 "a photo may be at most %u MB", PHOTO_MAX_BYTES / (1024 * 1024));
	image_info info;
	image_rc irc = image_sniff(data, len, &info);
	if (irc != IMAGE_OK)
		return image_fail(irc, &info, err);
	char hash[FILESTORE_NAME_HEX + 1];
	filestore_hash(data, len, hash);
	if (!filestore_put(files_dir, hash, data, len)) {
		log_error("cannot store photo %s in %s: %s", hash, files_dir, strerror(errno));
		return core_fail(err, CORE_ERROR, "storage", "照片保存失败，请稍后重试",
		                 "the photo could not be saved; please retry");
	}
	store_rc rc = store_photo_get(st, village_id, hash, ar, out);
	if (rc == STORE_OK)
		return CORE_OK;
	if (rc != STORE_NOT_FOUND)
		return core_store_fail(err, rc, "照片", "photo");
	st_photo p = {
		.village_id = village_id, .hash = hash, .mime = info.mime, .width = info.width,
		.height = info.height, .bytes = (int64_t)len,
		.uploaded_by = who->user ? who->user->id : 0, .created_at = time_now(),
	};
	if (!p.uploaded_by)
		return core_fail(err, CORE_INVALID, "no_user", "上传照片需要登录用户",
		                 "a photo is uploaded by a signed-in user");
	if (org_begin(st, err) != CORE_OK)
		return err->status;
	rc = store_photo_add(st, &p);
	if (rc == STORE_CONFLICT) { /* the same picture, uploaded at the same moment */
		store_rollback(st);
		rc = store_photo_get(st, village_id, hash, ar, out);
		return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "照片", "photo");
	}
	if (rc != STORE_OK) {
		store_rollback(st);
		return core_store_fail(err, rc, "照片", "photo");
	}
	char sum[192];
	snprintf(sum, sizeof(sum), "{\"hash\":\"%s\",\"mime\":\"%s\",\"width\":%u,\"height\":%u,"
	         "\"bytes\":%zu}", hash, info.mime, info.width, info.height, len);
	if (org_finish(st, who, village_id, "photo", 0, "upload", sum, err) != CORE_OK)
		return err->status;
	*created = true;
	rc = store_photo_get(st, village_id, hash, ar, out);
	return rc == STORE_OK ? CORE_OK : core_store_fail(err, rc, "照片", "photo");
}

core_status photo_open(store *st, const actor *who, const char *files_dir, int64_t village_id,
                       const char *hash, arena *ar, st_photo *out, const char **path,
                       core_err *err)
{
	if (access_village(st, who, village_id, ACCESS_MEMBER, err) != CORE_OK)
		return err->status;
	store_rc rc = store_photo_get(st, village_id, hash, ar, out);
	if (rc != STORE_OK)
		return core_store_fail(err, rc, "照片", "photo");
	const st_user *u = who->user;
	bool allowed = !u || u->id == out->uploaded_by || access_is_staff_role(u->role);
	if (!allowed && u->household_id) {
		rc = store_photo_household_sees(st, village_id, u->household_id, hash, &allowed);
		if (rc != STORE_OK)
			return core_store_fail(err, rc, "照片", "photo");
	}
	if (!allowed)
		return core_fail(err, CORE_FORBIDDEN, "forbidden",
		                 "您不能查看这张照片：它不属于您家的申请或积分记录",
		                 "you may not see this photo: it belongs to no claim or entry of your household");
	char *p = arena_alloc(ar, 4096);
	if (!p || !filestore_path(files_dir, out->hash, p, 4096))
		return core_fail(err, CORE_ERROR, "internal", "内存不足", "out of memory");
	*path = p;
	return CORE_OK;
}
