/*
 * Unit tests for src/core/password.c: the password policy (length in
 * characters, common passwords in any case, one repeated character, the user
 * name), the villager PIN rules, argon2id hashes with the OWASP parameters,
 * verification (wrong password, unknown account), and session tokens.
 */
#include <stdbool.h>

#include "check.h"
#include "core/password.h"
#include "util/utf8.h"

typedef struct {
	const char *pw, *username;
	const char *code; /* NULL = accepted */
} policy_case;

static void policy(void)
{
	char long_ok[PASSWORD_MAX_CHARS + 1], too_long[PASSWORD_MAX_CHARS + 2];
	for (int i = 0; i < PASSWORD_MAX_CHARS; i++)
		long_ok[i] = too_long[i] = (char)('a' + i % 26);
	long_ok[PASSWORD_MAX_CHARS] = '\0';
	too_long[PASSWORD_MAX_CHARS] = 'z';
	too_long[PASSWORD_MAX_CHARS + 1] = '\0';
	/* 128 and 129 Chinese characters: counted as characters, not bytes */
	char zh_ok[PASSWORD_MAX_CHARS * 3 + 1] = "", zh_long[(PASSWORD_MAX_CHARS + 1) * 3 + 1] = "";
	for (int i = 0; i < PASSWORD_MAX_CHARS; i++)
		strcat(zh_ok, i % 2 ? "沟" : "箭");
	strcat(strcpy(zh_long, zh_ok), "村");
	const policy_case cases[] = {
		{"Gaojiangou-2024", "admin", NULL},
		{"高箭沟村积分存折", "admin", NULL},  /* 8 Chinese characters */
		{"高箭沟村积分", "admin", "password_too_short"}, /* 6 characters, 18 bytes */
		{"", "admin", "password_too_short"},
		{"abc", NULL, "password_too_short"},
		{"Ab3$xyz", NULL, "password_too_short"}, /* 7 */
		{"Ab3$xyzw", NULL, NULL},                /* 8 */
		{long_ok, NULL, NULL},
		{too_long, NULL, "password_too_long"},
		{zh_ok, NULL, NULL},
		{zh_long, NULL, "password_too_long"},
		/* common passwords, whatever the case */
		{"password", NULL, "password_common"},
		{"PASSWORD", NULL, "password_common"},
		{"PassWord1", NULL, "password_common"},
		{"P@SSW0RD", NULL, "password_common"},
		{"12345678", NULL, "password_common"},
		{"woaini1314", NULL, "password_common"},
		{"WoAiNi1314", NULL, "password_common"},
		{"1qaz2wsx", NULL, "password_common"},
		{"Jifen123", NULL, "password_common"},
		{"88888888", NULL, "password_common"},
		{"password12", NULL, NULL}, /* near a common one is allowed */
		/* one character repeated */
		{"aaaaaaaaaa", NULL, "password_common"},
		{"zzzzzzzzzzzzzzzzzzzz", NULL, "password_common"},
		{"好好好好好好好好", NULL, "password_common"},
		{"好好好好好好好学", NULL, NULL},
		{"aaaaaaaaab", NULL, NULL},
		/* the user name */
		{"yuhongjun2024", "yuhongjun2024", "password_is_username"},
		{"yuhongjun2024", "yuhongjun", NULL},
		{"yuhongjun2024", "", NULL},
		{"yuhongjun2024", NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		core_err err;
		memset(&err, 0, sizeof(err));
		core_status st = password_check_policy(cases[i].pw, cases[i].username, &err);
		bool ok = cases[i].code ? st == CORE_INVALID && err.status == CORE_INVALID &&
		                                  strcmp(err.code, cases[i].code) == 0 &&
		                                  err.zh[0] && err.en[0]
		                        : st == CORE_OK;
		if (!ok) {
			fprintf(stderr, "case %zu \"%.40s\": status %d code \"%s\", want %s\n", i,
			        cases[i].pw, st, err.code, cases[i].code ? cases[i].code : "OK");
			CHECK(0);
		}
	}
}

static void policy_messages(void)
{
	core_err err;
	CHECK_INT_EQ(password_check_policy("abc", NULL, &err), CORE_INVALID);
	CHECK(strstr(err.zh, "至少需要 8 个字符") != NULL);
	CHECK(strstr(err.en, "at least 8") != NULL);
	CHECK_INT_EQ(password_check_policy("PASSWORD", NULL, &err), CORE_INVALID);
	CHECK(strstr(err.zh, "太常见") != NULL);
	CHECK_INT_EQ(password_check_policy("scorer-li2", "scorer-li2", &err), CORE_INVALID);
	CHECK(strstr(err.zh, "用户名") != NULL);
}

static void pin_rules(void)
{
	static const struct {
		const char *pin, *code;
	} cases[] = {
		{"270518", NULL}, {"135790", NULL}, {"909090", NULL}, {"102938", NULL},
		{"", "pin_format"}, {"12345", "pin_format"}, {"1234567", "pin_format"},
		{"27051a", "pin_format"}, {"27 518", "pin_format"}, {"２７０５１８", "pin_format"},
		{"-27051", "pin_format"},
		{"000000", "pin_common"}, {"999999", "pin_common"}, {"123456", "pin_common"},
		{"012345", "pin_common"}, {"456789", "pin_common"}, {"654321", "pin_common"},
		{"987654", "pin_common"}, {"520520", "pin_common"}, {"521521", "pin_common"},
		{"131420", "pin_common"}, {"112233", "pin_common"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		core_err err;
		memset(&err, 0, sizeof(err));
		core_status st = password_check_pin(cases[i].pin, &err);
		bool ok = cases[i].code ? st == CORE_INVALID && strcmp(err.code, cases[i].code) == 0 &&
		                                  strstr(err.zh, "PIN") != NULL
		                        : st == CORE_OK;
		if (!ok) {
			fprintf(stderr, "pin \"%s\": status %d code \"%s\", want %s\n", cases[i].pin, st,
			        err.code, cases[i].code ? cases[i].code : "OK");
			CHECK(0);
		}
	}
}

static void hash_and_verify(void)
{
	char h1[PASSWORD_HASH_MAX], h2[PASSWORD_HASH_MAX];
	CHECK(password_hash("Gaojiangou-2024", h1));
	CHECK(strncmp(h1, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
	CHECK(strlen(h1) < PASSWORD_HASH_MAX);
	CHECK(password_verify(h1, "Gaojiangou-2024"));
	CHECK(!password_verify(h1, "gaojiangou-2024"));
	CHECK(!password_verify(h1, "Gaojiangou-2024 "));
	CHECK(!password_verify(h1, ""));
	/* a salt per hash: the same password hashes differently, both verify */
	CHECK(password_hash("Gaojiangou-2024", h2));
	CHECK(strcmp(h1, h2) != 0);
	CHECK(password_verify(h2, "Gaojiangou-2024"));
	/* Chinese passwords and PINs */
	CHECK(password_hash("高箭沟村积分存折", h1));
	CHECK(password_verify(h1, "高箭沟村积分存折"));
	CHECK(!password_verify(h1, "高箭沟村积分存"));
	CHECK(password_hash("270518", h2));
	CHECK(password_verify(h2, "270518"));
	CHECK(!password_verify(h2, "270519"));
	/* a damaged stored hash never verifies */
	CHECK(!password_verify("", "270518"));
	CHECK(!password_verify("$argon2id$v=19$m=19456,t=2,p=1$garbage", "270518"));
	h2[strlen(h2) - 2] = h2[strlen(h2) - 2] == 'A' ? 'B' : 'A';
	CHECK(!password_verify(h2, "270518"));
}

static void verify_unknown_account(void)
{
	/* no hash (unknown account): false, even for the internal dummy's password */
	CHECK(!password_verify(NULL, "Gaojiangou-2024"));
	CHECK(!password_verify(NULL, "jifen-dummy-password"));
	CHECK(!password_verify(NULL, ""));
}

static int url_safe(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static void tokens(void)
{
	enum { N = 500 };
	static char toks[N][TOKEN_CHARS + 1];
	for (int i = 0; i < N; i++) {
		memset(toks[i], '#', sizeof(toks[i]));
		token_new(toks[i]);
		CHECK_INT_EQ(strlen(toks[i]), TOKEN_CHARS);
		CHECK_INT_EQ(TOKEN_CHARS, 43);
		CHECK(url_safe(toks[i]));
	}
	for (int i = 0; i < N; i++)
		for (int k = i + 1; k < N; k++)
			CHECK(strcmp(toks[i], toks[k]) != 0);
}

static void token_hashes(void)
{
	char h[TOKEN_HASH_HEX + 1];
	token_hash("abc", h);
	CHECK_STR_EQ(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	token_hash("", h);
	CHECK_STR_EQ(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	char t[TOKEN_CHARS + 1], h2[TOKEN_HASH_HEX + 1];
	token_new(t);
	token_hash(t, h);
	token_hash(t, h2);
	CHECK_INT_EQ(strlen(h), 64);
	CHECK_STR_EQ(h, h2);
	for (const char *p = h; *p; p++)
		CHECK((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'));
	CHECK(strstr(h, t) == NULL); /* the hash does not contain the token */
}

static void token_compare(void)
{
	static const struct {
		const char *a, *b;
		bool eq;
	} cases[] = {
		{"abc", "abc", true},  {"abc", "abd", false}, {"abc", "ab", false},
		{"ab", "abc", false},  {"", "", true},        {"", "a", false},
		{"于洪军", "于洪军", true}, {"于洪军", "于洪君", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_INT_EQ(token_equal(cases[i].a, cases[i].b), cases[i].eq);
	char t[TOKEN_CHARS + 1], u[TOKEN_CHARS + 1];
	token_new(t);
	memcpy(u, t, sizeof(u));
	CHECK(token_equal(t, u));
	u[TOKEN_CHARS - 1] = u[TOKEN_CHARS - 1] == 'A' ? 'B' : 'A';
	CHECK(!token_equal(t, u));
}

static void init_first(void)
{
	CHECK(password_init());
	CHECK(password_init()); /* twice is fine */
}

CHECK_MAIN("password", T(init_first), T(policy), T(policy_messages), T(pin_rules),
           T(hash_and_verify), T(verify_unknown_account), T(tokens), T(token_hashes),
           T(token_compare))
