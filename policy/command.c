/* command.c: what a rule needs to know about a part of a request: the program's names,
 * the flags given before "--", the positional words (canonicalised as paths too, and
 * what the shell analyser knows of their values), the cwd and home directory as paths,
 * the host, and the environment. */
#include <errno.h>
#include <fnmatch.h>
#include <string.h>

#include "shell.h"

static const char *const git_value_options[] = {
	"-C", "-c", "--git-dir", "--work-tree", "--namespace", NULL,
};
static const char *const kubectl_value_options[] = {
	"-n", "--namespace", "--context",    "--cluster", "--user",
	"-s", "--server",    "--kubeconfig", NULL,
};
static const char *const systemctl_value_options[] = {
	"-H", "--host", "-M", "--machine", NULL,
};

/* Options of a few well-known programs that take their value as the next argument,
 * which must not be taken for a positional word: "git -C /x push" pushes, and
 * "kubectl -n prod delete ns x" deletes. A fuller treatment, knowing each program's
 * option grammar, comes with the shell analyser. leading: the program reads these
 * options only before its subcommand (git's "-C" means something else after it). */
static const struct value_options {
	const char *program;
	const char *const *options;
	bool leading;
} value_options_table[] = {
	{"git", git_value_options, true},
	{"kubectl", kubectl_value_options, false},
	{"systemctl", systemctl_value_options, false},
};

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static const struct value_options *value_options_find(const struct policy_command *c)
{
	for (size_t i = 0; i < sizeof(value_options_table) / sizeof(value_options_table[0]); i++) {
		const char *program = value_options_table[i].program;

		if (strcmp(c->name, program) == 0 ||
		    (c->program_name && strcmp(c->program_name, program) == 0))
			return &value_options_table[i];
	}
	return NULL;
}

static bool takes_value(const struct value_options *vo, const char *arg, size_t n_words)
{
	if (!vo || (vo->leading && n_words > 0))
		return false;
	for (const char *const *o = vo->options; *o; o++)
		if (strcmp(*o, arg) == 0)
			return true;
	return false;
}

static void shorts_add(struct policy_command *c, const char *letters)
{
	for (const unsigned char *l = (const unsigned char *)letters; *l; l++) {
		c->shorts[*l / 64] |= UINT64_C(1) << (*l % 64);
		c->present |= policy_feature(POLICY_FEATURE_SHORT, (const char *)l, 1);
	}
}

static void long_add(struct policy_command *c, size_t i)
{
	const char *a = c->argv[i];

	c->longs[c->n_longs++] = i;
	c->present |= policy_feature(POLICY_FEATURE_LONG, a, strcspn(a, "="));
}

static bool shorts_has(const struct policy_command *c, unsigned char l)
{
	return c->shorts[l / 64] & (UINT64_C(1) << (l % 64));
}

bool policy_command_has_letter(const struct policy_command *c, const struct policy_flags *f)
{
	return (c->shorts[0] & f->letters[0]) | (c->shorts[1] & f->letters[1]) |
	       (c->shorts[2] & f->letters[2]) | (c->shorts[3] & f->letters[3]);
}

/* What the shell analyser knows of argument i's value: POLICY_WORD_* (0: literal). */
static unsigned word_flags(const struct policy_command *c, size_t i)
{
	const struct policy_part *part = c->part;

	return part->words ? part->words[i].flags : 0;
}

static void word_add(struct policy_command *c, size_t i)
{
	if (c->word_flags)
		c->word_flags[c->n_words] = word_flags(c, i);
	c->words[c->n_words++] = i;
}

/* Sorts argv[1..] into positional words, long options and short option letters. A
 * lone "-" is a word (it names stdin); after "--" everything is. */
static void scan(struct policy_command *c)
{
	const struct value_options *vo = value_options_find(c);
	bool options = true;

	for (size_t i = 1; i < c->argc; i++) {
		const char *a = c->argv[i];

		if (options && strcmp(a, "--") == 0 && !word_flags(c, i)) {
			options = false;
			continue;
		}
		if (!options || a[0] != '-' || a[1] == '\0') {
			word_add(c, i);
			continue;
		}
		/* "-$X": some option, which one is not known; not taken for any. */
		if (word_flags(c, i) & POLICY_WORD_UNKNOWN)
			continue;
		if (a[1] == '-')
			long_add(c, i);
		else
			shorts_add(c, a + 1);
		if (takes_value(vo, a, c->n_words))
			i++;
	}
}

/* The program as a canonical path: the client's resolved path, else argv[0] when it
 * names a path itself ("./deploy", "/bin/rm"), else unknown. */
static int program_split(const struct policy_part *part, struct policy_path *ret)
{
	if (part->program)
		return policy_path_split("/", part->program, ret);
	if (strchr(part->argv[0], '/') && (part->argv[0][0] == '/' || part->cwd))
		return policy_path_split(part->cwd ? part->cwd : "/", part->argv[0], ret);
	return 0;
}

/* The last component of a split path, "" for "/". */
static const char *last_component(const struct policy_path *path)
{
	const char *p = path->buf;

	for (size_t i = 1; i < path->n; i++)
		p += strlen(p) + 1;
	return p;
}

/* The part of w after a leading "~", "$HOME" or "${HOME}" that names the home
 * directory, or NULL. The shell expands these before guard sees them, but a line
 * passed on unexpanded or quoted must not slip past a rule about the home directory;
 * taking it for the home directory is the safe side. "~user" stays literal. */
static const char *home_rest(const char *w)
{
	static const char *const prefixes[] = {"~", "$HOME", "${HOME}"};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);

		if (strncmp(w, prefixes[i], n) == 0 && (w[n] == '\0' || w[n] == '/'))
			return w + n + strspn(w + n, "/");
	}
	return NULL;
}

/* A pattern made absolute: the cwd's own glob characters are escaped. */
static int pattern_split(const char *cwd, const char *pattern, struct policy_path *ret)
{
	char *joined = malloc(2 * strlen(cwd) + strlen(pattern) + 2), *o = joined;
	int r;

	if (!joined)
		return -ENOMEM;
	for (const char *s = cwd; *s; s++) {
		if (strchr("*?[\\", *s))
			*o++ = '\\';
		*o++ = *s;
	}
	*o++ = '/';
	strcpy(o, pattern);
	r = policy_path_split("/", joined, ret);
	free(joined);
	return r;
}

/* A word of the shell analyser: its pattern for glob words and find's "{}"; nothing
 * for a word not known, or relative to a directory not known, which then is not known
 * either. */
static int word_value_split(struct policy_command *c, size_t k, const struct policy_word *w,
			    const char *text)
{
	const char *path = w->flags & (POLICY_WORD_GLOB | POLICY_WORD_BELOW) ? w->pattern : text;

	if (!path || (!(w->flags & POLICY_WORD_UNKNOWN) && path[0] != '/' && c->cwd_unknown))
		c->word_flags[k] = POLICY_WORD_UNKNOWN;
	if (c->word_flags[k] & POLICY_WORD_UNKNOWN)
		return 0;
	if (path[0] == '/' || !(w->flags & POLICY_WORD_GLOB))
		return policy_path_split(c->part->cwd ? c->part->cwd : "/", path, &c->paths[k]);
	return pattern_split(c->part->cwd, path, &c->paths[k]);
}

static int word_split(struct policy_command *c, size_t k, const char *w, struct policy_path *ret)
{
	const char *home = c->req->home;
	const char *rest = c->part->verbatim && home && home[0] == '/' ? home_rest(w) : NULL;

	if (c->word_flags && c->word_flags[k])
		return word_value_split(c, k, &c->part->words[c->words[k]], w);
	if (rest)
		return policy_path_split(home, rest, ret);
	if (w[0] != '/' && c->cwd_unknown) {
		c->word_flags[k] = POLICY_WORD_UNKNOWN;
		return 0;
	}
	return policy_path_split(c->cwd_text, w, ret);
}

static int words_split(struct policy_command *c)
{
	for (size_t k = 0; k < c->n_words; k++) {
		const char *w = c->argv[c->words[k]];
		int r;

		/* "" names no file; made absolute it would become the cwd itself. */
		if (w[0] == '\0' && !c->word_flags)
			continue;
		if (w[0] == '\0' && !c->word_flags[k])
			continue;
		r = word_split(c, k, w, &c->paths[k]);
		if (r < 0)
			return r;
		if (!c->paths[k].buf)
			continue;
		/* The split path starts with its first component, "" for "/". */
		c->present |= policy_feature(POLICY_FEATURE_PATH, c->paths[k].buf,
					     strlen(c->paths[k].buf));
	}
	return 0;
}

/* The places a rule may name: the cwd, and the home directory when it is known (an
 * account without one, or with a relative one, has none; over ssh, it is another). */
static int places_split(struct policy_command *c)
{
	const char *home = c->req->home;
	int r = policy_path_split("/", c->cwd_text, &c->cwd);

	if (r < 0 || !home || home[0] != '/' || c->part->remote)
		return r;
	return policy_path_split("/", home, &c->home);
}

/* What the analyser could not know may be anything: every feature may be there. */
static void loose_features(struct policy_command *c)
{
	bool unknown = c->cwd_unknown || c->host_unknown;

	for (size_t k = 0; !unknown && c->word_flags && k < c->n_words; k++)
		unknown = c->word_flags[k] != 0;
	if (unknown)
		c->present = ~UINT64_C(0);
}

/* What the request has beyond its options, for the rules' needs. */
static void features_add(struct policy_command *c)
{
	const struct policy_request *req = c->req;

	if (c->n_words) {
		const char *w = c->argv[c->words[0]];

		c->present |= policy_feature(POLICY_FEATURE_WORD, w, strlen(w));
	}
	if (req->tty)
		c->present |= policy_feature(POLICY_FEATURE_TTY, "", 0);
	if (req->ssh)
		c->present |= policy_feature(POLICY_FEATURE_SSH, "", 0);
	for (size_t i = 0; i < req->n_env; i++) {
		const char *eq = strchr(req->env[i], '=');

		if (eq)
			c->present |= policy_feature(POLICY_FEATURE_ENV, req->env[i],
						     (size_t)(eq - req->env[i]));
	}
}

int policy_command_parse(const struct policy_request *req, const struct policy_part *part,
			 struct policy_command *ret)
{
	struct policy_command c = {
		.req = req,
		.part = part,
		.argv = part->argv,
		.argc = part->argc,
		.cwd_unknown = !part->cwd,
		.cwd_text = part->cwd ? part->cwd : req->cwd,
		.host = part->host ? part->host : req->host,
		.host_unknown = part->host_unknown,
	};
	int r;

	c.name = base_name(part->argv[0]);
	r = program_split(part, &c.program);
	if (r < 0)
		return r;
	if (c.program.buf)
		c.program_name = last_component(&c.program);
	c.words = calloc(part->argc, sizeof(*c.words));
	c.longs = calloc(part->argc, sizeof(*c.longs));
	c.paths = calloc(part->argc, sizeof(*c.paths));
	if (part->words || c.cwd_unknown)
		c.word_flags = calloc(part->argc, sizeof(*c.word_flags));
	if (!c.words || !c.longs || !c.paths || ((part->words || c.cwd_unknown) && !c.word_flags)) {
		policy_command_done(&c);
		return -ENOMEM;
	}
	scan(&c);
	features_add(&c);
	r = places_split(&c);
	if (r >= 0)
		r = words_split(&c);
	if (r < 0) {
		policy_command_done(&c);
		return r;
	}
	loose_features(&c);
	*ret = c;
	return 0;
}

void policy_command_done(struct policy_command *c)
{
	if (c->paths)
		for (size_t k = 0; k < c->n_words; k++)
			free(c->paths[k].buf);
	free(c->paths);
	free(c->words);
	free(c->word_flags);
	free(c->longs);
	free(c->program.buf);
	free(c->cwd.buf);
	free(c->home.buf);
	*c = (struct policy_command){0};
}

/* "--opt=GLOB": an "--opt=VALUE" argument whose value matches the glob. */
static bool has_value(const struct policy_command *c, const char *flag, const char *eq)
{
	size_t n = (size_t)(eq - flag) + 1;

	for (size_t i = 0; i < c->n_longs; i++) {
		const char *a = c->argv[c->longs[i]];

		if (strncmp(a, flag, n) == 0 && fnmatch(eq + 1, a + n, 0) == 0)
			return true;
	}
	return false;
}

bool policy_command_has_flag(const struct policy_command *c, const char *flag)
{
	if (flag[1] == '-') {
		const char *eq = strchr(flag, '=');
		size_t n = strlen(flag);

		if (eq)
			return has_value(c, flag, eq);
		/* "--force" is also "--force=yes", never "--force-with-lease". */
		for (size_t i = 0; i < c->n_longs; i++) {
			const char *a = c->argv[c->longs[i]];

			if (strncmp(a, flag, n) == 0 && (a[n] == '\0' || a[n] == '='))
				return true;
		}
		return false;
	}
	for (const unsigned char *l = (const unsigned char *)flag + 1; *l; l++)
		if (!shorts_has(c, *l))
			return false;
	return true;
}

bool policy_command_has_subcommand(const struct policy_command *c, const char *words, bool loose)
{
	for (size_t k = 0;; k++) {
		size_t len;
		const char *a;

		words += strspn(words, " ");
		len = strcspn(words, " ");
		if (len == 0)
			return true;
		if (k >= c->n_words)
			return false;
		a = c->argv[c->words[k]];
		if (c->word_flags && c->word_flags[k]) {
			/* What it is is not known: it may be the word, or not. */
			if (!loose)
				return false;
		} else if (strlen(a) != len || memcmp(a, words, len) != 0) {
			return false;
		}
		words += len;
	}
}

/* The value glob of "--opt=GLOB". */
static const char *value_glob_problem(const char *glob)
{
	if (glob[0] == '\0')
		return "the glob after \"=\" is empty (\"--context=prod-*\"; \"--opt\" alone "
		       "matches any value)";
	return policy_glob_problem(glob);
}

const char *policy_flag_problem(const char *flag)
{
	bool is_long = flag[1] == '-';
	const char *eq = strchr(flag, '=');

	if (flag[0] != '-')
		return "a flag starts with \"-\" (\"-r\", \"--recursive\")";
	if (strcmp(flag, "-") == 0 || strcmp(flag, "--") == 0 || (is_long && eq == flag + 2))
		return "\"-\" and \"--\" are not flags";
	if (eq && !is_long)
		return "only a long option takes a value glob (\"--opt=GLOB\")";
	for (const unsigned char *l = (const unsigned char *)flag + (is_long ? 2 : 1);
	     *l && (!eq || l < (const unsigned char *)eq); l++) {
		if (*l <= ' ' || *l == 0x7f)
			return "a flag has no spaces or control characters";
		if (*l == '-' && !is_long)
			return "a short flag cluster (\"-rf\") has no \"-\" after the first";
	}
	return eq ? value_glob_problem(eq + 1) : NULL;
}

const char *policy_command_getenv(const struct policy_command *c, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < c->req->n_env; i++) {
		const char *e = c->req->env[i];

		if (strncmp(e, name, n) == 0 && e[n] == '=')
			return e + n + 1;
	}
	return NULL;
}
