/*
 * password.h: secrets of users: password and PIN policy, argon2id hashing
 * (libsodium, OWASP parameters: 19 MiB, 2 passes, 1 lane) and session tokens
 * (256 random bits, stored only as their SHA-256).
 */
#ifndef JF_PASSWORD_H
#define JF_PASSWORD_H
#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"

#define PASSWORD_MIN_CHARS 8
#define PASSWORD_MAX_CHARS 128
#define PASSWORD_HASH_MAX 128 /* crypto_pwhash_STRBYTES */
#define TOKEN_CHARS 43        /* 32 bytes in unpadded base64url */
#define TOKEN_HASH_HEX 64

/* Initialises libsodium; false if it cannot. Call once at start. */
bool password_init(void);
/* Checks the password policy: length, not a common password, not the username. */
core_status password_check_policy(const char *pw, const char *username, core_err *err);
/* Checks a villager PIN: exactly 6 digits, not a trivial sequence. */
core_status password_check_pin(const char *pin, core_err *err);
/* Hashes pw into out (PASSWORD_HASH_MAX bytes). False on out-of-memory. */
bool password_hash(const char *pw, char *out);
/* True if pw matches the stored hash. With hash NULL it spends the same time and
 * returns false (so unknown accounts cannot be told apart by timing). */
bool password_verify(const char *hash, const char *pw);
/* A new random token (TOKEN_CHARS + 1 bytes). */
void token_new(char *out);
/* The hex SHA-256 of a token (TOKEN_HASH_HEX + 1 bytes). */
void token_hash(const char *token, char *out);
/* Constant-time string comparison for equal-length secrets. */
bool token_equal(const char *a, const char *b);

#endif
