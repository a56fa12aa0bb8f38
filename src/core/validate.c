/*
 * validate.c: field rules (see validate.h).
 */
#include "core/validate.h"

#include <stdio.h>
#include <string.h>

#include "util/utf8.h"

static core_status invalid(core_err *err, const char *code, const char *zh, const char *en)
{
	err->status = CORE_INVALID;
	snprintf(err->code, sizeof(err->code), "%s", code);
	snprintf(err->zh, sizeof(err->zh), "%s", zh);
	snprintf(err->en, sizeof(err->en), "%s", en);
	return CORE_INVALID;
}

core_status validate_text(core_err *err, const char *field, const char *label, const char *value,
                          size_t min_chars, size_t max_chars)
{
	char zh[256], en[256];
	if (!value) {
		snprintf(zh, sizeof(zh), "缺少%s（%s）", label, field);
		snprintf(en, sizeof(en), "missing field %s", field);
		return invalid(err, "missing_field", zh, en);
	}
	size_t n = strlen(value);
	if (!utf8_valid(value, n)) {
		snprintf(zh, sizeof(zh), "%s含有无效的字符编码（%s）", label, field);
		snprintf(en, sizeof(en), "%s is not valid UTF-8", field);
		return invalid(err, "invalid_utf8", zh, en);
	}
	if (utf8_has_control(value)) {
		snprintf(zh, sizeof(zh), "%s不能包含控制字符（%s）", label, field);
		snprintf(en, sizeof(en), "%s must not contain control characters", field);
		return invalid(err, "control_characters", zh, en);
	}
	size_t chars = utf8_len(value);
	if (chars < min_chars) {
		snprintf(zh, sizeof(zh), "%s不能为空（%s）", label, field);
		snprintf(en, sizeof(en), "%s must not be empty", field);
		return invalid(err, "too_short", zh, en);
	}
	if (chars > max_chars) {
		snprintf(zh, sizeof(zh), "%s太长：最多 %zu 个字（%s）", label, max_chars, field);
		snprintf(en, sizeof(en), "%s too long: at most %zu characters", field, max_chars);
		return invalid(err, "too_long", zh, en);
	}
	return CORE_OK;
}

core_status validate_phone(core_err *err, const char *field, const char *phone)
{
	size_t n = strlen(phone);
	if (n == 0)
		return CORE_OK;
	bool ok = n >= 5 && n <= 20;
	size_t digits = 0;
	for (size_t i = 0; ok && i < n; i++) {
		char c = phone[i];
		if (c >= '0' && c <= '9')
			digits++;
		else if (!(c == '-' || c == ' ' || (c == '+' && i == 0)))
			ok = false;
	}
	if (!ok || digits < 5)
		return core_fail(err, CORE_INVALID, "invalid_phone",
		                 "电话号码格式不对（%s）：只能包含数字、空格和“-”，5 到 20 位",
		                 "%s is not a phone number: digits, spaces and '-', 5 to 20 long", field);
	return CORE_OK;
}

core_status validate_passbook(core_err *err, const char *passbook)
{
	size_t n = strlen(passbook);
	bool ok = n >= 1 && n <= 32;
	for (size_t i = 0; ok && i < n; i++) {
		char c = passbook[i];
		ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		     c == '-';
	}
	if (!ok)
		return core_fail(err, CORE_INVALID, "invalid_passbook_no",
		                 "存折号格式不对：1 到 32 位字母、数字或“-”",
		                 "passbook_no must be 1 to 32 letters, digits or '-'");
	return CORE_OK;
}

core_status validate_username(core_err *err, const char *username)
{
	size_t n = strlen(username);
	bool ok = n >= 3 && n <= 32 && ((username[0] >= 'a' && username[0] <= 'z') ||
	                                (username[0] >= 'A' && username[0] <= 'Z'));
	for (size_t i = 0; ok && i < n; i++) {
		char c = username[i];
		ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		     c == '_' || c == '.' || c == '-';
	}
	if (!ok)
		return core_fail(err, CORE_INVALID, "invalid_username",
		                 "用户名格式不对：3 到 32 位字母、数字、“_”“.”“-”，以字母开头",
		                 "username must be 3 to 32 letters, digits, '_', '.' or '-', starting with a letter");
	return CORE_OK;
}
