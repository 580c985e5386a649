/* parse.c: strict validation of one policy file's JSON into rules, reporting every
 * problem rather than the first. The conditions of "match" are parsed in
 * parse-match.c, time windows in time.c.
 *
 * The file format (guard-policy(5) is written from this):
 *
 *   {
 *     "default": "allow",        optional: "allow" or "deny"
 *     "unknown": "confirm",      optional: "allow", "confirm" or "deny"
 *     "rules": [ RULE, ... ]     required; may be empty
 *   }
 *
 * "default" is the verdict when no rule matches (allow when no file sets it); files
 * that set it must agree. "unknown" is the verdict for what guard cannot understand of
 * a command or shell line (an eval, a pipe into sh, a quote left open; see
 * "Understanding a command" in shell.c): confirm when no file sets it; files that set it
 * must agree. A "confirm" asks for the host name as the phrase. RULE is an object:
 *
 *   "id"              required; 1 to 64 of A-Z a-z 0-9 . _ -; unique across all files
 *   "description"     optional non-empty string, for people reading the policy
 *   "match"           required object of conditions; all given must hold; {} matches
 *                     all
 *   "decision"        required: "allow", "confirm", "reason", "approve" or "deny"
 *   "mode"            optional: "enforce" (the default) or "dry-run"
 *   "message"         non-empty string shown to the person, at most 1024 characters;
 *                     required for every decision but "allow"
 *   "runbook"         optional non-empty string, a link shown with the message (at
 *                     most 1024 characters)
 *   "phrase"          "confirm" rules only, optional: what the person must type, 1 to
 *                     128 characters without control characters. Default: the name of
 *                     the deciding host (the literal "yes" if it has none).
 *   "reason_pattern"  "reason" rules only, optional: a POSIX extended regex (at most
 *                     1024 bytes, no back-references) that the justification must
 *                     match; unanchored, as regexec(3) is, so anchor it with ^ and $
 *                     ("^(INC|CHG)-[0-9]+$"). Default "[^[:space:]]": any text that is
 *                     not blank. A justification is at most 1024 bytes without
 *                     control characters; it is recorded with the decision.
 *   "approvers"       "approve" rules only, required: an object
 *                       "group"    required: the group (a name or a decimal gid)
 *                                  whose members may approve
 *                       "count"    optional: how many of them, 1 to 10; default 1
 *                       "expires"  optional: how long the approval stays valid, a
 *                                  whole number and a unit s, m, h or d ("90s", "30m",
 *                                  "2h", "1d"), 1s to 7d; default "30m"
 *
 *   { "id": "prod-apply", "match": { "program": "terraform", "subcommand": "apply" },
 *     "decision": "approve", "message": "Production changes need a second pair of eyes.",
 *     "approvers": { "group": "sre-leads", "count": 1, "expires": "2h" } }
 *
 * Decisions, from least to most restrictive: "allow" runs the command; "confirm" has
 * the person type the phrase first; "reason" has them give a justification; "approve"
 * waits for members of a group to approve this very request; "deny" refuses it. The
 * first matching rule decides, except that a "dry-run" rule never does: when it
 * matches, its would-be decision is recorded with the decision and the evaluation
 * goes on to the following rules (a dry-run rule after the deciding rule is not
 * reached). Every decision carries its rule's message and runbook.
 *
 * Conditions. A list is any-of; where a string is allowed it stands for a list of one;
 * an empty array is an error (it could never match), and so is an empty string.
 * Conditions are checked, and explained, in this order:
 *
 *   "program"     string or array of globs. One with a '/' is a path glob (as in
 *                 "paths", without "~") on the program's path: the path the client
 *                 resolved, else argv[0] made absolute against the cwd when it has a
 *                 '/'. One without is an fnmatch(3) glob on the last component of
 *                 that path or of argv[0]; either matching will do.
 *   "subcommand"  string or array; each string is words separated by spaces
 *                 ("stash drop") that must equal the leading positional words. Words
 *                 do not start with '-'.
 *   "flags"       array; every element must hold; an element is a flag or an array
 *                 of flags (any-of). "-r" is given alone or in a cluster ("-fr");
 *                 "-rf" means "-r" and "-f"; "--force" matches "--force" and
 *                 "--force=X", never "--force-with-lease"; "--context=prod-*" matches
 *                 an argument "--context=VALUE" whose VALUE matches the fnmatch(3)
 *                 glob after the '=' ("--context prod" as two arguments is not seen
 *                 as a value). Only arguments before "--" are flags. A flag has no
 *                 space or control character before any '='.
 *   "args"        array of fnmatch(3) globs in which '*' crosses '/'; holds when some
 *                 positional word matches some glob.
 *   "args_regex"  array of POSIX extended regexes (at most 1024 bytes, no
 *                 back-references); holds when some positional word matches some
 *                 regex. Unanchored, as regexec(3) is: "^-" and "\.sql$" anchor.
 *   "paths"       array of path globs, absolute or starting with "~" ("~", "~/.ssh"
 *                 and "~/.ssh" followed by "/" and "**"), which stands for the home
 *                 directory of the person asking (such a glob never holds when it is
 *                 unknown); without "." or ".." components. Holds when some
 *                 non-empty positional word, taken as a path, matches some glob. A
 *                 word is taken as a path so: "~", "~/x", "$HOME", "$HOME/x",
 *                 "${HOME}" and "${HOME}/x" start at the home directory when it is
 *                 known (the shell expands these, but a quoted or relayed one must
 *                 not slip past a rule; "~user" stays as it is); other words are
 *                 joined to the cwd unless absolute; then the path is canonicalised
 *                 lexically ("//", "." and ".." resolved, no trailing '/', no
 *                 symlinks). '*', '?' and '[...]' match within one component ('*'
 *                 matches a leading '.' too); "**" as a whole component matches zero
 *                 or more components, so a trailing "**" also matches the directory
 *                 it follows.
 *   "paths_mode"  only with "paths": "any" (the default) or "all": with "all",
 *                 "paths" holds when every non-empty positional word matches some
 *                 glob, and there is at least one.
 *   "user"        string or array of user names or decimal uids ("0").
 *   "group"       string or array of group names or decimal gids; holds when the
 *                 primary group or any supplementary group is one of them.
 *   "host"        string or array of fnmatch(3) globs on the deciding host's name,
 *                 ignoring case ("bastion-prod-*"); never holds when it is unknown.
 *   "cwd"         string or array of path globs, as in "paths" ("~" allowed), on the
 *                 client's canonical working directory ("~", "/srv" followed by "/"
 *                 and "**").
 *   "env"         object: each key a variable name ([A-Za-z_][A-Za-z0-9_]*, at most
 *                 128 bytes), each value a glob or an array of globs on the variable's
 *                 value ('*' crosses '/'; an unset variable matches none), true (set,
 *                 to anything), or false (not set). Every variable named must hold.
 *                 Only the variables the client reported are known, the first entry
 *                 of a name counting.  { "KUBE_CONTEXT": "prod-*", "CI": false }
 *   "tty"         true or false: whether the client has a terminal.
 *   "ssh"         true or false: whether the client runs in an ssh session.
 *   "time"        object: a time window (below).
 *   "not"         a match object, not empty; holds when it does not hold (when not all
 *                 of its conditions hold).  "not": { "user": "root" }
 *   "any"         non-empty array of match objects; holds when one of them holds.
 *                 "any": [ { "tty": false }, { "ssh": true } ]
 *
 * Match objects nest inside "not" and "any" at most 8 deep.
 *
 * "time" holds when the instant of the request, as wall-clock time in its zone,
 * is inside every part given:
 *
 *   "tz"     required: a zone of the system's time zone database ("Europe/Berlin",
 *            "UTC"), read when the policy is loaded; an unknown zone is an error
 *   "days"   string or array: "mon", "tue", "wed", "thu", "fri", "sat", "sun", and
 *            ranges "mon-fri", "fri-mon" (wrapping over the end of the week)
 *   "hours"  string or array of ranges "HH:MM-HH:MM", start included, end excluded
 *            ("09:00-17:00" holds at 16:59:59, not at 17:00:00); "24:00" ends the
 *            day; an end before the start wraps past midnight: "22:00-06:00" holds
 *            from 22:00 and before 06:00
 *   "dates"  string or array: "YYYY-MM-DD" and inclusive ranges
 *            "YYYY-MM-DD..YYYY-MM-DD" ("2026-12-20..2027-01-04")
 *
 * At least one of "days", "hours" and "dates" is given; each list is any-of. Each part
 * looks at the local date and time of the instant only: "days": "fri" with "hours":
 * "22:00-06:00" holds on Friday before 06:00 and from 22:00, not early on Saturday
 * (for a night use "any" with two time objects). Across a DST change wall-clock time
 * counts: a time that is skipped (02:30 on a spring-forward day in Europe/Berlin)
 * never occurs, and a time that occurs twice (on a fall-back day) holds both times.
 *
 * Positional words are the arguments after argv[0] that do not start with '-' (a lone
 * "-" is one), and every argument after "--"; the value after an option that takes one
 * is skipped for git, kubectl and systemctl (see command.c). Globs are at most 4096
 * bytes, have no '[' without its ']' and do not end in a lone '\'. Unknown keys
 * anywhere are errors. Errors come in document order, file by file; the checks across
 * files (ids, default) follow. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "policy-internal.h"
#include "regex-cost.h"

#define DEFAULT_REASON_PATTERN "[^[:space:]]"
#define DEFAULT_EXPIRES        (30 * 60)
#define APPROVERS_COUNT_MAX    10
#define EXPIRES_MAX            (7 * 24 * 3600)

static const char *const top_keys[] = {"default", "unknown", "rules", NULL};
static const char *const rule_keys[] = {
	"id",      "description", "match",          "decision",  "mode", "message",
	"runbook", "phrase",      "reason_pattern", "approvers", NULL,
};
static const char *const approvers_keys[] = {"group", "count", "expires", NULL};

void policy_report(struct policy_parser *p, const char *where, const char *fmt, ...)
{
	char *text;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (r < 0) {
		p->r = -ENOMEM;
		return;
	}
	if (where)
		r = policy_errors_addf(p->errs, "%s: %s: %s", p->file, where, text);
	else
		r = policy_errors_addf(p->errs, "%s: %s", p->file, text);
	free(text);
	p->r = policy_worse(p->r, r < 0 ? r : -EINVAL);
}

/* Can never be cut for the sizes a policy file has; marked if it were. */
static const char *mark_cut(char where[POLICY_WHERE_MAX], int n)
{
	if (n >= POLICY_WHERE_MAX)
		memcpy(where + POLICY_WHERE_MAX - 4, "...", 4);
	return where;
}

const char *policy_where_member(char where[POLICY_WHERE_MAX], const char *parent, const char *key)
{
	if (!parent)
		return mark_cut(where, snprintf(where, POLICY_WHERE_MAX, "%s", key));
	return mark_cut(where, snprintf(where, POLICY_WHERE_MAX, "%s.%s", parent, key));
}

const char *policy_where_element(char where[POLICY_WHERE_MAX], const char *parent, size_t i)
{
	return mark_cut(where, snprintf(where, POLICY_WHERE_MAX, "%s[%zu]", parent, i));
}

static bool key_known(const char *key, const char *const *keys)
{
	for (; *keys; keys++)
		if (strcmp(key, *keys) == 0)
			return true;
	return false;
}

void policy_check_keys(struct policy_parser *p, const char *where, json_t *obj,
		       const char *const *keys)
{
	char valid[256] = "";

	for (const char *const *k = keys; *k; k++)
		snprintf(valid + strlen(valid), sizeof(valid) - strlen(valid), "%s%s",
			 k == keys ? "" : ", ", *k);
	for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it)) {
		const char *key = json_object_iter_key(it);
		char q[POLICY_QUOTE_MAX];

		if (key_known(key, keys))
			continue;
		policy_quote(key, q, sizeof(q));
		policy_report(p, where, "unknown key %s (valid: %s)", q, valid);
	}
}

void *policy_parser_alloc(struct policy_parser *p, size_t size)
{
	void *m = policy_arena_alloc(&p->f->arena, size);

	if (!m)
		p->r = -ENOMEM;
	return m;
}

const char *policy_parser_strdup(struct policy_parser *p, const char *s)
{
	char *copy = policy_arena_strdup(&p->f->arena, s);

	if (!copy)
		p->r = -ENOMEM;
	return copy;
}

/* What all the regexes of one file may cost together (regex-cost.h), each counted with
 * what any compiled regex takes: tens of megabytes, where a file of small repeated
 * patterns ("a{4000}", ...) could otherwise make gigabytes. */
#define POLICY_REGEX_FILE_COST_MAX (64 * POLICY_REGEX_COST_MAX)
#define POLICY_REGEX_BASE_COST     48

static const char *regex_problem(struct policy_parser *p, const char *source)
{
	size_t cost;

	if (strlen(source) > POLICY_REGEX_MAX)
		return "it is longer than 1024 bytes";
	if (policy_regex_has_backreference(source))
		return "back-references (\"\\1\") are not allowed";
	/* regcomp() copies what is repeated; stacked repeats multiply ("a+++", "(a{9}){9}"). */
	cost = policy_regex_cost(source);
	if (cost > POLICY_REGEX_COST_MAX)
		return "its repetitions make it too large to compile (at most a{4000} or so)";
	p->regex_cost += cost + POLICY_REGEX_BASE_COST;
	if (p->regex_cost > POLICY_REGEX_FILE_COST_MAX)
		return "the file's regexes together are too large to compile";
	return NULL;
}

struct policy_regex *policy_parser_regex(struct policy_parser *p, const char *where,
					 const char *noun, const char *source)
{
	struct policy_regex *re = policy_parser_alloc(p, sizeof(*re));
	const char *problem = regex_problem(p, source);
	char q[POLICY_QUOTE_MAX], text[256];
	int k;

	if (!re)
		return NULL;
	policy_quote(source, q, sizeof(q));
	if (problem) {
		policy_report(p, where, "invalid %s %s: %s", noun, q, problem);
		return NULL;
	}
	k = regcomp(&re->re, source, REG_EXTENDED | REG_NOSUB);
	if (k == REG_ESPACE) {
		p->r = -ENOMEM;
		return NULL;
	}
	if (k != 0) {
		regerror(k, &re->re, text, sizeof(text));
		policy_report(p, where, "invalid %s %s: %s", noun, q, text);
		return NULL;
	}
	re->source = policy_parser_strdup(p, source);
	re->next = p->f->regexes;
	p->f->regexes = re;
	return re;
}

static json_t *required(struct policy_parser *p, const char *where, json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		policy_report(p, where, "missing key \"%s\"", key);
	return v;
}

/* Characters, not bytes: jansson has checked that strings are valid UTF-8. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* "default": only allow or deny; a human step for every unmatched command is not a
 * default anybody means. */
static bool parse_default(struct policy_parser *p, json_t *v, enum policy_verdict *ret)
{
	enum policy_verdict d;
	char q[POLICY_QUOTE_MAX];

	if (!json_is_string(v)) {
		policy_report(p, "default", "expected \"allow\" or \"deny\"");
		return false;
	}
	if (policy_verdict_from_string(json_string_value(v), &d) == 0 &&
	    (d == POLICY_ALLOW || d == POLICY_DENY)) {
		*ret = d;
		return true;
	}
	policy_quote(json_string_value(v), q, sizeof(q));
	policy_report(p, "default", "unknown decision %s (valid: allow, deny)", q);
	return false;
}

/* "unknown": allow, confirm or deny; the other two need what a rule gives them (a
 * pattern, approvers). */
static bool parse_unknown(struct policy_parser *p, json_t *v, enum policy_verdict *ret)
{
	enum policy_verdict d;
	char q[POLICY_QUOTE_MAX];

	if (!json_is_string(v)) {
		policy_report(p, "unknown", "expected \"allow\", \"confirm\" or \"deny\"");
		return false;
	}
	if (policy_verdict_from_string(json_string_value(v), &d) == 0 &&
	    (d == POLICY_ALLOW || d == POLICY_CONFIRM || d == POLICY_DENY)) {
		*ret = d;
		return true;
	}
	policy_quote(json_string_value(v), q, sizeof(q));
	policy_report(p, "unknown", "unknown decision %s (valid: allow, confirm, deny)", q);
	return false;
}

static bool parse_decision(struct policy_parser *p, const char *where, json_t *v,
			   enum policy_verdict *ret)
{
	char q[POLICY_QUOTE_MAX];

	if (!json_is_string(v)) {
		policy_report(
			p, where,
			"expected \"allow\", \"confirm\", \"reason\", \"approve\" or \"deny\"");
		return false;
	}
	if (policy_verdict_from_string(json_string_value(v), ret) == 0)
		return true;
	policy_quote(json_string_value(v), q, sizeof(q));
	policy_report(p, where,
		      "unknown decision %s (valid: allow, confirm, reason, approve, deny)", q);
	return false;
}

static bool id_valid(const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

	return n >= 1 && n <= POLICY_ID_MAX && s[n] == '\0';
}

static const char *parse_id(struct policy_parser *p, const char *where, json_t *rule)
{
	json_t *v = required(p, where, rule, "id");
	char w[POLICY_WHERE_MAX], q[POLICY_QUOTE_MAX];

	if (!v)
		return NULL;
	policy_where_member(w, where, "id");
	if (!json_is_string(v)) {
		policy_report(p, w, "expected a string");
		return NULL;
	}
	if (!id_valid(json_string_value(v))) {
		policy_quote(json_string_value(v), q, sizeof(q));
		policy_report(p, w,
			      "invalid id %s (use 1 to 64 letters, digits, \".\", \"_\" and \"-\")",
			      q);
		return NULL;
	}
	return policy_parser_strdup(p, json_string_value(v));
}

/* An optional human text: a non-empty string of at most max characters, borrowed from
 * the document (the caller copies what it keeps). */
static const char *text_value(struct policy_parser *p, const char *where, json_t *rule,
			      const char *key, size_t max)
{
	json_t *v = json_object_get(rule, key);
	char w[POLICY_WHERE_MAX];

	if (!v)
		return NULL;
	policy_where_member(w, where, key);
	if (!json_is_string(v)) {
		policy_report(p, w, "expected a string");
		return NULL;
	}
	if (json_string_value(v)[0] == '\0') {
		policy_report(p, w, "empty string");
		return NULL;
	}
	if (utf8_chars(json_string_value(v)) > max) {
		policy_report(p, w, "longer than %zu characters", max);
		return NULL;
	}
	return json_string_value(v);
}

static const char *parse_text(struct policy_parser *p, const char *where, json_t *rule,
			      const char *key, size_t max)
{
	const char *s = text_value(p, where, rule, key, max);

	return s ? policy_parser_strdup(p, s) : NULL;
}

static void parse_mode(struct policy_parser *p, const char *where, json_t *rule,
		       struct policy_rule *r)
{
	json_t *v = json_object_get(rule, "mode");
	char w[POLICY_WHERE_MAX], q[POLICY_QUOTE_MAX];

	if (!v)
		return;
	policy_where_member(w, where, "mode");
	if (!json_is_string(v)) {
		policy_report(p, w, "expected \"enforce\" or \"dry-run\"");
		return;
	}
	if (strcmp(json_string_value(v), "dry-run") == 0) {
		r->dry_run = true;
		return;
	}
	if (strcmp(json_string_value(v), "enforce") == 0)
		return;
	policy_quote(json_string_value(v), q, sizeof(q));
	policy_report(p, w, "unknown mode %s (valid: enforce, dry-run)", q);
}

/* A key that only one decision has: reported on a rule with another (when the rule's
 * decision is known at all). Returns the value when it belongs. */
static json_t *decision_key(struct policy_parser *p, const char *where, json_t *rule,
			    const struct policy_rule *r, bool decided, const char *key,
			    enum policy_verdict owner)
{
	json_t *v = json_object_get(rule, key);
	char w[POLICY_WHERE_MAX];

	if (!v || !decided)
		return NULL;
	if (r->decision != owner) {
		policy_report(p, policy_where_member(w, where, key),
			      "only for \"%s\" rules; this one is \"%s\"",
			      policy_verdict_to_string(owner),
			      policy_verdict_to_string(r->decision));
		return NULL;
	}
	return v;
}

static void parse_phrase(struct policy_parser *p, const char *where, json_t *rule,
			 struct policy_rule *r)
{
	const char *s = text_value(p, where, rule, "phrase", POLICY_PHRASE_MAX);
	char w[POLICY_WHERE_MAX];

	if (!s)
		return;
	if (has_control(s)) {
		/* It is shown, and typed back: neither works with control characters. */
		policy_report(p, policy_where_member(w, where, "phrase"),
			      "it must not have control characters");
		return;
	}
	r->phrase = policy_parser_strdup(p, s);
}

static void parse_reason(struct policy_parser *p, const char *where, json_t *v,
			 struct policy_rule *r)
{
	char w[POLICY_WHERE_MAX];

	if (!v) {
		/* A compiled regex takes kilobytes: one for all the rules that use it. */
		if (!p->f->default_reason)
			p->f->default_reason = policy_parser_regex(p, where, "reason pattern",
								   DEFAULT_REASON_PATTERN);
		r->reason = p->f->default_reason;
		return;
	}
	policy_where_member(w, where, "reason_pattern");
	if (!json_is_string(v)) {
		policy_report(p, w, "expected a string");
		return;
	}
	if (json_string_value(v)[0] == '\0') {
		policy_report(p, w, "empty string");
		return;
	}
	r->reason = policy_parser_regex(p, w, "reason pattern", json_string_value(v));
}

/* "90s", "30m", "2h", "1d": a whole number and a unit. */
static bool parse_duration(const char *s, unsigned *ret)
{
	static const char units[] = "smhd";
	static const unsigned seconds[] = {1, 60, 3600, 86400};
	size_t digits = strspn(s, "0123456789");
	const char *unit;
	unsigned long v = 0;

	if (digits == 0 || digits > 6 || s[digits] == '\0' || s[digits + 1] != '\0' ||
	    !(unit = strchr(units, s[digits])))
		return false;
	for (size_t i = 0; i < digits; i++)
		v = v * 10 + (unsigned long)(s[i] - '0');
	v *= seconds[unit - units];
	if (v < 1 || v > EXPIRES_MAX)
		return false;
	*ret = (unsigned)v;
	return true;
}

static void parse_expires(struct policy_parser *p, const char *where, json_t *v,
			  struct policy_rule *r)
{
	char w[POLICY_WHERE_MAX], q[POLICY_QUOTE_MAX];

	r->approvers_expires = DEFAULT_EXPIRES;
	if (!v)
		return;
	policy_where_member(w, where, "expires");
	if (!json_is_string(v)) {
		policy_report(p, w, "expected a duration (\"90s\", \"30m\", \"2h\", \"1d\")");
		return;
	}
	if (!parse_duration(json_string_value(v), &r->approvers_expires)) {
		policy_quote(json_string_value(v), q, sizeof(q));
		policy_report(p, w,
			      "invalid duration %s (a whole number and s, m, h or d, from 1s to "
			      "7d: \"90s\", \"30m\", \"2h\", \"1d\")",
			      q);
	}
}

static void parse_count(struct policy_parser *p, const char *where, json_t *v,
			struct policy_rule *r)
{
	char w[POLICY_WHERE_MAX];

	r->approvers_count = 1;
	if (!v)
		return;
	policy_where_member(w, where, "count");
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > APPROVERS_COUNT_MAX) {
		policy_report(p, w, "expected a whole number from 1 to %d", APPROVERS_COUNT_MAX);
		return;
	}
	r->approvers_count = (unsigned)json_integer_value(v);
}

/* A group name as the system has them: no spaces, no ':' (the group file's
 * separator), no control characters. */
static bool group_name_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= POLICY_GROUP_MAX && !strpbrk(s, " :") && !has_control(s);
}

static void parse_group(struct policy_parser *p, const char *where, json_t *v,
			struct policy_rule *r)
{
	char w[POLICY_WHERE_MAX], q[POLICY_QUOTE_MAX];
	unsigned long id;

	if (!v)
		return;
	policy_where_member(w, where, "group");
	if (!json_is_string(v)) {
		policy_report(p, w, "expected a string");
		return;
	}
	policy_quote(json_string_value(v), q, sizeof(q));
	if (json_string_value(v)[0] == '\0')
		policy_report(p, w, "empty string");
	else if (!group_name_valid(json_string_value(v)))
		policy_report(p, w,
			      "invalid group %s (a group name or gid: 1 to 256 bytes without "
			      "spaces, \":\" or control characters)",
			      q);
	else if (json_string_value(v)[strspn(json_string_value(v), "0123456789")] == '\0' &&
		 !policy_parse_id(json_string_value(v), &id))
		policy_report(p, w, "invalid group %s: the number is out of range", q);
	else
		r->approvers_group = policy_parser_strdup(p, json_string_value(v));
}

static void parse_approvers(struct policy_parser *p, const char *where, json_t *rule, json_t *v,
			    struct policy_rule *r)
{
	char w[POLICY_WHERE_MAX];

	if (!v) {
		policy_report(p, where,
			      "missing key \"approvers\" (an approve rule names who approves)");
		return;
	}
	policy_where_member(w, where, "approvers");
	if (!json_is_object(v)) {
		policy_report(p, w, "expected an object (\"group\", \"count\", \"expires\")");
		return;
	}
	policy_check_keys(p, w, v, approvers_keys);
	if (required(p, w, v, "group"))
		parse_group(p, w, json_object_get(v, "group"), r);
	parse_count(p, w, json_object_get(v, "count"), r);
	parse_expires(p, w, json_object_get(v, "expires"), r);
}

/* What only some decisions have: a phrase, a reason pattern, approvers. */
static void parse_decision_keys(struct policy_parser *p, const char *where, json_t *j,
				struct policy_rule *r, bool decided)
{
	json_t *v;

	if (decision_key(p, where, j, r, decided, "phrase", POLICY_CONFIRM))
		parse_phrase(p, where, j, r);
	v = decision_key(p, where, j, r, decided, "reason_pattern", POLICY_REASON);
	if (decided && r->decision == POLICY_REASON)
		parse_reason(p, where, v, r);
	v = decision_key(p, where, j, r, decided, "approvers", POLICY_APPROVE);
	if (decided && r->decision == POLICY_APPROVE)
		parse_approvers(p, where, j, v, r);
}

static void parse_rule(struct policy_parser *p, size_t i, json_t *j, struct policy_rule *r)
{
	char where[POLICY_WHERE_MAX], w[POLICY_WHERE_MAX];
	json_t *decision;
	bool decided = false;

	r->index = i;
	r->file = p->file;
	policy_where_element(where, "rules", i);
	if (!json_is_object(j)) {
		policy_report(p, where, "expected an object");
		return;
	}
	policy_check_keys(p, where, j, rule_keys);
	r->id = parse_id(p, where, j);
	/* guard --list shows it. */
	r->description = parse_text(p, where, j, "description", SIZE_MAX);
	if (required(p, where, j, "match"))
		policy_parse_match(p, policy_where_member(w, where, "match"),
				   json_object_get(j, "match"), &r->match, 0);
	decision = required(p, where, j, "decision");
	if (decision)
		decided = parse_decision(p, policy_where_member(w, where, "decision"), decision,
					 &r->decision);
	parse_mode(p, where, j, r);
	r->message = parse_text(p, where, j, "message", POLICY_MESSAGE_MAX);
	if (decided && r->decision != POLICY_ALLOW && !json_object_get(j, "message"))
		policy_report(p, where,
			      "missing key \"message\" (%s %s rule must tell the person why)",
			      r->decision == POLICY_APPROVE ? "an" : "a",
			      policy_verdict_to_string(r->decision));
	r->runbook = parse_text(p, where, j, "runbook", POLICY_RUNBOOK_MAX);
	parse_decision_keys(p, where, j, r, decided);
}

static void parse_rules(struct policy_parser *p, json_t *rules, struct policy_file *f)
{
	size_t n = json_array_size(rules);

	/* One element more than needed, so that an empty array is not a failed allocation. */
	f->rules = policy_parser_alloc(p, (n + 1) * sizeof(*f->rules));
	if (!f->rules)
		return;
	f->n_rules = n;
	for (size_t i = 0; i < n; i++)
		parse_rule(p, i, json_array_get(rules, i), &f->rules[i]);
}

static void parse_top(struct policy_parser *p, json_t *doc, struct policy_file *f)
{
	json_t *def = json_object_get(doc, "default"), *rules = json_object_get(doc, "rules");
	json_t *unknown = json_object_get(doc, "unknown");

	if (!json_is_object(doc)) {
		policy_report(p, NULL, "expected an object at the top level");
		return;
	}
	policy_check_keys(p, NULL, doc, top_keys);
	if (def)
		f->has_default = parse_default(p, def, &f->default_verdict);
	if (unknown)
		f->has_unknown = parse_unknown(p, unknown, &f->unknown_verdict);
	if (!rules) {
		policy_report(p, NULL, "missing key \"rules\"");
		return;
	}
	if (!json_is_array(rules)) {
		policy_report(p, "rules", "expected an array of rules");
		return;
	}
	parse_rules(p, rules, f);
}

static void syntax_error(struct policy_parser *p, json_error_t *je)
{
	if (json_error_code(je) == json_error_out_of_memory) {
		p->r = -ENOMEM;
		return;
	}
	int r = policy_errors_add_syntax(p->errs, p->file, je->line, je->column, je->text);
	p->r = policy_worse(p->r, r < 0 ? r : -EINVAL);
}

int policy_parse_file(const char *data, size_t size, struct policy_errors *errs,
		      struct policy_file *f)
{
	struct policy_parser p = {.file = f->path, .errs = errs, .f = f};
	json_error_t je;
	json_t *doc;

	doc = json_loadb(data, size, JSON_REJECT_DUPLICATES, &je);
	if (!doc)
		syntax_error(&p, &je);
	else
		parse_top(&p, doc, f);
	/* Everything kept was copied into the arena: the document, several times the size
	 * of the rules, can go. */
	json_decref(doc);
	return p.r;
}

void policy_file_done(struct policy_file *f)
{
	for (struct policy_regex *re = f->regexes; re; re = re->next)
		regfree(&re->re);
	for (struct policy_zone *z = f->zones; z; z = z->next)
		policy_tz_free(z->tz);
	policy_arena_free(&f->arena);
	free(f->path);
	*f = (struct policy_file){0};
}

bool policy_parse_id(const char *s, unsigned long *ret)
{
	unsigned long v = 0;

	if (s[0] == '\0' || strlen(s) > 10 || s[strspn(s, "0123456789")] != '\0')
		return false;
	for (; *s; s++)
		v = v * 10 + (unsigned long)(*s - '0');
	/* (uid_t)-1 means "no id" to the kernel; nobody has it. */
	if (v >= UINT32_MAX)
		return false;
	*ret = v;
	return true;
}
