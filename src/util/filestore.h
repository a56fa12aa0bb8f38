/*
 * filestore.h: content-addressed files in one directory (the evidence photos).
 * A file is named by the hex SHA-256 of its bytes, so the same content is one
 * file however often it is stored, and a name can never be chosen by a client.
 * Writes are durable: a temporary file is written and fsynced, renamed into
 * place, and the directory is fsynced, so a stored file survives a crash and a
 * half-written one is never visible under its name.
 *
 * It stores bytes; it knows nothing of images, villages or who may read them.
 */
#ifndef JF_FILESTORE_H
#define JF_FILESTORE_H
#include <stdbool.h>
#include <stddef.h>

#define FILESTORE_NAME_HEX 64

/* Creates dir (one level, mode 0750) unless it exists. False (errno set) if it
 * cannot be created or is not a directory. */
bool filestore_ensure_dir(const char *dir);
/* Writes the SHA-256 of data (len bytes) as 64 lower-case hex digits and a NUL. */
void filestore_hash(const void *data, size_t len, char out[FILESTORE_NAME_HEX + 1]);
/* Stores data under dir/name, durably; a file already there with the same size is
 * kept (names are hashes). False (errno set, nothing left behind) on failure. */
bool filestore_put(const char *dir, const char *name, const void *data, size_t len);
/* Writes "dir/name" into out (cap bytes); false if it does not fit. */
bool filestore_path(const char *dir, const char *name, char *out, size_t cap);

#endif
