/*
 * utf8.h: the UTF-8 facts jifen needs: is this valid, how many characters is it,
 * and the masks for public display (names 于*军, phones 138****5678).
 */
#ifndef JF_UTF8_H
#define JF_UTF8_H
#include <stdbool.h>
#include <stddef.h>

/* The length (2 to 4) of the well-formed multi-byte sequence at u, n bytes left, u[0] at
 * least 0x80; 0 if it is not one (overlong, surrogate, past U+10FFFF, cut short). */
size_t utf8_seq_len(const unsigned char *u, size_t n);
/* True if s[0..n) is well-formed UTF-8 (no overlongs, surrogates or NULs). */
bool utf8_valid(const char *s, size_t n);
/* Number of code points in valid UTF-8 s; undefined on invalid input. */
size_t utf8_len(const char *s);
/* Writes a masked name into out (cap bytes): first and last character kept,
 * the middle replaced by '*' (two characters: first + '*'). Returns out. */
char *utf8_mask_name(const char *name, char *out, size_t cap);
/* Writes a masked phone: 3 first and 4 last digits kept (138****5678); short
 * numbers are masked whole. Returns out. */
char *utf8_mask_phone(const char *phone, char *out, size_t cap);
/* Copies s into out (cap bytes, at least 1) leaving out the bytes that are not
 * whole UTF-8 characters: text that quotes input cut short ("%.64s") can hold
 * half a character, which JSON encoders refuse. Returns out. */
char *utf8_scrub(const char *s, char *out, size_t cap);
/* True if s holds a control character other than tab (names, addresses). */
bool utf8_has_control(const char *s);

#endif
