/*
 * password.c: password policy and hashing with libsodium's argon2id, and the
 * random tokens that name sessions. Nothing here touches the database.
 */
#include "core/password.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "util/utf8.h"

#define PW_OPSLIMIT 2
#define PW_MEMLIMIT (19u * 1024 * 1024)

/* The most common passwords of Chinese and international leaks, lower-case. */
static const char *const common_passwords[] = {
	"12345678", "123456789", "1234567890", "11111111", "00000000", "88888888", "66666666",
	"password", "password1", "password123", "passw0rd", "qwertyui", "qwerty123", "iloveyou",
	"woaini1314", "woaini520", "5201314520", "1qaz2wsx", "1q2w3e4r", "a1234567", "a12345678",
	"a123456789", "aa123456", "abc12345", "abcd1234", "abc123456", "12341234", "12344321",
	"11223344", "123123123", "147258369", "123456abc", "qq123456", "zxcvbnm1", "asdfghjk",
	"asd123456", "1234qwer", "qwer1234", "admin123", "admin888", "administrator",
	"root1234", "welcome1", "sunshine", "princess", "football", "baseball", "superman",
	"dragon12", "monkey12", "letmein1", "trustno1", "87654321", "98765432", "99999999",
	"77777777", "55555555", "22222222", "33333333", "44444444", "12121212", "520520520",
	"woaini123", "wodemima", "mima1234", "zhang123", "wang1234", "li123456", "jifen123",
	"changeme", "computer", "internet", "whatever", "starwars", "q1w2e3r4", "zaq12wsx",
	"!qaz2wsx", "1qazxsw2", "qazwsxedc", "1234abcd", "abcdefgh", "password!", "p@ssw0rd",
};

bool password_init(void)
{
	return sodium_init() >= 0;
}

core_status password_check_policy(const char *pw, const char *username, core_err *err)
{
	size_t chars = utf8_len(pw);
	if (chars < PASSWORD_MIN_CHARS)
		return core_fail(err, CORE_INVALID, "password_too_short",
		                 "密码太短：至少需要 %d 个字符", "password too short: at least %d characters",
		                 PASSWORD_MIN_CHARS);
	if (chars > PASSWORD_MAX_CHARS)
		return core_fail(err, CORE_INVALID, "password_too_long",
		                 "密码太长：最多 %d 个字符", "password too long: at most %d characters",
		                 PASSWORD_MAX_CHARS);
	char lower[PASSWORD_MAX_CHARS * 4 + 1];
	size_t n = strlen(pw);
	if (n >= sizeof(lower))
		n = sizeof(lower) - 1;
	for (size_t i = 0; i < n; i++)
		lower[i] = (pw[i] >= 'A' && pw[i] <= 'Z') ? (char)(pw[i] + 32) : pw[i];
	lower[n] = '\0';
	for (size_t i = 0; i < sizeof(common_passwords) / sizeof(common_passwords[0]); i++)
		if (strcmp(lower, common_passwords[i]) == 0)
			return core_fail(err, CORE_INVALID, "password_common",
			                 "这个密码太常见，容易被猜到，请换一个",
			                 "this password is too common and easy to guess; choose another");
	/* one character repeated: every byte equals the same byte of the first
	 * character (which may be several bytes long, as 好 is) */
	size_t first = 1;
	while (first < n && ((unsigned char)pw[first] & 0xC0) == 0x80)
		first++;
	bool same_char = n % first == 0;
	for (size_t i = first; same_char && i < n; i++)
		if (pw[i] != pw[i % first])
			same_char = false;
	if (same_char)
		return core_fail(err, CORE_INVALID, "password_common", "密码不能由同一个字符重复组成",
		                 "a password cannot be one character repeated");
	if (username && *username && strcmp(pw, username) == 0)
		return core_fail(err, CORE_INVALID, "password_is_username", "密码不能与用户名相同",
		                 "the password cannot be the user name");
	return CORE_OK;
}

core_status password_check_pin(const char *pin, core_err *err)
{
	size_t n = strlen(pin);
	bool digits = n == 6;
	for (size_t i = 0; digits && i < n; i++)
		if (pin[i] < '0' || pin[i] > '9')
			digits = false;
	if (!digits)
		return core_fail(err, CORE_INVALID, "pin_format", "密码（PIN）须为 6 位数字",
		                 "the PIN must be 6 digits");
	bool same = true, up = true, down = true;
	for (size_t i = 1; i < n; i++) {
		if (pin[i] != pin[0])
			same = false;
		if (pin[i] != pin[i - 1] + 1)
			up = false;
		if (pin[i] != pin[i - 1] - 1)
			down = false;
	}
	if (same || up || down || strcmp(pin, "520520") == 0 || strcmp(pin, "521521") == 0 ||
	    strcmp(pin, "131420") == 0 || strcmp(pin, "112233") == 0)
		return core_fail(err, CORE_INVALID, "pin_common", "这个 PIN 太容易被猜到，请换一个",
		                 "this PIN is too easy to guess; choose another");
	return CORE_OK;
}

bool password_hash(const char *pw, char *out)
{
	return crypto_pwhash_str_alg(out, pw, strlen(pw), PW_OPSLIMIT, PW_MEMLIMIT,
	                             crypto_pwhash_ALG_ARGON2ID13) == 0;
}

static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
	password_hash("jifen-dummy-password", dummy_hash);
}

bool password_verify(const char *hash, const char *pw)
{
	if (!hash) {
		pthread_once(&dummy_once, make_dummy);
		if (crypto_pwhash_str_verify(dummy_hash, pw, strlen(pw)) == 0)
			return false; /* same work either way */
		return false;
	}
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

void token_new(char *out)
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, TOKEN_CHARS + 1, raw, sizeof(raw),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void token_hash(const char *token, char *out)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, TOKEN_HASH_HEX + 1, h, sizeof(h));
}

bool token_equal(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (n != strlen(b))
		return false;
	return sodium_memcmp(a, b, n) == 0;
}
