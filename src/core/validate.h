/*
 * validate.h: the field rules shared by the domain: text length in characters
 * (not bytes), no control characters, phone numbers, passbook numbers and user
 * names. Each returns CORE_OK or CORE_INVALID with a message naming the field.
 */
#ifndef JF_VALIDATE_H
#define JF_VALIDATE_H
#include <stddef.h>

#include "core/core.h"

/* value must be valid UTF-8 text of min..max characters without control characters.
 * field is the API name ("head_name"), label the Chinese one ("户主姓名"). */
core_status validate_text(core_err *err, const char *field, const char *label, const char *value,
                          size_t min_chars, size_t max_chars);
/* Empty, or 5–20 characters of digits, spaces, '-' and a leading '+'. */
core_status validate_phone(core_err *err, const char *field, const char *phone);
/* 1–32 characters of ASCII letters, digits and '-'. */
core_status validate_passbook(core_err *err, const char *passbook);
/* 3–32 characters of ASCII letters, digits, '_', '.' and '-', starting with a letter. */
core_status validate_username(core_err *err, const char *username);

#endif
