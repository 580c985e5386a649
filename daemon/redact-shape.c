/* redact-shape.c: the secrets a text gives away by their shape or by the name in front of
 * them, whatever command they belong to: NAME=value and --opt=value with a secret name,
 * query strings, JSON keys, headers, user:pass@ in URLs, known token prefixes, JWTs and
 * private key blocks. Every scanner moves forward only; a value is looked at in full only
 * when it is hidden, so the work stays linear in the text. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "redact-int.h"

/* How far a value is looked at before deciding whether to hide it. */
#define PROBE 64

static bool is_alpha(unsigned char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(unsigned char c)
{
	return is_alpha(c) || is_digit(c);
}

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_name_char(unsigned char c)
{
	return is_alnum(c) || c == '_' || c == '.' || c == '-';
}

/* What ends a word, or a value in it, in raw shell text. */
static bool stops_shell(unsigned char c)
{
	return is_space(c) || c == '\'' || c == '"' || c == '\\' || c == ';' || c == '|' ||
	       c == '&' || c == '<' || c == '>' || c == '(' || c == ')' || c == '`';
}

static bool eq(const char *p, size_t n, const char *w)
{
	return n == strlen(w) && memcmp(p, w, n) == 0;
}

static bool ends_with(const char *p, size_t n, const char *w)
{
	size_t k = strlen(w);
	return n >= k && memcmp(p + n - k, w, k) == 0;
}

static bool has(const char *p, size_t n, const char *w)
{
	return memmem(p, n, w, strlen(w)) != NULL;
}

static bool in_list(const char *p, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (eq(p, n, *list))
			return true;
	return false;
}

void redact_hide(const struct rtext *t, size_t a, size_t b)
{
	for (size_t i = a; i < b && i < t->n; i++)
		t->m[i] |= RM_HIDE;
}

/* ---- names ---- */

/* A first part that makes the name a switch: --no-password, --ask-pass, --with-token. */
static const char *const prefix_off[] = {
	"no",      "ask",      "prompt", "show",  "skip",    "disable", "enable",
	"require", "required", "allow",  "with",  "without", "use",     "generate",
	"gen",     "has",      "is",     "print", NULL,
};

/* A last part that names something else than the secret: a path to it, its length, its
 * type, where it is asked for: --password-file, --token-ttl, SSH_AUTH_SOCK. */
static const char *const suffix_off[] = {
	"file",     "files",      "path",     "paths",     "dir",       "directory", "helper",
	"stdin",    "fd",         "prompt",   "length",    "len",       "min",       "max",
	"type",     "name",       "names",    "id",        "ids",       "cmd",       "command",
	"env",      "mode",       "method",   "mechanism", "source",    "provider",  "url",
	"uri",      "endpoint",   "host",     "server",    "port",      "user",      "username",
	"realm",    "scope",      "scopes",   "header",    "ttl",       "timeout",   "expiry",
	"expires",  "expiration", "lifetime", "policy",    "format",    "version",   "arn",
	"ref",      "store",      "manager",  "location",  "algorithm", "algo",      "hint",
	"count",    "limit",      "size",     "bits",      "sock",      "socket",    "enabled",
	"disabled", "required",   "reset",    "rotation",  "level",     "prefix",    "suffix",
	"field",    "var",        NULL,
};

/* Words ending in "pass" that are not about a password. */
static const char *const pass_off[] = {
	"bypass",    "compass", "encompass",  "surpass",  "trespass",  "overpass",   "underpass",
	"multipass", "askpass", "sshaskpass", "onepass",  "firstpass", "secondpass", "singlepass",
	"twopass",   "lowpass", "highpass",   "bandpass", "allpass",   NULL,
};

/* X_KEY where X says the value is a secret (ACCESS_KEY, ACCOUNT_KEY) or usually a path to
 * one (PRIVATE_KEY, CLIENT_KEY, TLS_KEY). */
static const char *const key_secret[] = {
	"api",       "access",       "secret",  "encryption",  "master",   "license",
	"licence",   "account",      "storage", "session",     "shared",   "primary",
	"secondary", "subscription", "app",     "application", "consumer", "decryption",
	"crypt",     "crypto",       "enc",     "hmac",        "jwt",      "webhook",
	"vault",     "root",         "admin",   "auth",        NULL,
};
static const char *const key_path[] = {
	"private", "client", "tls", "ssl", "ssh", "signing", "sign", "deploy", NULL,
};

static enum rname key_kind(const char *x, size_t n)
{
	if (in_list(x, n, key_secret))
		return RNAME_SECRET;
	if (in_list(x, n, key_path))
		return RNAME_KEY;
	return RNAME_NONE;
}

/* One lower-case part of a name, knowing the part before it. */
static enum rname part_kind(const char *prev, size_t pn, const char *p, size_t n)
{
	if (has(p, n, "password") || has(p, n, "passwd") || has(p, n, "passphrase") ||
	    has(p, n, "secret"))
		return ends_with(p, n, "less") ? RNAME_NONE : RNAME_SECRET;
	if (eq(p, n, "pass") || (ends_with(p, n, "pass") && !in_list(p, n, pass_off)))
		return RNAME_SECRET;
	if (eq(p, n, "tokens") || ends_with(p, n, "token"))
		return RNAME_SECRET;
	if (eq(p, n, "auth") || eq(p, n, "authorization") || eq(p, n, "bearer") ||
	    eq(p, n, "otp") || eq(p, n, "apikey") || eq(p, n, "apikeys") ||
	    eq(p, n, "connectionstring") || (eq(p, n, "string") && eq(prev, pn, "connection")))
		return RNAME_SECRET;
	if (eq(p, n, "credential") || eq(p, n, "credentials") || eq(p, n, "creds"))
		return RNAME_KEY;
	if (eq(p, n, "key") || eq(p, n, "keys")) {
		enum rname k = key_kind(prev, pn);
		return k != RNAME_NONE ? k : RNAME_WEAK;
	}
	if (n > 3 && ends_with(p, n, "key"))
		return key_kind(p, n - 3);
	if (eq(p, n, "sig") || eq(p, n, "signature") || eq(p, n, "code"))
		return RNAME_WEAK;
	return RNAME_NONE;
}

enum rname redact_name_kind(const char *s, size_t n)
{
	char low[256];
	size_t first = 0, first_n = 0, prev = 0, prev_n = 0, nparts = 0, i = 0;
	enum rname best = RNAME_NONE;
	bool pwd = false;

	if (n > sizeof low)
		n = sizeof low;
	for (size_t k = 0; k < n; k++)
		low[k] = (char)((unsigned char)s[k] >= 'A' && (unsigned char)s[k] <= 'Z'
					? s[k] | 0x20
					: s[k]);
	while (i < n) {
		if (!is_alnum((unsigned char)low[i])) {
			i++;
			continue;
		}
		size_t a = i;
		while (i < n && is_alnum((unsigned char)low[i]))
			i++;
		enum rname k = part_kind(low + prev, prev_n, low + a, i - a);
		if (k > best)
			best = k;
		pwd |= eq(low + a, i - a, "pwd");
		if (nparts++ == 0) {
			first = a;
			first_n = i - a;
		}
		prev = a;
		prev_n = i - a;
	}
	if (pwd && nparts > 1) /* MYSQL_PWD, not PWD */
		best = RNAME_SECRET;
	if (best == RNAME_NONE || nparts == 0)
		return RNAME_NONE;
	if (nparts > 1 &&
	    (in_list(low + first, first_n, prefix_off) || in_list(low + prev, prev_n, suffix_off)))
		return RNAME_NONE;
	return best;
}

/* ---- values ---- */

static bool is_switch_word(const char *p, size_t n)
{
	static const char *const words[] = {
		"true", "false", "yes", "no", "on", "off", "none", "null", "nil", "0", "1", NULL,
	};
	for (const char *const *w = words; *w; w++)
		if (n == strlen(*w) && strncasecmp(p, *w, n) == 0)
			return true;
	return false;
}

static bool is_path(const char *p, size_t n, bool whole)
{
	static const char *const ext[] = {
		".pem", ".key",  ".crt", ".p12", ".pfx",  ".json", ".jks", ".der",  ".asc", ".gpg",
		".txt", ".conf", ".cfg", ".ini", ".yaml", ".yml",  ".env", ".kdbx", NULL,
	};
	if (p[0] == '/' || p[0] == '~' || (n >= 2 && memcmp(p, "./", 2) == 0) ||
	    (n >= 3 && memcmp(p, "../", 3) == 0))
		return true;
	if (!whole)
		return false;
	for (const char *const *x = ext; *x; x++)
		if (ends_with(p, n, *x))
			return true;
	return false;
}

/* Long, of the base64 or hex alphabet, letters and digits mixed: a key, not a word. */
static bool looks_random(const char *p, size_t n)
{
	bool digit = false, alpha = false;
	if (n < 16 || p[0] == '/' || p[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (!is_alnum(c) && !strchr("+/=_.%-", c))
			return false;
		digit |= is_digit(c);
		alpha |= is_alpha(c);
	}
	return digit && alpha;
}

bool redact_value_ok(const struct rtext *t, size_t v, size_t e, enum rname kind, bool whole)
{
	const char *p = t->s + v;
	size_t n = e - v;

	if (v >= e || kind == RNAME_NONE || (t->m[v] & RM_EXP))
		return false;
	if (whole && is_switch_word(p, n))
		return false;
	if (kind == RNAME_KEY && is_path(p, n, whole))
		return false;
	if (kind == RNAME_WEAK && !looks_random(p, n))
		return false;
	return true;
}

/* ---- NAME=value, --opt=value, query strings ---- */

/* What came before a name: where its value ends depends on it. */
enum intro {
	IN_WORD,  /* the start of a word, or after '=' (--from-literal=password=x): to its end */
	IN_SPACE, /* after a blank, a quote or ':' (conninfo, a sentence): to the next blank */
	IN_QUERY, /* after '?' or '&': to the next '&' or '#' */
	IN_SEMI,  /* after ';' (a connection string): to the next ';' */
	IN_COMMA, /* after ',' (mount -o, helm --set): to the next ',' */
};

static bool pair_intro(const struct rtext *t, size_t i, enum intro *in)
{
	if (i == 0) {
		*in = IN_WORD;
		return true;
	}
	unsigned char c = (unsigned char)t->s[i - 1];
	switch (c) {
	case '=':
		*in = t->shell ? IN_SPACE : IN_WORD;
		return true;
	case '?':
	case '&':
		*in = IN_QUERY;
		return true;
	case ';':
		*in = IN_SEMI;
		return true;
	case ',':
		*in = IN_COMMA;
		return true;
	case ':':
	case '\'':
	case '"':
		*in = IN_SPACE;
		return true;
	default:
		*in = IN_SPACE;
		return is_space(c);
	}
}

/* ",name=" at e: the next setting of a list (helm --set a.password=x,b=y). */
static bool comma_pair(const struct rtext *t, size_t e)
{
	size_t p = e + 1, lim = t->n - p > 64 ? p + 64 : t->n; /* a name, not a text */
	if (t->s[e] != ',' || p >= t->n || !(is_alpha((unsigned char)t->s[p]) || t->s[p] == '_'))
		return false;
	while (p < lim && is_name_char((unsigned char)t->s[p]))
		p++;
	return p < lim && t->s[p] == '=';
}

/* Where a value that starts at v ends, looking at most max bytes. */
static size_t value_end(const struct rtext *t, size_t v, enum intro in, size_t max)
{
	size_t e = v, lim = t->n - v < max ? t->n : v + max;
	for (; e < lim; e++) {
		unsigned char c = (unsigned char)t->s[e];
		if (c == '\n' || c == '\r')
			break;
		if (t->shell && stops_shell(c))
			break;
		if (c == ',' && (in == IN_WORD || in == IN_SPACE) && comma_pair(t, e))
			break;
		if (in == IN_WORD)
			continue;
		if (is_space(c) || c == '"' || c == '\'')
			break;
		if ((in == IN_QUERY && (c == '&' || c == '#')) || (in == IN_SEMI && c == ';') ||
		    (in == IN_COMMA && c == ',' && t->s[e - 1] != '\\'))
			break;
	}
	return e;
}

/* A name and its value at i; returns where to go on. */
static size_t pair_at(const struct rtext *t, size_t i, enum intro in)
{
	const char *s = t->s;
	size_t p = i, dashes = 0;

	while (p < t->n && s[p] == '-' && dashes < 2)
		p++, dashes++;
	if (dashes && in != IN_WORD && in != IN_SPACE)
		return p;
	if (dashes == 1 && p < t->n && (s[p] == 'D' || s[p] == 'P')) /* java -D, gradle -P */
		p++;
	size_t a = p;
	while (p < t->n && is_name_char((unsigned char)s[p]))
		p++;
	if (p == a || p >= t->n || s[p] != '=')
		return p > i ? p : i + 1;
	enum rname k = redact_name_kind(s + a, p - a);
	size_t v = p + 1;
	if (k == RNAME_NONE)
		return v;
	size_t e = value_end(t, v, in, PROBE);
	if (!redact_value_ok(t, v, e, k, e < v + PROBE))
		return v;
	e = value_end(t, v, in, SIZE_MAX);
	redact_hide(t, v, e);
	return e;
}

static void scan_pairs(const struct rtext *t)
{
	size_t i = 0;
	while (i < t->n) {
		enum intro in;
		if (!is_name_char((unsigned char)t->s[i]) || !pair_intro(t, i, &in)) {
			i++;
			continue;
		}
		i = pair_at(t, i, in);
	}
}

/* ---- "name": "value" ---- */

static void scan_json(const struct rtext *t)
{
	const char *s = t->s;
	size_t n = t->n, i = 0;

	while (i < n) {
		if (s[i] != '"') {
			i++;
			continue;
		}
		size_t a = i + 1, p = a;
		while (p < n && is_name_char((unsigned char)s[p]))
			p++;
		if (p == a || p >= n || s[p] != '"') {
			i = p > a ? p : i + 1;
			continue;
		}
		size_t q = p + 1;
		while (q < n && (s[q] == ' ' || s[q] == '\t'))
			q++;
		if (q >= n || s[q] != ':') {
			i = p + 1;
			continue;
		}
		q++;
		while (q < n && (s[q] == ' ' || s[q] == '\t'))
			q++;
		enum rname k = redact_name_kind(s + a, p - a);
		if (q >= n || s[q] != '"' || k == RNAME_NONE) {
			i = q;
			continue;
		}
		size_t v = q + 1, e = v;
		while (e < n && s[e] != '"' && s[e] != '\n')
			e += (s[e] == '\\' && e + 1 < n) ? 2 : 1;
		if (e > n)
			e = n;
		if (redact_value_ok(t, v, e, k, true))
			redact_hide(t, v, e);
		i = e < n ? e + 1 : n;
	}
}

/* ---- Name: value (HTTP headers, YAML-ish lines, openssl pass:) ---- */

static bool header_intro(const struct rtext *t, size_t i)
{
	if (i == 0)
		return true;
	unsigned char c = (unsigned char)t->s[i - 1];
	return is_space(c) || c == '\'' || c == '"' || c == '=';
}

static size_t header_end(const struct rtext *t, size_t v, size_t max)
{
	size_t e = v, lim = t->n - v < max ? t->n : v + max;
	for (; e < lim; e++) {
		unsigned char c = (unsigned char)t->s[e];
		if (c == '\n' || c == '\r')
			break;
		if (t->shell && c != ' ' && c != '\t' && stops_shell(c))
			break;
		if (!t->shell && (c == '"' || c == '\''))
			break;
	}
	return e;
}

/* pass:X and other values with no blank after the colon end at a blank. */
static size_t word_end(const struct rtext *t, size_t v, size_t max)
{
	size_t e = v, lim = t->n - v < max ? t->n : v + max;
	while (e < lim && !is_space((unsigned char)t->s[e]) &&
	       (!t->shell || !stops_shell((unsigned char)t->s[e])))
		e++;
	return e;
}

static bool ieq(const char *p, size_t n, const char *w)
{
	return n == strlen(w) && strncasecmp(p, w, n) == 0;
}

/* The header at i; returns where to go on. */
static size_t header_at(const struct rtext *t, size_t i)
{
	const char *s = t->s;
	size_t n = t->n, p = i;

	while (p < n && (is_alnum((unsigned char)s[p]) || s[p] == '-' || s[p] == '_'))
		p++;
	if (p >= n || s[p] != ':' || (p + 1 < n && (s[p + 1] == '/' || s[p + 1] == ':')))
		return p;
	bool auth = ieq(s + i, p - i, "authorization") || ieq(s + i, p - i, "proxy-authorization");
	enum rname k = RNAME_SECRET;
	if (!auth && !ieq(s + i, p - i, "cookie") && !ieq(s + i, p - i, "set-cookie"))
		k = redact_name_kind(s + i, p - i);
	if (k < RNAME_KEY)
		return p + 1;
	size_t v = p + 1;
	bool spaced = false;
	while (v < n && (s[v] == ' ' || s[v] == '\t'))
		v++, spaced = true;
	if (auth) { /* keep the scheme: Bearer, Basic, token */
		size_t w = v;
		while (w < n && (is_alnum((unsigned char)s[w]) || s[w] == '-'))
			w++;
		if (w > v && w < n && s[w] == ' ') {
			while (w < n && s[w] == ' ')
				w++;
			v = w;
		}
	}
	size_t e = spaced ? header_end(t, v, PROBE) : word_end(t, v, PROBE);
	/* Without a blank after the colon only openssl's pass:X, or a long value, is a
	 * secret: heroku auth:token and scp secret:file are not. */
	if (!spaced && !ieq(s + i, p - i, "pass") && e - v < 12)
		return v;
	if (!redact_value_ok(t, v, e, k, e < v + PROBE))
		return v;
	e = spaced ? header_end(t, v, SIZE_MAX) : word_end(t, v, SIZE_MAX);
	redact_hide(t, v, e);
	return e;
}

static void scan_headers(const struct rtext *t)
{
	size_t i = 0;
	while (i < t->n) {
		if (!is_alpha((unsigned char)t->s[i]) || !header_intro(t, i)) {
			i++;
			continue;
		}
		i = header_at(t, i);
	}
}

/* ---- user:password@ in URLs ---- */

static void scan_urls(const struct rtext *t)
{
	const char *s = t->s;
	size_t n = t->n, i = 0;

	while (i + 3 <= n) {
		const char *f = memmem(s + i, n - i, "://", 3);
		if (!f)
			return;
		size_t u = (size_t)(f - s) + 3, e = u, at = SIZE_MAX, colon = SIZE_MAX;
		for (; e < n; e++) {
			unsigned char c = (unsigned char)s[e];
			if (c == '/' || c == '?' || c == '#' || is_space(c) || c == '"' ||
			    c == '\'' || c == '\\' || c == '<' || c == '>' ||
			    (t->shell && stops_shell(c)))
				break;
			if (c == '@')
				at = e;
			else if (c == ':' && colon == SIZE_MAX)
				colon = e;
		}
		if (at != SIZE_MAX && colon < at && colon + 1 < at && !(t->m[colon + 1] & RM_EXP))
			redact_hide(t, colon + 1, at);
		i = e;
	}
}

/* ---- tokens known by their prefix ---- */

enum cls {
	C_ALNUM,  /* [A-Za-z0-9] */
	C_WORD,   /* [A-Za-z0-9_] */
	C_B64URL, /* [A-Za-z0-9_-] */
	C_UPNUM,  /* [A-Z0-9] */
	C_HEX,    /* [a-f0-9] */
	C_B64,    /* [A-Za-z0-9+/=_-] */
	C_DOTTED, /* [A-Za-z0-9_.-] */
};

static bool in_class(enum cls k, unsigned char c)
{
	switch (k) {
	case C_ALNUM:
		return is_alnum(c);
	case C_WORD:
		return is_alnum(c) || c == '_';
	case C_B64URL:
		return is_alnum(c) || c == '_' || c == '-';
	case C_UPNUM:
		return (c >= 'A' && c <= 'Z') || is_digit(c);
	case C_HEX:
		return (c >= 'a' && c <= 'f') || is_digit(c);
	case C_B64:
		return is_alnum(c) || c == '+' || c == '/' || c == '=' || c == '_' || c == '-';
	case C_DOTTED:
		return is_alnum(c) || c == '_' || c == '.' || c == '-';
	}
	return false;
}

/* The prefix is kept (it says what kind of token leaked); the rest is hidden when it is
 * between min and max (0: any) characters of its class. Longer prefixes first. */
struct shape {
	const char *prefix;
	unsigned char cls;
	unsigned short min, max;
};

static const struct shape shapes[] = {
	{"github_pat_", C_WORD, 22, 0}, /* GitHub fine-grained */
	{"ghp_", C_ALNUM, 20, 0},       /* GitHub classic, OAuth, user, server, refresh */
	{"gho_", C_ALNUM, 20, 0},
	{"ghu_", C_ALNUM, 20, 0},
	{"ghs_", C_ALNUM, 20, 0},
	{"ghr_", C_ALNUM, 20, 0},
	{"glpat-", C_B64URL, 20, 0}, /* GitLab personal, pipeline trigger, deploy, runner... */
	{"glptt-", C_B64URL, 20, 0},
	{"gldt-", C_B64URL, 20, 0},
	{"glrt-", C_B64URL, 20, 0},
	{"glcbt-", C_B64URL, 20, 0},
	{"glft-", C_B64URL, 20, 0},
	{"glimt-", C_B64URL, 20, 0},
	{"glsoat-", C_B64URL, 20, 0},
	{"gloas-", C_B64URL, 20, 0},
	{"glsa_", C_WORD, 32, 0}, /* Grafana service account, cloud */
	{"glc_", C_B64, 32, 0},
	{"AKIA", C_UPNUM, 16, 16}, /* AWS access key ids */
	{"ASIA", C_UPNUM, 16, 16},
	{"ABIA", C_UPNUM, 16, 16},
	{"ACCA", C_UPNUM, 16, 16},
	{"AIza", C_B64URL, 30, 40},   /* Google API key */
	{"ya29.", C_B64URL, 20, 0},   /* Google OAuth access token */
	{"GOCSPX-", C_B64URL, 20, 0}, /* Google OAuth client secret */
	{"AGE-SECRET-KEY-1", C_UPNUM, 40, 0},
	{"ATATT", C_B64, 50, 0},    /* Atlassian */
	{"xoxa-", C_B64URL, 10, 0}, /* Slack */
	{"xoxb-", C_B64URL, 10, 0},
	{"xoxp-", C_B64URL, 10, 0},
	{"xoxr-", C_B64URL, 10, 0},
	{"xoxs-", C_B64URL, 10, 0},
	{"xoxe-", C_B64URL, 10, 0},
	{"xapp-", C_B64URL, 10, 0},
	{"sk_live_", C_ALNUM, 10, 0}, /* Stripe */
	{"rk_live_", C_ALNUM, 10, 0},
	{"sk_test_", C_ALNUM, 10, 0},
	{"rk_test_", C_ALNUM, 10, 0},
	{"whsec_", C_B64, 20, 0},
	{"sk-ant-", C_B64URL, 20, 0}, /* Anthropic, OpenAI */
	{"sk-proj-", C_B64URL, 20, 0},
	{"sk-", C_ALNUM, 40, 0},
	{"npm_", C_ALNUM, 30, 0},   /* npm */
	{"pypi-", C_B64URL, 50, 0}, /* PyPI */
	{"hf_", C_ALNUM, 30, 0},    /* Hugging Face */
	{"hvs.", C_B64URL, 24, 0},  /* Vault service, batch, recovery */
	{"hvb.", C_B64URL, 24, 0},
	{"hvr.", C_B64URL, 24, 0},
	{"dop_v1_", C_HEX, 40, 0}, /* DigitalOcean */
	{"doo_v1_", C_HEX, 40, 0},
	{"dor_v1_", C_HEX, 40, 0},
	{"dckr_pat_", C_B64URL, 20, 0}, /* Docker Hub */
	{"shpat_", C_ALNUM, 32, 0},     /* Shopify */
	{"shpss_", C_ALNUM, 32, 0},
	{"shpca_", C_ALNUM, 32, 0},
	{"shppa_", C_ALNUM, 32, 0},
	{"SG.", C_DOTTED, 40, 0},     /* SendGrid */
	{"lin_api_", C_ALNUM, 30, 0}, /* Linear */
	{"PMAK-", C_B64URL, 40, 0},   /* Postman */
	{"NRAK-", C_UPNUM, 20, 0},    /* New Relic */
	{"sntrys_", C_B64, 40, 0},    /* Sentry */
	{"dapi", C_HEX, 32, 32},      /* Databricks */
};

/* The first characters of the prefixes above, to pass over the rest quickly. */
static const char firsts[] = "gAyGxsrwnhpdSlPN";

/* A JWT at i (header.payload.signature, the first two base64url JSON): its end, or 0. */
static size_t jwt_at(const struct rtext *t, size_t i, size_t *next)
{
	const char *s = t->s;
	size_t n = t->n, p = i;

	while (p < n && in_class(C_B64URL, (unsigned char)s[p]))
		p++;
	*next = p;
	if (p - i < 10 || p + 4 >= n || s[p] != '.' || memcmp(s + p + 1, "eyJ", 3) != 0)
		return 0;
	size_t b = ++p;
	while (p < n && in_class(C_B64URL, (unsigned char)s[p]))
		p++;
	*next = p;
	if (p - b < 10 || p >= n || s[p] != '.')
		return 0;
	p++;
	while (p < n && in_class(C_B64URL, (unsigned char)s[p]))
		p++;
	*next = p;
	return p;
}

static void scan_tokens(const struct rtext *t)
{
	const char *s = t->s;
	size_t n = t->n, i = 0;

	while (i < n) {
		unsigned char prev = i ? (unsigned char)s[i - 1] : ' ';
		if (is_alnum(prev) || prev == '_') {
			i++;
			continue;
		}
		size_t next = i + 1;
		if (n - i >= 3 && memcmp(s + i, "eyJ", 3) == 0) {
			size_t e = jwt_at(t, i, &next);
			if (e && !(t->m[i] & RM_EXP))
				redact_hide(t, i, e);
			i = next > i ? next : i + 1;
			continue;
		}
		if (!strchr(firsts, s[i]) || !s[i]) {
			i++;
			continue;
		}
		for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
			const struct shape *sh = &shapes[k];
			if (sh->prefix[0] != s[i])
				continue;
			size_t pl = strlen(sh->prefix);
			if (n - i < pl || memcmp(s + i, sh->prefix, pl) != 0)
				continue;
			size_t e = i + pl;
			while (e < n && in_class(sh->cls, (unsigned char)s[e]))
				e++;
			size_t len = e - i - pl;
			if (len >= sh->min && (!sh->max || len <= sh->max)) {
				redact_hide(t, i + pl, e);
				next = e;
				break;
			}
			if (e > next)
				next = e;
		}
		i = next;
	}
}

/* ---- -----BEGIN ... PRIVATE KEY----- blocks ---- */

static bool pem_blank(const char *s, size_t i, size_t n)
{
	return i < n && (is_space((unsigned char)s[i]) ||
			 (s[i] == '\\' && i + 1 < n && (s[i + 1] == 'n' || s[i + 1] == 'r')));
}

static void scan_pem(const struct rtext *t)
{
	static const char begin[] = "-----BEGIN ";
	const char *s = t->s;
	size_t n = t->n, i = 0;

	while (i < n) {
		const char *f = memmem(s + i, n - i, begin, sizeof begin - 1);
		if (!f)
			return;
		size_t h = (size_t)(f - s) + sizeof begin - 1, p = h;
		while (p < n && p - h < 80 && s[p] != '\n' && s[p] != '-')
			p++;
		if (n - p < 5 || memcmp(s + p, "-----", 5) != 0) {
			i = h;
			continue;
		}
		size_t body = p + 5;
		if (!memmem(s + h, p - h, "PRIVATE KEY", 11)) {
			i = body;
			continue;
		}
		f = memmem(s + body, n - body, "-----END", 8);
		size_t end = f ? (size_t)(f - s) : n, a = body, b = end;
		while (pem_blank(s, a, b))
			a += is_space((unsigned char)s[a]) ? 1 : 2;
		while (b > a &&
		       (is_space((unsigned char)s[b - 1]) ||
			(b - a >= 2 && s[b - 2] == '\\' && (s[b - 1] == 'n' || s[b - 1] == 'r'))))
			b -= is_space((unsigned char)s[b - 1]) ? 1 : 2;
		redact_hide(t, a, b);
		i = f ? end + 8 : n;
	}
}

/* ---- Bearer TOKEN anywhere, webhook URLs, SQL password literals ---- */

static void scan_bearer(const struct rtext *t)
{
	const char *s = t->s;
	size_t n = t->n, i = 0;

	while (i + 7 < n) {
		if ((s[i] | 0x20) != 'b' || (i && is_alnum((unsigned char)s[i - 1])) ||
		    strncasecmp(s + i, "bearer", 6) != 0 || (s[i + 6] != ' ' && s[i + 6] != '\t')) {
			i++;
			continue;
		}
		size_t a = i + 6;
		while (a < n && (s[a] == ' ' || s[a] == '\t'))
			a++;
		size_t e = a;
		bool digit = false;
		while (e < n && (is_alnum((unsigned char)s[e]) || strchr("._~+/=-", s[e]))) {
			digit |= is_digit((unsigned char)s[e]);
			e++;
		}
		if (e - a >= 16 && digit && !(t->m[a] & RM_EXP))
			redact_hide(t, a, e);
		i = e > i ? e : i + 1;
	}
}

static void scan_hooks(const struct rtext *t)
{
	static const char *const hooks[] = {
		"hooks.slack.com/services/",      "hooks.slack.com/workflows/",
		"discord.com/api/webhooks/",      "discordapp.com/api/webhooks/",
		".webhook.office.com/webhookb2/", NULL,
	};
	for (const char *const *h = hooks; *h; h++) {
		size_t hl = strlen(*h), i = 0;
		const char *f;
		while (i < t->n && (f = memmem(t->s + i, t->n - i, *h, hl))) {
			size_t v = (size_t)(f - t->s) + hl, e = v;
			while (e < t->n && !stops_shell((unsigned char)t->s[e]) && t->s[e] != '?' &&
			       t->s[e] != '#')
				e++;
			if (e > v && !(t->m[v] & RM_EXP))
				redact_hide(t, v, e);
			i = e > v ? e : v;
		}
	}
}

/* IDENTIFIED BY 'x', PASSWORD 'x', PASSWORD('x'), SET PASSWORD = 'x': SQL given to mysql
 * -e or psql -c. */
static void scan_sql(const struct rtext *t)
{
	static const struct {
		const char *word;
		size_t len;
	} words[] = {{"identified by", 13}, {"password", 8}};
	const char *s = t->s;
	size_t n = t->n, i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)(s[i] | 0x20);
		if ((c != 'i' && c != 'p') ||
		    (i && !is_space((unsigned char)s[i - 1]) && !strchr("('\"", s[i - 1]))) {
			i++;
			continue;
		}
		size_t w = c == 'i' ? 0 : 1, p = i + words[w].len;
		if (n - i < words[w].len || strncasecmp(s + i, words[w].word, words[w].len) != 0) {
			i++;
			continue;
		}
		while (p < n && (s[p] == ' ' || s[p] == '\t' || s[p] == '=' || s[p] == '('))
			p++;
		if (p >= n || (s[p] != '\'' && s[p] != '"') || p == i + words[w].len) {
			i = p > i + 1 ? p : i + 1;
			continue;
		}
		char q = s[p];
		size_t v = p + 1, e = v;
		while (e < n && s[e] != q && s[e] != '\n')
			e++;
		if (e < n && s[e] == q && e > v && !(t->m[v] & RM_EXP))
			redact_hide(t, v, e);
		i = e > v ? e : v;
	}
}

void redact_shapes(const struct rtext *t)
{
	scan_pairs(t);
	scan_json(t);
	scan_urls(t);
	scan_tokens(t);
	if (memmem(t->s, t->n, "hook", 4))
		scan_hooks(t);
	redact_shapes_spanning(t);
}

void redact_shapes_spanning(const struct rtext *t)
{
	scan_headers(t);
	scan_pem(t);
	scan_bearer(t);
	scan_sql(t);
}
