/*
 * photos.c: evidence photos over HTTP. POST /api/v1/villages/{id}/photos takes
 * the raw picture as the body (its Content-Type and any file name are ignored:
 * the bytes decide) and answers with its record (201; 200 with "created": false
 * when the village already had the picture); GET …/photos/{hash} sends the file
 * back with its stored type and nosniff, to those photos.h allows.
 */
#include "api/api.h"

#include "core/photos.h"

/* The record as JSON; who uploaded it is left out (a second uploader of the same
 * picture gets the first record and need not learn who that was). */
static json_t *photo_json(const st_photo *p)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "hash", p->hash, "mime", p->mime,
	                 "width", (json_int_t)p->width, "height", (json_int_t)p->height, "bytes",
	                 (json_int_t)p->bytes, "village_id", (json_int_t)p->village_id);
}

void api_photos_upload(http_req *req)
{
	api_app *app = req->app;
	st_photo p;
	bool created = false;
	core_err err;
	if (photo_upload(app->st, api_actor(req), app->files_dir, req->params[0], req->body,
	                 req->body_len, &req->ar, &p, &created, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	json_t *j = photo_json(&p);
	char *url = arena_printf(&req->ar, "/api/v1/villages/%lld/photos/%s", (long long)p.village_id,
	                         p.hash);
	json_object_set_new(j, "url", url ? json_string(url) : json_null());
	json_object_set_new(j, "created", json_boolean(created));
	http_json(req, created ? 201 : 200, j);
}

void api_photo_get(http_req *req)
{
	api_app *app = req->app;
	st_photo p;
	const char *path = NULL;
	core_err err;
	if (photo_open(app->st, api_actor(req), app->files_dir, req->params[0], req->hash_param,
	               &req->ar, &p, &path, &err) != CORE_OK) {
		api_fail(req, &err);
		return;
	}
	req->status = 200;
	req->file_path = path;
	req->resp_type = p.mime;
	/* the content never changes (its name is its hash), but access may: keep it private */
	req->cache_control = "private, max-age=3600";
}
