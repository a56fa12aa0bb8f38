/*
 * buf.h: a growing byte buffer with a hard maximum (after curl's dynbuf).
 * On any failure the buffer frees itself, so callers need only check the status.
 */
#ifndef JF_BUF_H
#define JF_BUF_H
#include <stdbool.h>
#include <stddef.h>

typedef struct buf {
	char *data; /* NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
	size_t max; /* the buffer never holds more than this many bytes */
} buf;

void buf_init(buf *b, size_t max);
/* Appends n bytes. Returns false (and frees the buffer) past max or on OOM. */
bool buf_append(buf *b, const void *p, size_t n);
bool buf_puts(buf *b, const char *s);
bool buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(buf *b); /* empties, keeps memory */
void buf_free(buf *b);
/* Hands the data to the caller (who frees it with free()) and empties the buffer. */
char *buf_steal(buf *b);

#endif
