/* redact-cmd.c: the secrets only their command gives away: -pSECRET for the mysql family,
 * `--password X` as two words, `sshpass -p X`, `curl -u user:pass`, `smbclient -U
 * user%pass`, `aws configure set aws_secret_access_key X`; and a shell line read word by
 * word with its quotes, so that the same rules reach into `sh -c '...'`, $(...), `ssh
 * host '...'` and every part of a pipeline or list. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "redact-int.h"

/* Nested lines read: sh -c "ssh host \"mysql -p...\"" is three. */
#define MAX_DEPTH 4

/* Programs whose options say where a secret is. */
enum prog {
	P_NONE,
	P_MYSQL,       /* -pSECRET attached; user:pass@host for mysqlsh */
	P_PERCONA,     /* pt-*: -p X, and p=X in a DSN */
	P_PTWO,        /* -p X (mongo*, mydumper, mycli, useradd...) */
	P_SSHPASS,     /* -p X until its command starts */
	P_REDIS,       /* -a X */
	P_CURL,        /* -u user:pass, -U, --user, --proxy-user */
	P_HTTPIE,      /* -a user:pass */
	P_SMB,         /* -U user%pass */
	P_LOGIN,       /* -p X after "login" (docker, podman, oc, az, helm...) */
	P_OPENSSL,     /* -k X (pass:X is a shape) */
	P_ZIP,         /* -P X */
	P_SEVENZ,      /* -pSECRET attached */
	P_LDAP,        /* -w X */
	P_LDAPPASSWD,  /* -w, -s, -a X */
	P_MSSQL,       /* -P X */
	P_SSHKEYGEN,   /* -N, -P X */
	P_HTPASSWD,    /* the password argument after -b */
	P_ORACLE,      /* user/pass@db */
	P_GH,          /* gh secret set: -b, --body X */
	P_FREERDP,     /* /p:X */
	P_SHELL_WORDS, /* ssh host 'cmd', eval 'cmd', watch 'cmd': a word with blanks is a line */
	P_DATA,        /* package and service managers: later words are names, not programs */
	P_ANSIBLE,     /* -a 'command' */
	P_PASSWD,      /* passwd --stdin: reads a password from its input */
	P_STDIN,       /* chpasswd, cryptsetup: read a secret from their input */
};

struct prog_name {
	const char *name;
	enum prog prog;
};

/* Sorted by strcmp, for bsearch. */
static const struct prog_name progs[] = {
	{"7z", P_SEVENZ},
	{"7za", P_SEVENZ},
	{"7zr", P_SEVENZ},
	{"apk", P_DATA},
	{"apt", P_DATA},
	{"apt-cache", P_DATA},
	{"apt-get", P_DATA},
	{"autossh", P_SHELL_WORDS},
	{"ansible", P_ANSIBLE},
	{"az", P_LOGIN},
	{"bcp", P_MSSQL},
	{"brew", P_DATA},
	{"buildah", P_LOGIN},
	{"cf", P_LOGIN},
	{"chgrp", P_DATA},
	{"chpasswd", P_STDIN},
	{"chown", P_DATA},
	{"crane", P_LOGIN},
	{"cryptsetup", P_STDIN},
	{"curl", P_CURL},
	{"dgmgrl", P_ORACLE},
	{"dnf", P_DATA},
	{"docker", P_LOGIN},
	{"dpkg", P_DATA},
	{"eval", P_SHELL_WORDS},
	{"expdp", P_ORACLE},
	{"flatpak", P_DATA},
	{"gem", P_DATA},
	{"getent", P_DATA},
	{"gh", P_GH},
	{"helm", P_LOGIN},
	{"htpasswd", P_HTPASSWD},
	{"http", P_HTTPIE},
	{"httpie", P_HTTPIE},
	{"https", P_HTTPIE},
	{"id", P_DATA},
	{"impdp", P_ORACLE},
	{"innobackupex", P_MYSQL},
	{"journalctl", P_DATA},
	{"keydb-cli", P_REDIS},
	{"killall", P_DATA},
	{"ldapadd", P_LDAP},
	{"ldapcompare", P_LDAP},
	{"ldapdelete", P_LDAP},
	{"ldapexop", P_LDAP},
	{"ldapmodify", P_LDAP},
	{"ldapmodrdn", P_LDAP},
	{"ldappasswd", P_LDAPPASSWD},
	{"ldapsearch", P_LDAP},
	{"ldapwhoami", P_LDAP},
	{"man", P_DATA},
	{"mariabackup", P_MYSQL},
	{"mariadb", P_MYSQL},
	{"mariadb-admin", P_MYSQL},
	{"mariadb-backup", P_MYSQL},
	{"mariadb-binlog", P_MYSQL},
	{"mariadb-check", P_MYSQL},
	{"mariadb-dump", P_MYSQL},
	{"mariadb-import", P_MYSQL},
	{"mariadb-show", P_MYSQL},
	{"mariadb-slap", P_MYSQL},
	{"mariadb-upgrade", P_MYSQL},
	{"mongo", P_PTWO},
	{"mongodump", P_PTWO},
	{"mongoexport", P_PTWO},
	{"mongofiles", P_PTWO},
	{"mongoimport", P_PTWO},
	{"mongorestore", P_PTWO},
	{"mongosh", P_PTWO},
	{"mongostat", P_PTWO},
	{"mongotop", P_PTWO},
	{"mosh", P_SHELL_WORDS},
	{"mycli", P_PTWO},
	{"mydumper", P_PTWO},
	{"myloader", P_PTWO},
	{"mysql", P_MYSQL},
	{"mysql_upgrade", P_MYSQL},
	{"mysqladmin", P_MYSQL},
	{"mysqlbinlog", P_MYSQL},
	{"mysqlcheck", P_MYSQL},
	{"mysqldump", P_MYSQL},
	{"mysqlimport", P_MYSQL},
	{"mysqlpump", P_MYSQL},
	{"mysqlsh", P_MYSQL},
	{"mysqlshow", P_MYSQL},
	{"mysqlslap", P_MYSQL},
	{"nerdctl", P_LOGIN},
	{"net", P_SMB},
	{"oc", P_LOGIN},
	{"openssl", P_OPENSSL},
	{"oras", P_LOGIN},
	{"osql", P_MSSQL},
	{"pacman", P_DATA},
	{"parallel", P_SHELL_WORDS},
	{"passwd", P_PASSWD},
	{"pgrep", P_DATA},
	{"pidof", P_DATA},
	{"pip", P_DATA},
	{"pip3", P_DATA},
	{"pkill", P_DATA},
	{"podman", P_LOGIN},
	{"rar", P_SEVENZ},
	{"rdesktop", P_PTWO},
	{"redis-benchmark", P_REDIS},
	{"redis-cli", P_REDIS},
	{"rman", P_ORACLE},
	{"rpcclient", P_SMB},
	{"rpm", P_DATA},
	{"screen", P_SHELL_WORDS},
	{"sdl-freerdp", P_FREERDP},
	{"service", P_DATA},
	{"skopeo", P_LOGIN},
	{"smbcacls", P_SMB},
	{"smbclient", P_SMB},
	{"smbget", P_SMB},
	{"smbmap", P_PTWO},
	{"smbtree", P_SMB},
	{"snap", P_DATA},
	{"sqlcmd", P_MSSQL},
	{"sqlldr", P_ORACLE},
	{"sqlplus", P_ORACLE},
	{"ssh", P_SHELL_WORDS},
	{"ssh-keygen", P_SSHKEYGEN},
	{"sshpass", P_SSHPASS},
	{"systemctl", P_DATA},
	{"tmux", P_SHELL_WORDS},
	{"type", P_DATA},
	{"unrar", P_SEVENZ},
	{"unzip", P_ZIP},
	{"useradd", P_PTWO},
	{"usermod", P_PTWO},
	{"valkey-cli", P_REDIS},
	{"watch", P_SHELL_WORDS},
	{"whereis", P_DATA},
	{"which", P_DATA},
	{"wlfreerdp", P_FREERDP},
	{"xfreerdp", P_FREERDP},
	{"xfreerdp3", P_FREERDP},
	{"xtrabackup", P_MYSQL},
	{"yum", P_DATA},
	{"zip", P_ZIP},
	{"zipcloak", P_ZIP},
	{"zypper", P_DATA},
};

/* What the next word is. */
enum pend {
	PEND_NONE,
	PEND_SECRET,   /* a secret */
	PEND_KEY,      /* a secret unless it is a path */
	PEND_USERPASS, /* user:secret */
	PEND_SMB,      /* user%secret */
	PEND_SKIP,     /* an option's argument that is no secret */
};

/* -X options that hide a value, per program: ATTACHED only in -Xvalue (mysql's -p alone
 * asks for the password, and the next word is the database), SEPARATE only in -X value
 * (openssl's -k, beside -key and -keyform), BOTH in either. */
enum how { ATTACHED, SEPARATE, BOTH };
enum need { N_ANY, N_LOGIN, N_SECRET };

static const struct shortopt {
	enum prog prog;
	char letter;
	enum how how;
	enum pend pend;
	enum need need;
} shorts[] = {
	{P_MYSQL, 'p', ATTACHED, PEND_SECRET, N_ANY},
	{P_PERCONA, 'p', BOTH, PEND_SECRET, N_ANY},
	{P_PTWO, 'p', BOTH, PEND_SECRET, N_ANY},
	{P_SSHPASS, 'p', BOTH, PEND_SECRET, N_ANY},
	{P_REDIS, 'a', BOTH, PEND_SECRET, N_ANY},
	{P_CURL, 'u', BOTH, PEND_USERPASS, N_ANY},
	{P_CURL, 'U', BOTH, PEND_USERPASS, N_ANY},
	{P_HTTPIE, 'a', BOTH, PEND_USERPASS, N_ANY},
	{P_SMB, 'U', BOTH, PEND_SMB, N_ANY},
	{P_LOGIN, 'p', BOTH, PEND_SECRET, N_LOGIN},
	{P_OPENSSL, 'k', SEPARATE, PEND_SECRET, N_ANY},
	{P_ZIP, 'P', BOTH, PEND_SECRET, N_ANY},
	{P_SEVENZ, 'p', ATTACHED, PEND_SECRET, N_ANY},
	{P_LDAP, 'w', BOTH, PEND_SECRET, N_ANY},
	{P_LDAPPASSWD, 'w', BOTH, PEND_SECRET, N_ANY},
	{P_LDAPPASSWD, 's', BOTH, PEND_SECRET, N_ANY},
	{P_LDAPPASSWD, 'a', BOTH, PEND_SECRET, N_ANY},
	{P_MSSQL, 'P', BOTH, PEND_SECRET, N_ANY},
	{P_SSHKEYGEN, 'N', BOTH, PEND_SECRET, N_ANY},
	{P_SSHKEYGEN, 'P', BOTH, PEND_SECRET, N_ANY},
	{P_GH, 'b', BOTH, PEND_SECRET, N_SECRET},
};

/* What is known of the simple command being read. */
struct ctx {
	enum prog prog;
	enum pend pend;
	bool no_prog;    /* the word before named a user, group or file: not a program */
	bool data;       /* after a package or service manager */
	bool shell_next; /* after -c: the next word is a shell line */
	bool login, secret, set, config; /* subcommand words seen */
	bool htp_b, htp_n;
	unsigned htp_pos;
	bool ora_seen;
	bool stdin_secret; /* it reads a secret from its input: echo SECRET | ... */
};

static int word(struct ctx *c, const struct rtext *w, int depth);

static bool is_alnum_c(char ch)
{
	return ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') || (ch >= '0' && ch <= '9');
}

static bool eqw(const struct rtext *w, const char *s)
{
	return w->n == strlen(s) && memcmp(w->s, s, w->n) == 0;
}

static bool starts(const char *p, size_t n, const char *s)
{
	size_t k = strlen(s);
	return n >= k && memcmp(p, s, k) == 0;
}

static int prog_cmp(const void *key, const void *elem)
{
	const struct rtext *k = key;
	const struct prog_name *p = elem;
	int r = strncmp(k->s, p->name, k->n);
	return r ? r : (p->name[k->n] ? -1 : 0);
}

/* The program a word names: mysql, /usr/bin/mysql, ./bin/mysql; not /var/lib/mysql. */
static enum prog prog_of(const struct rtext *w)
{
	const char *s = w->s;
	size_t n = w->n;

	if (n == 0 || n > 128 || memchr(s, '=', n) || memchr(s, '\0', n))
		return P_NONE;
	const char *slash = memrchr(s, '/', n);
	if (slash) {
		if (slash - s < 3 || memcmp(slash - 3, "bin", 3) != 0)
			return P_NONE;
		n -= (size_t)(slash + 1 - s);
		s = slash + 1;
	}
	if (n > 3 && memcmp(s, "pt-", 3) == 0)
		return P_PERCONA;
	struct rtext key = {.s = s, .n = n};
	const struct prog_name *p =
		bsearch(&key, progs, sizeof progs / sizeof progs[0], sizeof progs[0], prog_cmp);
	return p ? p->prog : P_NONE;
}

static void set_prog(struct ctx *c, enum prog p)
{
	c->prog = p;
	c->login = c->secret = c->set = c->config = false;
	c->htp_b = c->htp_n = false;
	c->htp_pos = 0;
	c->ora_seen = false;
	if (p == P_DATA)
		c->data = true;
	if (p == P_STDIN)
		c->stdin_secret = true;
}

/* Hides the value w->s[v..) of a name of this kind. */
static void hide_value(const struct rtext *w, size_t v, enum rname kind)
{
	if (v < w->n && redact_value_ok(w, v, w->n, kind, true))
		redact_hide(w, v, w->n);
}

/* Hides what follows the first sep at or after v: the password of user:pass. */
static void hide_after(const struct rtext *w, size_t v, char sep)
{
	const char *p = v < w->n ? memchr(w->s + v, sep, w->n - v) : NULL;
	if (p)
		hide_value(w, (size_t)(p - w->s) + 1, RNAME_SECRET);
}

/* docker --secret id=npm,src=FILE: a list of settings, not a secret. */
static bool is_settings(const char *p, size_t n)
{
	static const char *const keys[] = {
		"id=", "src=", "source=", "env=", "type=", "target=", NULL};
	for (const char *const *k = keys; *k; k++)
		if (starts(p, n, *k))
			return true;
	return false;
}

/* The word after --password, -p...: returns false when it is an option instead. */
static bool take_pending(struct ctx *c, const struct rtext *w)
{
	enum pend p = c->pend;
	c->pend = PEND_NONE;
	if (w->n > 1 && w->s[0] == '-')
		return false;
	switch (p) {
	case PEND_SECRET:
	case PEND_KEY:
		if (starts(w->s, w->n, "pass:")) { /* openssl */
			hide_value(w, 5, RNAME_SECRET);
			break;
		}
		if (starts(w->s, w->n, "env:") || starts(w->s, w->n, "file:") ||
		    starts(w->s, w->n, "fd:") || eqw(w, "stdin") || eqw(w, "-") ||
		    is_settings(w->s, w->n))
			break;
		hide_value(w, 0, p == PEND_KEY ? RNAME_KEY : RNAME_SECRET);
		break;
	case PEND_USERPASS:
		hide_after(w, 0, ':');
		break;
	case PEND_SMB:
		hide_after(w, 0, '%');
		break;
	case PEND_NONE:
	case PEND_SKIP:
		break;
	}
	return true;
}

static const struct shortopt *find_short(const struct ctx *c, char letter)
{
	for (size_t i = 0; i < sizeof shorts / sizeof shorts[0]; i++) {
		const struct shortopt *o = &shorts[i];
		if (o->prog != c->prog || o->letter != letter)
			continue;
		if ((o->need == N_LOGIN && !c->login) || (o->need == N_SECRET && !c->secret))
			continue;
		return o;
	}
	return NULL;
}

static void attached(const struct rtext *w, size_t v, enum pend p)
{
	if (p == PEND_USERPASS)
		hide_after(w, v, ':');
	else if (p == PEND_SMB)
		hide_after(w, v, '%');
	else
		hide_value(w, v, p == PEND_KEY ? RNAME_KEY : RNAME_SECRET);
}

/* mysqlsh root:pass@host (a URI without its scheme). */
static void mysql_userinfo(const struct rtext *w, size_t v)
{
	const char *s = w->s + v;
	size_t n = w->n - v;
	const char *colon = memchr(s, ':', n), *at = memrchr(s, '@', n);
	if (!colon || !at || colon == s || at <= colon + 1 || memchr(s, '/', (size_t)(colon - s)))
		return;
	if (!(w->m[colon + 1 - w->s] & RM_EXP))
		redact_hide(w, (size_t)(colon + 1 - w->s), (size_t)(at - w->s));
}

static void long_option(struct ctx *c, const struct rtext *w)
{
	const char *name = w->s + 2, *eq = memchr(name, '=', w->n - 2);
	size_t nn = eq ? (size_t)(eq - name) : w->n - 2, v = eq ? (size_t)(eq + 1 - w->s) : w->n;
	struct rtext nm = {.s = name, .n = nn};

	if (c->prog == P_CURL && (eqw(&nm, "user") || eqw(&nm, "proxy-user"))) {
		if (eq)
			hide_after(w, v, ':');
		else
			c->pend = PEND_USERPASS;
		return;
	}
	if (c->prog == P_SMB && eqw(&nm, "user")) {
		if (eq)
			hide_after(w, v, '%');
		else
			c->pend = PEND_SMB;
		return;
	}
	if (c->prog == P_GH && c->secret && eqw(&nm, "body")) {
		if (eq)
			hide_value(w, v, RNAME_SECRET);
		else
			c->pend = PEND_SECRET;
		return;
	}
	if (eqw(&nm, "command") || (c->prog == P_ANSIBLE && eqw(&nm, "args"))) {
		c->shell_next = !eq;
		return;
	}
	if (eqw(&nm, "password-stdin") || (c->prog == P_PASSWD && eqw(&nm, "stdin")))
		c->stdin_secret = true;
	if (eq) { /* the shapes see --name=value */
		if (c->prog == P_MYSQL)
			mysql_userinfo(w, v);
		return;
	}
	enum rname k = redact_name_kind(name, nn);
	if (k == RNAME_SECRET)
		c->pend = PEND_SECRET;
	else if (k == RNAME_KEY)
		c->pend = PEND_KEY;
}

static void htpasswd_flags(struct ctx *c, const struct rtext *w)
{
	for (size_t i = 1; i < w->n; i++) {
		c->htp_b |= w->s[i] == 'b';
		c->htp_n |= w->s[i] == 'n';
	}
	char last = w->s[w->n - 1];
	if (last == 'C' || last == 'r')
		c->pend = PEND_SKIP;
}

static void short_option(struct ctx *c, const struct rtext *w)
{
	const struct shortopt *o = find_short(c, w->s[1]);
	if (o && w->n > 2 && o->how != SEPARATE) {
		attached(w, 2 + (w->s[2] == '='), o->pend);
		return;
	}
	if (o && w->n == 2) {
		if (o->how != ATTACHED)
			c->pend = o->pend;
		return;
	}
	if (c->prog == P_HTPASSWD) {
		htpasswd_flags(c, w);
		return;
	}
	if (c->prog == P_ANSIBLE && eqw(w, "-a")) {
		c->shell_next = true;
		return;
	}
	/* -c, -lc, -ec: sh, bash, su, flock; the next word is a shell line. */
	if (w->n <= 5 && w->s[w->n - 1] == 'c') {
		bool letters = true;
		for (size_t i = 1; i < w->n; i++)
			letters &= is_alnum_c(w->s[i]) && !(w->s[i] >= '0' && w->s[i] <= '9');
		if (letters) {
			c->shell_next = true;
			return;
		}
	}
	/* -storepass X, -password X, -token X: one dash, a long name. */
	bool name = w->n >= 4;
	for (size_t i = 1; name && i < w->n; i++)
		name = is_alnum_c(w->s[i]) || w->s[i] == '-' || w->s[i] == '_';
	if (name) {
		enum rname k = redact_name_kind(w->s + 1, w->n - 1);
		if (k == RNAME_SECRET)
			c->pend = PEND_SECRET;
		else if (k == RNAME_KEY)
			c->pend = PEND_KEY;
	}
}

/* An option whose argument names a user, group or file: the next word is no program
 * (find / -name mysql -print; sudo -u mysql ls). */
static bool names_next(const struct rtext *w)
{
	static const char *const opts[] = {
		"-name", "-iname", "-path", "-ipath", "-wholename", "-user",  "-group",     "-u",
		"-g",    "-U",     "-l",    "--user", "--group",    "--name", "--username", NULL,
	};
	for (const char *const *o = opts; *o; o++)
		if (eqw(w, *o))
			return true;
	return false;
}

/* -x, --name, --name=value: a name of letters, digits, '_', '.', '-' (not a text that
 * happens to start with a dash: "-----BEGIN ... KEY-----"). */
static bool is_option(const struct rtext *w)
{
	size_t i = w->s[1] == '-' ? 2 : 1;
	if (i >= w->n || !is_alnum_c(w->s[i]))
		return false;
	if (i == 1) /* -pSECRET: anything may follow the letter */
		return true;
	for (; i < w->n && w->s[i] != '='; i++)
		if (!is_alnum_c(w->s[i]) && !strchr("-_.", w->s[i]))
			return false;
	return true;
}

static void option(struct ctx *c, const struct rtext *w)
{
	c->no_prog = names_next(w);
	c->shell_next = false;
	if (!is_option(w))
		return;
	if (w->s[1] == '-')
		long_option(c, w);
	else
		short_option(c, w);
}

/* Whether a word given as a shell line (after -c, to ssh) holds any shell syntax: then it
 * is read as a line, with its quotes. A word with none is one plain word, read as such,
 * with what the words before it said (mysql -c -pSECRET). */
static bool has_syntax(const struct rtext *w)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->s[i] && strchr(" \t\n;|&'\"\\$`<>()", w->s[i]))
			return true;
	return false;
}

/* $( or ` the shell expands inside a quoted word: "$(mysql -p...)". */
static bool has_subst(const struct rtext *w)
{
	for (size_t i = 0; i < w->n; i++)
		if ((w->m[i] & RM_EXP) &&
		    (w->s[i] == '`' || (w->s[i] == '$' && i + 1 < w->n && w->s[i + 1] == '(')))
			return true;
	return false;
}

/* Percona DSN: h=host,u=user,p=SECRET. */
static void percona_dsn(const struct rtext *w)
{
	for (size_t i = 0; i + 1 < w->n; i++) {
		if (w->s[i] != 'p' || w->s[i + 1] != '=' || (i && w->s[i - 1] != ','))
			continue;
		size_t e = i + 2;
		while (e < w->n && w->s[e] != ',')
			e++;
		if (e > i + 2 && !(w->m[i + 2] & RM_EXP))
			redact_hide(w, i + 2, e);
		i = e;
	}
}

/* sqlplus scott/tiger@db, userid=scott/tiger. */
static void oracle_login(struct ctx *c, const struct rtext *w)
{
	size_t v = 0;
	if (w->n > 7 && strncasecmp(w->s, "userid=", 7) == 0)
		v = 7;
	else if (c->ora_seen || w->s[0] == '@')
		return;
	c->ora_seen = true;
	const char *slash = memchr(w->s + v, '/', w->n - v);
	if (!slash || slash == w->s + v)
		return;
	size_t a = (size_t)(slash - w->s) + 1;
	const char *at = memrchr(w->s + a, '@', w->n - a);
	size_t e = at ? (size_t)(at - w->s) : w->n;
	if (e > a && !(w->m[a] & RM_EXP))
		redact_hide(w, a, e);
}

/* The words of a command line (aws configure set NAME VALUE; gh secret set NAME...). */
static void subcommand(struct ctx *c, const struct rtext *w)
{
	if (eqw(w, "login"))
		c->login = true;
	else if (eqw(w, "secret"))
		c->secret = true;
	else if (eqw(w, "set") || eqw(w, "config:set"))
		c->set = true;
	else if (eqw(w, "config") || eqw(w, "configure"))
		c->config = true;
	else if ((c->set || c->config) && !memchr(w->s, '=', w->n) && !memchr(w->s, '-', w->n) &&
		 redact_name_kind(w->s, w->n) >= RNAME_KEY)
		c->pend = PEND_SECRET;
}

static void positional(struct ctx *c, const struct rtext *w)
{
	switch (c->prog) {
	case P_MYSQL:
		mysql_userinfo(w, 0);
		break;
	case P_PERCONA:
		percona_dsn(w);
		break;
	case P_HTPASSWD:
		if (c->htp_b && ++c->htp_pos == (c->htp_n ? 2u : 3u))
			hide_value(w, 0, RNAME_SECRET);
		break;
	case P_ORACLE:
		oracle_login(c, w);
		break;
	case P_FREERDP:
		if (starts(w->s, w->n, "/p:"))
			hide_value(w, 3, RNAME_SECRET);
		break;
	default:
		break;
	}
}

static void bare(struct ctx *c, const struct rtext *w)
{
	bool no_prog = c->no_prog;
	c->no_prog = false;

	enum prog p = no_prog || c->data ? P_NONE : prog_of(w);
	if (p != P_NONE) {
		set_prog(c, p);
		return;
	}
	if (c->prog == P_SSHPASS) /* its command starts */
		c->prog = P_NONE;
	subcommand(c, w);
	positional(c, w);
	redact_shapes(w);
}

/* One word of a simple command, with what the words before it said. */
static int word(struct ctx *c, const struct rtext *w, int depth)
{
	if (c->pend && take_pending(c, w)) {
		redact_shapes(w);
		return 0;
	}
	bool shell = c->shell_next;
	c->shell_next = false;
	if (((shell || c->prog == P_SHELL_WORDS) && has_syntax(w)) || has_subst(w)) {
		struct rtext line = {.s = w->s, .n = w->n, .m = w->m, .shell = true};
		c->no_prog = false;
		return redact_cmd_line(&line, depth + 1);
	}
	if (w->n >= 2 && w->s[0] == '-') {
		option(c, w);
		redact_shapes(w);
		return 0;
	}
	bare(c, w);
	return 0;
}

int redact_cmd_argv(const struct rtext *words, size_t n)
{
	struct ctx c = {0};
	for (size_t i = 0; i < n; i++) {
		int r = word(&c, &words[i], 0);
		if (r < 0)
			return r;
	}
	return 0;
}

int redact_cmd_text(const struct rtext *t)
{
	struct ctx c = {.shell_next = true};
	return word(&c, t, 0);
}

/* ---- the shell line, word by word ---- */

/* A word being read: its bytes without the quotes, where each came from in the line. */
struct lexer {
	const struct rtext *t;
	char *c;
	uint32_t *off;
	uint8_t *cm;
	size_t wn;
	bool quoted; /* '' is a word too */
	struct ctx ctx;
	int depth;
	/* echo SECRET | docker login --password-stdin: what echo or printf prints, as a
	 * stretch of the line (a == b: nothing), for the command after the pipe. */
	unsigned nwords; /* words of the simple command so far */
	bool echo;
	size_t echo_a, echo_b, piped_a, piped_b;
};

static void add(struct lexer *lx, size_t i, uint8_t mark)
{
	lx->c[lx->wn] = lx->t->s[i];
	lx->off[lx->wn] = (uint32_t)i;
	lx->cm[lx->wn] = mark;
	lx->wn++;
}

/* The word's marks onto the line. A hidden stretch covers the quotes and backslashes
 * between its bytes too (they are kept or dropped when the line is written out). */
static void transfer(struct lexer *lx)
{
	uint8_t *m = lx->t->m;
	size_t k = 0;

	while (k < lx->wn) {
		m[lx->off[k]] |= lx->cm[k] & (RM_HIDE | RM_KEEP | RM_ESC);
		if (!(lx->cm[k] & RM_HIDE)) {
			k++;
			continue;
		}
		size_t a = k;
		while (k + 1 < lx->wn && (lx->cm[k + 1] & RM_HIDE)) {
			k++;
			m[lx->off[k]] |= lx->cm[k] & (RM_HIDE | RM_KEEP | RM_ESC);
		}
		for (size_t r = lx->off[a]; r <= lx->off[k]; r++)
			m[r] |= RM_HIDE;
		if (lx->off[a] > 0 && (m[lx->off[a] - 1] & RM_ESC))
			m[lx->off[a] - 1] |= RM_HIDE;
		k++;
	}
}

/* -n, -e, -neE: echo's options, before what it prints. */
static bool echo_option(const struct rtext *w)
{
	if (w->n < 2 || w->s[0] != '-')
		return false;
	for (size_t i = 1; i < w->n; i++)
		if (!strchr("neE", w->s[i]) || !w->s[i])
			return false;
	return true;
}

static void track_echo(struct lexer *lx, const struct rtext *w)
{
	if (lx->nwords++ == 0) {
		lx->echo = eqw(w, "echo") || eqw(w, "printf");
		lx->echo_a = lx->echo_b = 0;
		return;
	}
	if (!lx->echo || w->n == 0 || (lx->echo_a == lx->echo_b && echo_option(w)))
		return;
	if (lx->echo_a == lx->echo_b)
		lx->echo_a = lx->off[0];
	lx->echo_b = lx->off[w->n - 1] + 1;
}

static int flush(struct lexer *lx)
{
	if (lx->wn == 0 && !lx->quoted)
		return 0;
	struct rtext w = {.s = lx->c, .n = lx->wn, .m = lx->cm, .shell = false};
	track_echo(lx, &w);
	int r = word(&lx->ctx, &w, lx->depth);
	transfer(lx);
	memset(lx->cm, 0, lx->wn);
	lx->wn = 0;
	lx->quoted = false;
	return r;
}

/* What echo printed into a command that reads a secret from its input is that secret,
 * unless it is a $reference. */
static void hide_piped(struct lexer *lx)
{
	size_t a = lx->piped_a, b = lx->piped_b;
	for (size_t i = a; i < b; i++)
		if (lx->t->m[i] & RM_EXP)
			return;
	redact_hide(lx->t, a, b);
}

/* The end of a simple command: ; & | ( ) newline $( `. pipe: a '|' (not "||"). */
static int command_end(struct lexer *lx, bool pipe)
{
	int r = flush(lx);
	if (lx->ctx.stdin_secret && lx->piped_b > lx->piped_a)
		hide_piped(lx);
	lx->piped_a = lx->piped_b = 0;
	if (pipe && lx->echo) {
		lx->piped_a = lx->echo_a;
		lx->piped_b = lx->echo_b;
	}
	memset(&lx->ctx, 0, sizeof lx->ctx);
	lx->nwords = 0;
	lx->echo = false;
	return r;
}

static size_t single_quoted(struct lexer *lx, size_t i)
{
	const struct rtext *t = lx->t;
	t->m[i++] |= RM_KEEP;
	lx->quoted = true;
	for (; i < t->n && t->s[i] != '\''; i++)
		add(lx, i, 0);
	if (i < t->n)
		t->m[i++] |= RM_KEEP;
	return i;
}

static size_t double_quoted(struct lexer *lx, size_t i)
{
	const struct rtext *t = lx->t;
	t->m[i++] |= RM_KEEP;
	lx->quoted = true;
	while (i < t->n && t->s[i] != '"') {
		char ch = t->s[i];
		if (ch == '\\' && i + 1 < t->n && strchr("$`\"\\\n", t->s[i + 1])) {
			t->m[i] |= RM_ESC;
			add(lx, i + 1, 0);
			i += 2;
			continue;
		}
		uint8_t mark = (ch == '$' || ch == '`') ? RM_EXP : 0;
		t->m[i] |= mark;
		add(lx, i, mark);
		i++;
	}
	if (i < t->n)
		t->m[i++] |= RM_KEEP;
	return i;
}

static int lex(struct lexer *lx)
{
	const struct rtext *t = lx->t;
	const char *s = t->s;
	size_t i = 0;
	int r = 0;

	while (i < t->n && r >= 0) {
		char ch = s[i];
		if (ch == '\\') {
			if (i + 1 < t->n && s[i + 1] == '\n') { /* a continued line */
				t->m[i] |= RM_KEEP;
				t->m[i + 1] |= RM_KEEP;
			} else if (i + 1 < t->n) {
				t->m[i] |= RM_ESC;
				add(lx, i + 1, 0);
			}
			i += 2;
		} else if (ch == '\'') {
			i = single_quoted(lx, i);
		} else if (ch == '"') {
			i = double_quoted(lx, i);
		} else if (ch == ' ' || ch == '\t' || ch == '\r') {
			r = flush(lx);
			i++;
		} else if (ch == '<' || ch == '>') {
			r = flush(lx);
			i++;
			if (i < t->n && strchr("&<>|", s[i]) && s[i])
				i++;
		} else if (ch == '$' && i + 1 < t->n && s[i + 1] == '(') {
			t->m[i] |= RM_EXP;
			r = command_end(lx, false);
			i += 2;
		} else if (ch == '`') {
			t->m[i] |= RM_EXP;
			r = command_end(lx, false);
			i++;
		} else if (strchr("\n;&|()", ch) && ch) {
			bool pipe = ch == '|' && (i + 1 >= t->n || s[i + 1] != '|') &&
				    (i == 0 || s[i - 1] != '|');
			r = command_end(lx, pipe);
			i++;
		} else {
			uint8_t mark = ch == '$' ? RM_EXP : 0;
			t->m[i] |= mark;
			add(lx, i, mark);
			i++;
		}
	}
	if (r >= 0)
		r = command_end(lx, false);
	return r;
}

int redact_cmd_line(const struct rtext *t, int depth)
{
	if (depth > MAX_DEPTH || t->n == 0) {
		redact_shapes(t);
		return 0;
	}
	if (t->n > UINT32_MAX)
		return -E2BIG;
	struct lexer lx = {.t = t, .depth = depth};
	lx.c = malloc(t->n);
	lx.off = malloc(t->n * sizeof *lx.off);
	lx.cm = calloc(t->n, 1);
	int r = -ENOMEM;
	if (lx.c && lx.off && lx.cm)
		r = lex(&lx);
	free(lx.c);
	free(lx.off);
	free(lx.cm);
	if (r < 0)
		return r;
	redact_shapes_spanning(t);
	return 0;
}
