/*
 * jsonw.h: a streaming JSON writer into a request's arena, for the big read
 * responses (passbooks, entry lists) that would otherwise be built as a jansson
 * tree and dumped. It writes exactly what jansson's json_dumps writes with
 * JSON_COMPACT (same escapes, same integer format, invalid UTF-8 as null), so a
 * route can switch between the two without changing a byte. Not a parser: request
 * bodies are still read with jansson.
 */
#ifndef JF_JSONW_H
#define JF_JSONW_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

#define JW_MAX_DEPTH 16

typedef struct jw {
	arena *ar;
	char *data; /* arena-owned; NUL-terminated after jw_finish */
	size_t len;
	size_t cap;
	size_t max;  /* the document never grows past this many bytes */
	bool failed; /* out of memory, past max, or unbalanced nesting */
	bool after_key;
	int depth;
	bool first[JW_MAX_DEPTH + 1]; /* no value yet in the container at this depth */
} jw;

/* Starts an empty document in ar with room for cap bytes, at most max bytes. */
void jw_init(jw *w, arena *ar, size_t cap, size_t max);
/* The document, NUL-terminated, with its length in *len; NULL if anything failed
 * (arena limit, max, unbalanced nesting). The arena owns it. */
char *jw_finish(jw *w, size_t *len);

void jw_obj_open(jw *w);
void jw_obj_close(jw *w);
void jw_arr_open(jw *w);
void jw_arr_close(jw *w);
/* An object member's name: a plain ASCII name (letters, digits, '_'), written as is. */
void jw_key(jw *w, const char *name);

void jw_int(jw *w, int64_t v);
void jw_bool(jw *w, bool v);
void jw_null(jw *w);
/* A string, escaped as jansson does; NULL, or text that is not valid UTF-8 (which
 * json_string refuses), is written as null. */
void jw_str(jw *w, const char *s);
/* A JSON value already serialised compactly (n bytes), written as is. */
void jw_json(jw *w, const char *s, size_t n);
/* A UTC time as "YYYY-MM-DDTHH:MM:SSZ", the same text as time_iso. */
void jw_time(jw *w, int64_t t);

#endif
