/* test-redact.c: secrets out of what guardd logs. The corpora (tests/corpus/redact) hold
 * shell lines with secrets and their redacted form, and look-alikes that must come out
 * unchanged; the tables here hold argv requests (words with blanks, sh -c, ssh), texts
 * over several lines, environment names, site patterns, and the limits: quotes stay
 * balanced, the output stays within three times the input, the time stays linear. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "redact.h"

#define ARGV(...) ((const char *const[]){__VA_ARGS__, NULL})
#define N(a)      ((int)(sizeof(a) / sizeof((a)[0])))

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t count(const char *const *v)
{
	size_t n = 0;
	while (v[n])
		n++;
	return n;
}

/* redact_line, checked for success; the caller frees. */
static char *line(const struct redact *r, const char *in, bool *changed)
{
	char *out = NULL;
	ck_assert_int_eq(redact_line(r, in, &out, changed), 0);
	ck_assert_ptr_nonnull(out);
	return out;
}

/* redact_argv, the words joined by blanks; the caller frees. */
static char *argv_joined(const struct redact *r, const char *const *v, size_t n, bool *changed)
{
	char **out = NULL;
	size_t len = 1;
	ck_assert_int_eq(redact_argv(r, v, n, &out, changed), 0);
	ck_assert_ptr_nonnull(out);
	for (size_t i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(out[i]);
		len += strlen(out[i]) + 1;
	}
	ck_assert_ptr_null(out[n]);
	char *j = calloc(1, len);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(j, " ");
		strcat(j, out[i]);
	}
	redact_free_argv(out);
	return j;
}

/* Whether a line can be given as argv by splitting it at blanks: no quotes, no
 * expansions, no operators. */
static bool plain_words(const char *s)
{
	return !strpbrk(s, "'\"\\$`;|&<>()*?[]{}~#");
}

/* Splits a copy of s at single blanks into at most max words. */
static size_t split(char *s, const char **v, size_t max)
{
	size_t n = 0;
	for (char *save = NULL, *w = strtok_r(s, " ", &save); w && n < max;
	     w = strtok_r(NULL, " ", &save))
		v[n++] = w;
	return n;
}

/* ---- the corpora ---- */

static FILE *open_corpus(const char *name)
{
	const char *root = getenv("GUARD_SOURCE_ROOT");
	char path[4096];
	ck_assert_msg(root, "GUARD_SOURCE_ROOT is not set (run the tests with meson test)");
	snprintf(path, sizeof path, "%s/tests/corpus/redact/%s", root, name);
	FILE *f = fopen(path, "re");
	ck_assert_msg(f, "cannot open %s", path);
	return f;
}

/* Reads the next case: a line that is not blank and not a # comment, without its
 * newline. Returns NULL at the end. */
static char *next_case(FILE *f, char *buf, size_t size)
{
	while (fgets(buf, (int)size, f)) {
		buf[strcspn(buf, "\n")] = '\0';
		if (buf[0] && buf[0] != '#')
			return buf;
	}
	return NULL;
}

/* The same answer through redact_argv when the line is plain words. */
static int argv_agrees(const char *in, const char *want, bool want_changed)
{
	char a[8192], b[8192];
	const char *v[256], *w[256];
	if (!plain_words(in) || !plain_words(want))
		return 0;
	snprintf(a, sizeof a, "%s", in);
	snprintf(b, sizeof b, "%s", want);
	size_t n = split(a, v, 256), m = split(b, w, 256);
	bool changed = !want_changed;
	char *got = argv_joined(NULL, v, n, &changed);
	int bad = n != m || strcmp(got, want) != 0 || changed != want_changed;
	if (bad)
		fprintf(stderr, "argv: %s\n  want %s\n  got  %s\n", in, want, got);
	free(got);
	return bad;
}

START_TEST(corpus_secrets_are_hidden)
{
	FILE *f = open_corpus("secrets.txt");
	char buf[8192];
	int cases = 0, plain = 0, bad = 0;

	while (next_case(f, buf, sizeof buf)) {
		char *tab = strchr(buf, '\t');
		ck_assert_msg(tab && !strchr(tab + 1, '\t'), "no single tab in: %s", buf);
		*tab = '\0';
		const char *in = buf, *want = tab + 1;
		bool changed = false;
		char *got = line(NULL, in, &changed);
		if (strcmp(got, want) != 0 || !changed) {
			fprintf(stderr, "line: %s\n  want %s\n  got  %s\n", in, want, got);
			bad++;
		}
		free(got);
		/* Redacting the redacted line changes nothing more. */
		got = line(NULL, want, &changed);
		if (strcmp(got, want) != 0) {
			fprintf(stderr, "again: %s\n  got  %s\n", want, got);
			bad++;
		}
		free(got);
		plain += plain_words(in);
		bad += argv_agrees(in, want, true);
		cases++;
	}
	fclose(f);
	ck_assert_int_ge(cases, 60);
	ck_assert_int_ge(plain, 30);
	ck_assert_msg(bad == 0, "%d of %d secret cases wrong (see above)", bad, cases);
}
END_TEST

START_TEST(corpus_look_alikes_are_kept)
{
	FILE *f = open_corpus("clean.txt");
	char buf[8192];
	int cases = 0, bad = 0;

	while (next_case(f, buf, sizeof buf)) {
		bool changed = true;
		char *got = line(NULL, buf, &changed);
		if (strcmp(got, buf) != 0 || changed) {
			fprintf(stderr, "line: %s\n  got  %s\n", buf, got);
			bad++;
		}
		free(got);
		bad += argv_agrees(buf, buf, false);
		cases++;
	}
	fclose(f);
	ck_assert_int_ge(cases, 60);
	ck_assert_msg(bad == 0, "%d of %d clean cases changed (see above)", bad, cases);
}
END_TEST

/* ---- argv requests ---- */

static const struct argv_case {
	const char *name;
	const char *const *in;
	const char *const *want;
} argv_cases[] = {
	{"a secret with blanks after --password is one word",
	 ARGV("tool", "--password", "a b c", "-v"), ARGV("tool", "--password", "***", "-v")},
	{"mysql -p with quotes the shell removed", ARGV("mysql", "-u", "root", "-pse cret", "db"),
	 ARGV("mysql", "-u", "root", "-p***", "db")},
	{"sh -c: the word is a line, its quotes stay",
	 ARGV("sh", "-c", "mysql -p\"x y\" db; PGPASSWORD=z psql"),
	 ARGV("sh", "-c", "mysql -p\"***\" db; PGPASSWORD=*** psql")},
	{"bash -lc", ARGV("bash", "-lc", "curl -u bob:pw https://x"),
	 ARGV("bash", "-lc", "curl -u bob:*** https://x")},
	{"ssh host 'command'", ARGV("ssh", "-p", "2222", "db1", "mysql -pr3m -e 'show tables'"),
	 ARGV("ssh", "-p", "2222", "db1", "mysql -p*** -e 'show tables'")},
	{"ssh host command words", ARGV("ssh", "db1", "mysql", "-pr3m"),
	 ARGV("ssh", "db1", "mysql", "-p***")},
	{"watch 'command'", ARGV("watch", "-n", "5", "mysql -pX -e 'show processlist'"),
	 ARGV("watch", "-n", "5", "mysql -p*** -e 'show processlist'")},
	{"kubectl exec -- sh -c",
	 ARGV("kubectl", "exec", "pod", "--", "sh", "-c", "redis-cli -a 'p w' ping"),
	 ARGV("kubectl", "exec", "pod", "--", "sh", "-c", "redis-cli -a '***' ping")},
	{"su -c", ARGV("su", "-", "postgres", "-c", "PGPASSWORD=x psql"),
	 ARGV("su", "-", "postgres", "-c", "PGPASSWORD=*** psql")},
	{"an Authorization header is one word",
	 ARGV("curl", "-H", "Authorization: Bearer abc", "u"),
	 ARGV("curl", "-H", "Authorization: Bearer ***", "u")},
	{"literal $ in argv is the secret itself (the shell did not expand it)",
	 ARGV("mysql", "--password=$ecret", "-p$x"), ARGV("mysql", "--password=***", "-p***")},
	{"sshpass -p then ssh -p: the port stays",
	 ARGV("sshpass", "-p", "pw", "ssh", "-p", "2222", "host"),
	 ARGV("sshpass", "-p", "***", "ssh", "-p", "2222", "host")},
	{"a commit message with --token in it is data",
	 ARGV("git", "commit", "-m", "Add --token flag"),
	 ARGV("git", "commit", "-m", "Add --token flag")},
	{"a commit message with a token in it is hidden",
	 ARGV("git", "commit", "-m", "oops ghp_0123456789abcdefghijABCDEFGHIJ012345"),
	 ARGV("git", "commit", "-m", "oops ghp_***")},
	{"a private key given as an argument",
	 ARGV("echo",
	      "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabcd\n-----END RSA PRIVATE "
	      "KEY-----"),
	 ARGV("echo", "-----BEGIN RSA PRIVATE KEY-----\n***\n-----END RSA PRIVATE KEY-----")},
	{"mysql -c (comments) does not end the mysql context", ARGV("mysql", "-c", "-pX", "db"),
	 ARGV("mysql", "-c", "-p***", "db")},
	{"sh -c with a quote and no blank is still a line", ARGV("sh", "-c", "--token=\"x\"y"),
	 ARGV("sh", "-c", "--token=\"***\"")},
	{"an empty password is nothing to hide", ARGV("tool", "--password", "", "x"),
	 ARGV("tool", "--password", "", "x")},
	{"no words", ARGV("x"), ARGV("x")},
};

START_TEST(argv_case)
{
	const struct argv_case *c = &argv_cases[_i];
	size_t n = count(c->in);
	char **out = NULL;
	bool changed = false, want_changed = false;

	if (strcmp(c->name, "no words") == 0)
		n = 0;
	ck_assert_int_eq(redact_argv(NULL, c->in, n, &out, &changed), 0);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(strcmp(out[i], c->want[i]) == 0, "%s: word %zu: want [%s] got [%s]",
			      c->name, i, c->want[i], out[i]);
		want_changed |= strcmp(c->in[i], c->want[i]) != 0;
	}
	ck_assert_ptr_null(out[n]);
	ck_assert_msg(changed == want_changed, "%s: changed is %d", c->name, changed);
	redact_free_argv(out);
}
END_TEST

/* ---- lines over several lines, and quoting ---- */

static const struct line_case {
	const char *name, *in, *want;
} line_cases[] = {
	{"a here-document with a private key",
	 "cat > id <<'EOF'\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA\n"
	 "-----END OPENSSH PRIVATE KEY-----\nEOF\nchmod 600 id",
	 "cat > id <<'EOF'\n-----BEGIN OPENSSH PRIVATE KEY-----\n***\n"
	 "-----END OPENSSH PRIVATE KEY-----\nEOF\nchmod 600 id"},
	{"a private key in printf with \\n",
	 "printf '%s' '-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANB\\n-----END PRIVATE KEY-----' > "
	 "k",
	 "printf '%s' '-----BEGIN PRIVATE KEY-----\\n***\\n-----END PRIVATE KEY-----' > k"},
	{"a key cut short is hidden to the end", "echo '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE",
	 "echo '-----BEGIN EC PRIVATE KEY-----\n***"},
	{"a certificate is no secret",
	 "echo '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'",
	 "echo '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'"},
	{"a continued line", "mysql -u root \\\n  -pcont db", "mysql -u root \\\n  -p*** db"},
	{"two commands on two lines", "PGPASSWORD=a psql\nmysql -pb",
	 "PGPASSWORD=*** psql\nmysql -p***"},
	{"quotes inside the secret stay balanced", "mysql -p'a'\"b\"'c' db",
	 "mysql -p'***'\"\"'' db"},
	{"escaped characters in the secret", "mysql -pa\\ b\\$c db", "mysql -p*** db"},
	{"a backslash before the secret", "mysql -p\\$ecret db", "mysql -p*** db"},
	{"a nested line with escaped quotes", "bash -c \"mysql -p\\\"x y\\\" db\"",
	 "bash -c \"mysql -p\\\"***\\\" db\""},
	{"$(...) in double quotes", "echo \"$(PGPASSWORD=x psql -c 'select 1')\"",
	 "echo \"$(PGPASSWORD=*** psql -c 'select 1')\""},
	{"backquotes", "x=`mysql -pq -e 'select 1'`", "x=`mysql -p*** -e 'select 1'`"},
	{"a reference is not the secret", "mysql -p\"$PW\" --password=${PW2} app",
	 "mysql -p\"$PW\" --password=${PW2} app"},
	{"a single-quoted $ is literal", "mysql -p'$PW' app", "mysql -p'***' app"},
	{"a reference in a URL", "git clone \"https://$U:$P@git.example/x\"",
	 "git clone \"https://$U:$P@git.example/x\""},
	{"the mysql context ends with its command", "mysql -pa; ls -pl; find . -print",
	 "mysql -p***; ls -pl; find . -print"},
	{"pending --password ends with its command", "tool --password; ls x",
	 "tool --password; ls x"},
	{"an unterminated quote is read to the end", "mysql -p'abc", "mysql -p'***"},
	{"JSON with blanks", "curl -d '{ \"client_secret\" : \"cs1\", \"n\": 1 }' u",
	 "curl -d '{ \"client_secret\" : \"***\", \"n\": 1 }' u"},
	{"SET PASSWORD", "mysql -e \"SET PASSWORD FOR 'u'@'%' = PASSWORD('x1')\"",
	 "mysql -e \"SET PASSWORD FOR 'u'@'%' = PASSWORD('***')\""},
	{"an empty line", "", ""},
};

START_TEST(line_case)
{
	const struct line_case *c = &line_cases[_i];
	bool changed = false;
	char *got = line(NULL, c->in, &changed);
	ck_assert_msg(strcmp(got, c->want) == 0, "%s:\n  want %s\n  got  %s", c->name, c->want,
		      got);
	ck_assert_int_eq(changed, strcmp(c->in, c->want) != 0);
	free(got);
}
END_TEST

/* ---- environment ---- */

static const struct env_case {
	const char *name;
	bool secret;
} env_cases[] = {
	{"PGPASSWORD", true},
	{"MYSQL_PWD", true},
	{"MYSQL_ROOT_PASSWORD", true},
	{"AWS_SECRET_ACCESS_KEY", true},
	{"AWS_SESSION_TOKEN", true},
	{"GITHUB_TOKEN", true},
	{"GH_TOKEN", true},
	{"NPM_AUTH_TOKEN", true},
	{"API_KEY", true},
	{"OPENAI_API_KEY", true},
	{"apikey", true},
	{"PRIVATE_KEY", true},
	{"SSH_PRIVATE_KEY", true},
	{"GOOGLE_APPLICATION_CREDENTIALS", true},
	{"DB_PASS", true},
	{"SSHPASS", true},
	{"VAULT_TOKEN", true},
	{"client_secret", true},
	{"Db_Password", true},
	{"RSYNC_PASSWORD", true},
	{"AZURE_STORAGE_CONNECTION_STRING", true},
	{"SLACK_WEBHOOK_SECRET", true},
	{"PATH", false},
	{"HOME", false},
	{"PWD", false},
	{"OLDPWD", false},
	{"SSH_AUTH_SOCK", false},
	{"SSH_ASKPASS", false},
	{"GIT_ASKPASS", false},
	{"PASSWORD_FILE", false},
	{"GITHUB_TOKEN_PATH", false},
	{"PGPASSFILE", false},
	{"TOKENIZERS_PARALLELISM", false},
	{"GIT_AUTHOR_NAME", false},
	{"KUBE_CONTEXT", false},
	{"AWS_ACCESS_KEY_ID", false},
	{"NO_PASSWORD", false},
	{"PASSWORD_MIN_LENGTH", false},
	{"KEY", false},
	{"", false},
};

START_TEST(env_name_case)
{
	const struct env_case *c = &env_cases[_i];
	ck_assert_msg(redact_env_name(c->name) == c->secret, "%s: want %d", c->name, c->secret);
}
END_TEST

START_TEST(env_values)
{
	char *out;
	bool changed;

	ck_assert_int_eq(redact_env(NULL, "PGPASSWORD", "hunter2", &out, &changed), 0);
	ck_assert_str_eq(out, "***");
	ck_assert(changed);
	free(out);
	ck_assert_int_eq(redact_env(NULL, "PGPASSWORD", "", &out, &changed), 0);
	ck_assert_str_eq(out, "");
	ck_assert(!changed);
	free(out);
	ck_assert_int_eq(
		redact_env(NULL, "DATABASE_URL", "postgres://app:pw@db/app", &out, &changed), 0);
	ck_assert_str_eq(out, "postgres://app:***@db/app");
	ck_assert(changed);
	free(out);
	ck_assert_int_eq(
		redact_env(NULL, "GIT_SSH_COMMAND", "sshpass -p pw ssh -p 22", &out, &changed), 0);
	ck_assert_str_eq(out, "sshpass -p *** ssh -p 22");
	free(out);
	ck_assert_int_eq(redact_env(NULL, "KUBE_CONTEXT", "prod-eu", &out, &changed), 0);
	ck_assert_str_eq(out, "prod-eu");
	ck_assert(!changed);
	free(out);
}
END_TEST

/* ---- site patterns ---- */

START_TEST(site_patterns_hide_a_match_or_its_group)
{
	const char *const pats[] = {
		"corp_[0-9a-f]{16}",        /* no group: the whole match */
		"--vault-key[= ]([^ ]+)",   /* a group: only the group, across two words */
		"(internal-[a-z]+)-secret", /* the group is the start of the match */
	};
	char err[256] = "";
	struct redact *r = NULL;
	bool changed;
	char *out;

	ck_assert_int_eq(redact_new(pats, 3, &r, err, sizeof err), 0);
	out = line(r, "deploy corp_0123456789abcdef now corp_fedcba9876543210", &changed);
	ck_assert_str_eq(out, "deploy *** now ***");
	ck_assert(changed);
	free(out);
	out = line(r, "tool --vault-key=abc --vault-key def x", &changed);
	ck_assert_str_eq(out, "tool --vault-key=*** --vault-key *** x");
	free(out);
	out = argv_joined(r, ARGV("tool", "--vault-key", "def", "x"), 4, &changed);
	ck_assert_str_eq(out, "tool --vault-key *** x");
	ck_assert(changed);
	free(out);
	out = line(r, "use internal-alpha-secret", &changed);
	ck_assert_str_eq(out, "use ***-secret");
	free(out);
	out = line(r, "nothing corp_0123 here", &changed);
	ck_assert_str_eq(out, "nothing corp_0123 here");
	ck_assert(!changed);
	free(out);
	/* The built-in rules still apply. */
	out = line(r, "mysql -pabc", &changed);
	ck_assert_str_eq(out, "mysql -p***");
	free(out);
	redact_free(r);
}
END_TEST

START_TEST(site_patterns_anchor_and_repeat)
{
	const char *const pats[] = {"x+", "^start"};
	char err[256];
	struct redact *r = NULL;
	bool changed;

	ck_assert_int_eq(redact_new(pats, 2, &r, err, sizeof err), 0);
	char *out = line(r, "axxb start", &changed);
	ck_assert_str_eq(out, "a***b start"); /* ^ matches at the start only */
	free(out);
	out = line(r, "start", &changed);
	ck_assert_str_eq(out, "***");
	free(out);
	redact_free(r);
}
END_TEST

/* Site patterns are looked for in windows (see redact.c): a match is found whole wherever
 * it starts, however long it is, and $ means the end of the text, not of a window. */
START_TEST(site_patterns_find_matches_across_windows)
{
	const char *const pats[] = {"corp\\.[a-z0-9]+", "pin=([0-9]+)", "tail$"};
	char err[256];
	struct redact *r = NULL;
	bool changed;

	ck_assert_int_eq(redact_new(pats, 3, &r, err, sizeof err), 0);
	for (size_t at = 0; at < 1100; at += 7) {
		for (size_t len = 1; len < 2100; len = len * 3 + 1) {
			char *in = malloc(at + len + 64), *want = malloc(at + 64);
			memset(in, '-', at);
			memcpy(in + at, "corp.", 5);
			memset(in + at + 5, 'k', len);
			strcpy(in + at + 5 + len, " pin=1234 tail x");
			memset(want, '-', at);
			strcpy(want + at, "*** pin=*** tail x");
			char *out = line(r, in, &changed);
			ck_assert_msg(strcmp(out, want) == 0, "at %zu, %zu long: %.80s...", at, len,
				      out + (at > 20 ? at - 20 : 0));
			free(out);
			free(in);
			free(want);
		}
	}
	/* "tail" at a window's end but not the text's. */
	char *in = malloc(1200);
	memset(in, 'y', 1190);
	memcpy(in + 252, "tail", 4);
	memcpy(in + 1186, "tail", 4);
	in[1190] = '\0';
	char *out = line(r, in, &changed);
	ck_assert_int_eq(strncmp(out + 252, "tail", 4), 0);
	ck_assert_str_eq(out + 1186, "***");
	free(out);
	free(in);
	redact_free(r);
}
END_TEST

/* A pattern glibc tries from every position to the end (a[^x]*x on "aaa...") takes time
 * linear in the text, not quadratic. */
START_TEST(site_pattern_time_is_linear)
{
	const char *const pats[] = {"a[^x]*x"};
	char err[256];
	struct redact *r = NULL;
	ck_assert_int_eq(redact_new(pats, 1, &r, err, sizeof err), 0);
	double t[2];
	for (int k = 0; k < 2; k++) {
		size_t size = k ? 64 << 10 : 8 << 10;
		char *s = malloc(size + 1);
		memset(s, 'a', size);
		s[size] = '\0';
		t[k] = 1e9;
		for (int run = 0; run < 3; run++) {
			bool changed;
			double a = seconds();
			char *out = line(r, s, &changed);
			a = seconds() - a;
			t[k] = a < t[k] ? a : t[k];
			ck_assert(!changed);
			free(out);
		}
		free(s);
	}
	ck_assert_msg(t[1] < 24 * t[0] + 0.005, "8 KiB %.1f ms, 64 KiB %.1f ms", t[0] * 1e3,
		      t[1] * 1e3);
	redact_free(r);
}
END_TEST

START_TEST(bad_site_patterns_say_which_and_why)
{
	static const struct {
		const char *const pats[3];
		size_t n;
		const char *prefix;
	} cases[] = {
		{{"ok", "bad("}, 2, "pattern 1: "},
		{{"[z-a]"}, 1, "pattern 0: "},
		{{"a{2,1}"}, 1, "pattern 0: "},
		{{"ok", "ok", ""}, 3, "pattern 2: empty"},
		{{"ok", NULL}, 2, "pattern 1: empty"},
		{{"x*"}, 1, "pattern 0: matches the empty string"},
		{{"ok", "(a|)"}, 2, "pattern 1: matches the empty string"},
	};
	for (int i = 0; i < N(cases); i++) {
		char err[256] = "";
		struct redact *r = (struct redact *)&err; /* untouched on failure */
		ck_assert_int_eq(redact_new(cases[i].pats, cases[i].n, &r, err, sizeof err),
				 -EINVAL);
		ck_assert_ptr_eq(r, (struct redact *)&err);
		ck_assert_msg(strncmp(err, cases[i].prefix, strlen(cases[i].prefix)) == 0,
			      "case %d: %s", i, err);
		/* What is wrong follows (regerror's text): something a person can act on. */
		ck_assert_msg(strlen(err) >= strlen("pattern 0: ") + 5, "case %d: %s", i, err);
	}
	const char *many[REDACT_MAX_PATTERNS + 1];
	for (int i = 0; i < N(many); i++)
		many[i] = "x";
	char err[256] = "";
	struct redact *r = NULL;
	ck_assert_int_eq(redact_new(many, N(many), &r, err, sizeof err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "at most"));
	ck_assert_int_eq(redact_new(many, 0, &r, err, sizeof err), 0);
	redact_free(r);
	redact_free(NULL);
	redact_free_argv(NULL);
}
END_TEST

/* ---- limits ---- */

/* Where the shell would be after reading s: 0 outside quotes, else the open quote. */
static char quote_state(const char *s)
{
	char q = 0;
	for (; *s; s++) {
		if (q == '\'') {
			q = *s == '\'' ? 0 : q;
		} else if (*s == '\\' && s[1]) {
			s++;
		} else if (q == '"') {
			q = *s == '"' ? 0 : q;
		} else if (*s == '\'' || *s == '"') {
			q = *s;
		}
	}
	return q;
}

/* Pieces that make the rules work hardest. */
static const char *const pieces[] = {
	"mysql ",
	"-p",
	"'",
	"\"",
	"\\",
	" ",
	"=",
	"--password",
	"PGPASSWORD=",
	"://",
	"u:p@h",
	"$(",
	"`",
	")",
	";",
	"|",
	"sh -c ",
	"ssh h ",
	"ghp_0123456789abcdefghij",
	"eyJhbGciOiJIUzI1",
	".",
	"-----BEGIN ",
	"PRIVATE KEY-----",
	"-----END",
	"\n",
	"Authorization: Bearer ",
	"token=",
	"&key=",
	"?",
	",",
	"{\"password\":\"",
	"$x",
	"abc",
	"pass:",
	"curl -u ",
	"smbclient -U a%",
	"IDENTIFIED BY '",
	"-c ",
	"x",
};

static char *random_line(unsigned *seed, size_t pieces_n)
{
	size_t cap = pieces_n * 32 + 1, n = 0;
	char *s = malloc(cap);
	for (size_t i = 0; i < pieces_n; i++) {
		const char *p = pieces[rand_r(seed) % N(pieces)];
		memcpy(s + n, p, strlen(p));
		n += strlen(p);
	}
	s[n] = '\0';
	return s;
}

START_TEST(output_stays_bounded_and_quotes_balanced)
{
	unsigned seed = 20261125;
	for (int k = 0; k < 3000; k++) {
		char *in = random_line(&seed, 1 + (size_t)(rand_r(&seed) % 40));
		bool changed;
		char *out = line(NULL, in, &changed);
		ck_assert_msg(strlen(out) <= 3 * strlen(in), "%s -> %s", in, out);
		ck_assert_msg(quote_state(out) == quote_state(in), "quotes: [%s] -> [%s]", in, out);
		ck_assert_msg(changed == (strcmp(in, out) != 0), "changed: %s", in);
		free(out);

		/* The same text as argv words cut at blanks. */
		const char *v[64];
		char *copy = strdup(in);
		size_t n = split(copy, v, 64);
		char **words = NULL;
		ck_assert_int_eq(redact_argv(NULL, v, n, &words, &changed), 0);
		for (size_t i = 0; i < n; i++)
			ck_assert_msg(strlen(words[i]) <= 3 * strlen(v[i]), "%s -> %s", v[i],
				      words[i]);
		redact_free_argv(words);
		free(copy);
		free(in);
	}
}
END_TEST

static char *repeat(const char *unit, size_t size)
{
	size_t u = strlen(unit), n = size / u;
	char *s = malloc(n * u + 1);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * u, unit, u);
	s[n * u] = '\0';
	return s;
}

/* The best of three runs, in seconds. */
static double time_line(const char *s)
{
	double best = 1e9;
	for (int k = 0; k < 3; k++) {
		bool changed;
		double t = seconds();
		char *out = line(NULL, s, &changed);
		t = seconds() - t;
		free(out);
		best = t < best ? t : best;
	}
	return best;
}

/* Eight times the input must not take much more than eight times as long (sixty-four
 * times would be quadratic). A ratio holds under valgrind and the sanitizers too. */
START_TEST(worst_lines_take_linear_time)
{
	static const char *const units[] = {
		"key=",
		"a=",
		"glpat-",
		"://",
		"://u:p",
		"eyJaaaaaaaaaaaa.",
		"-----BEGIN ",
		"Token: $x ",
		"\"a\":",
		"\"token\":\"",
		"bearer ",
		",a=",
		"'",
		"\"",
		"\\",
		"$(",
		"mysql -pX ",
		"sh -c '",
		"password ",
		"a:",
		"pass:x ",
		"&token=",
		"x",
		("-----BEGIN "
		 "PRIVATE KEY-----"),
	};
	for (int i = 0; i < N(units); i++) {
		char *small = repeat(units[i], 8 << 10), *big = repeat(units[i], 64 << 10);
		double ts = time_line(small), tb = time_line(big);
		ck_assert_msg(tb < 24 * ts + 0.005, "[%s]: 8 KiB %.2f ms, 64 KiB %.2f ms", units[i],
			      ts * 1e3, tb * 1e3);
		free(small);
		free(big);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("redact");
	TCase *corpus = tcase_create("corpus"), *tables = tcase_create("tables");
	TCase *site = tcase_create("site"), *limits = tcase_create("limits");

	tcase_add_test(corpus, corpus_secrets_are_hidden);
	tcase_add_test(corpus, corpus_look_alikes_are_kept);
	suite_add_tcase(s, corpus);
	tcase_add_loop_test(tables, argv_case, 0, N(argv_cases));
	tcase_add_loop_test(tables, line_case, 0, N(line_cases));
	tcase_add_loop_test(tables, env_name_case, 0, N(env_cases));
	tcase_add_test(tables, env_values);
	suite_add_tcase(s, tables);
	tcase_add_test(site, site_patterns_hide_a_match_or_its_group);
	tcase_add_test(site, site_patterns_anchor_and_repeat);
	tcase_add_test(site, site_patterns_find_matches_across_windows);
	tcase_add_test(site, site_pattern_time_is_linear);
	tcase_add_test(site, bad_site_patterns_say_which_and_why);
	tcase_set_timeout(site, 120);
	suite_add_tcase(s, site);
	tcase_set_timeout(limits, 120);
	tcase_add_test(limits, output_stays_bounded_and_quotes_balanced);
	tcase_add_test(limits, worst_lines_take_linear_time);
	suite_add_tcase(s, limits);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
