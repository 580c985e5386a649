/* test-present.c: what the person sees: colour only on a terminal without NO_COLOR (and
 * not for TERM=dumb); text from a policy or a peer never drives the terminal; the
 * decision lines keep the wording people and scripts grep for, with or without colour;
 * and guard --list groups rules by decision, refusals first. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listing.h"
#include "present.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

struct color_case {
	bool tty;
	const char *no_color, *term;
	bool want;
};

static const struct color_case color_cases[] = {
	{true, NULL, "xterm-256color", true},
	{true, NULL, NULL, true},
	{true, "", "xterm", true}, /* no-color.org: set and not empty */
	{true, "1", "xterm", false},
	{true, "0", "xterm", false},
	{true, NULL, "dumb", false},
	{false, NULL, "xterm", false},
	{false, "1", "xterm", false},
};

START_TEST(color_case_decides)
{
	const struct color_case *c = &color_cases[_i];

	ck_assert_int_eq(present_color_for(c->tty, c->no_color, c->term), c->want);
}
END_TEST

struct clean_case {
	const char *in, *out;
};

static const struct clean_case clean_cases[] = {
	{"plain text", "plain text"},
	{"\033[31mred\033[0m", "?[31mred?[0m"},
	{"a\nb\rc\td", "a?b?c?d"},
	{"del\x7f", "del?"},
	{"c1 \xc2\x9b"
	 "31m",
	 "c1 ?31m"},                                          /* U+009B, CSI on some terminals */
	{"caf\xc3\xa9 \xc2\xa0ok", "caf\xc3\xa9 \xc2\xa0ok"}, /* é and a no-break space stay */
	{"", ""},
};

START_TEST(clean_case_is_harmless)
{
	char buf[64];

	ck_assert_str_eq(present_clean(clean_cases[_i].in, buf, sizeof(buf)), clean_cases[_i].out);
}
END_TEST

START_TEST(clean_cuts_at_a_character)
{
	char buf[10];

	/* 6 bytes, "..." and the NUL fill 10: the fourth \xc3\xa9 does not fit whole. */
	ck_assert_str_eq(present_clean("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9xyz", buf, sizeof(buf)),
			 "\xc3\xa9\xc3\xa9\xc3\xa9...");
	ck_assert_str_eq(present_clean("abcdefghijkl", buf, sizeof(buf)), "abcdef...");
}
END_TEST

/* What present_decision writes for params, coloured or not. */
static char *render(const char *params_json, const char *what, bool color)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);
	json_t *params = json_loads(params_json, 0, NULL);
	struct present p = {.f = f, .prefix = "guard: ", .color = color};

	ck_assert_ptr_nonnull(params);
	present_decision(&p, params, what);
	present_next_step(&p, params);
	fclose(f);
	json_decref(params);
	return out;
}

START_TEST(deny_names_rule_message_and_run_book)
{
	char *out = render("{\"decision\":\"deny\",\"rule\":\"db-data\",\"message\":\"Use the run "
			   "book.\",\"runbook\":\"https://wiki.example/db\"}",
			   "denied", false);

	ck_assert_str_eq(out, "guard: denied by rule db-data: Use the run book.\n"
			      "guard: run book: https://wiki.example/db\n");
	free(out);
}
END_TEST

START_TEST(colour_wraps_the_same_words)
{
	char *out = render("{\"decision\":\"deny\",\"rule\":\"db-data\",\"message\":\"m\"}",
			   "denied", true);

	ck_assert_str_eq(out, "guard: \033[1;31mdenied by rule db-data: m\033[0m\n");
	free(out);
}
END_TEST

START_TEST(steps_say_how_to_go_on)
{
	char *out = render("{\"decision\":\"confirm\",\"rule\":\"c\",\"message\":\"m\","
			   "\"phrase\":\"web-1\"}",
			   "confirmation asked", false);

	ck_assert_ptr_nonnull(strstr(out, "guard: to confirm, type: web-1\n"));
	ck_assert_ptr_nonnull(strstr(out, "guard: to go on: type the phrase on a terminal, or run "
					  "again with --confirm 'web-1'\n"));
	free(out);
	out = render("{\"decision\":\"reason\",\"rule\":\"r\",\"message\":\"m\","
		     "\"reason_pattern\":\"^INC-[0-9]+$\"}",
		     "reason asked", false);
	ck_assert_ptr_nonnull(strstr(out, "guard: a reason must match: ^INC-[0-9]+$\n"));
	ck_assert_ptr_nonnull(strstr(out, "--reason TEXT"));
	free(out);
}
END_TEST

START_TEST(peer_text_cannot_drive_the_terminal)
{
	char *out = render("{\"decision\":\"deny\",\"rule\":\"x\\u001b]0;owned\\u0007\","
			   "\"message\":\"\\u001b[2Jcleared\",\"part\":\"rm\\n-rf\"}",
			   "denied", false);

	ck_assert_ptr_null(strchr(out, '\033'));
	ck_assert_ptr_nonnull(strstr(out, "?[2Jcleared"));
	ck_assert_ptr_nonnull(strstr(out, "the part that decided: rm?-rf\n"));
	free(out);
}
END_TEST

START_TEST(list_groups_refusals_first)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);
	struct present p = {.f = f, .prefix = "", .color = false};
	json_t *params = json_loads(
		"{\"context\":{\"uid\":1000,\"user\":\"alice\",\"host\":\"web-1\",\"cwd\":\"/"
		"srv\"},"
		"\"default\":\"allow\",\"unknown\":\"confirm\",\"left_out\":0,\"rules\":["
		"{\"rule\":\"a-allow\",\"decision\":\"allow\",\"mode\":\"enforce\","
		"\"command\":\"program ls\"},"
		"{\"rule\":\"b-deny\",\"decision\":\"deny\",\"mode\":\"enforce\",\"description\":"
		"\"No rm of /\",\"message\":\"Never.\",\"runbook\":\"https://r\","
		"\"command\":\"program rm\",\"context\":\"on host web-*\"},"
		"{\"rule\":\"c-watch\",\"decision\":\"deny\",\"mode\":\"dry-run\",\"message\":"
		"\"w\","
		"\"command\":\"program mv\"}]}",
		0, NULL);

	ck_assert_ptr_nonnull(params);
	listing_print(&p, params);
	fclose(f);
	json_decref(params);
	ck_assert_ptr_nonnull(strstr(out, "Rules that apply to alice (uid 1000) on web-1 in /srv"));
	char *deny = strstr(out, "Denied:\n  b-deny: No rm of /\n"),
	     *allow = strstr(out, "Allowed:");
	char *watch = strstr(out, "Watched, not enforced");
	ck_assert_ptr_nonnull(deny);
	ck_assert_ptr_nonnull(allow);
	ck_assert_ptr_nonnull(watch);
	ck_assert(deny < allow && allow < watch);
	ck_assert_ptr_nonnull(strstr(out, "      command: program rm\n      only on host web-*\n"
					  "      says: Never.\n      run book: https://r\n"));
	ck_assert_ptr_nonnull(strstr(out, "  c-watch: w\n      command: program mv\n"
					  "      would be: deny\n"));
	ck_assert_ptr_nonnull(strstr(out, "Anything else: allow"));
	free(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("present");
	TCase *tc = tcase_create("present");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, color_case_decides, 0, N(color_cases));
	tcase_add_loop_test(tc, clean_case_is_harmless, 0, N(clean_cases));
	tcase_add_test(tc, clean_cuts_at_a_character);
	tcase_add_test(tc, deny_names_rule_message_and_run_book);
	tcase_add_test(tc, colour_wraps_the_same_words);
	tcase_add_test(tc, steps_say_how_to_go_on);
	tcase_add_test(tc, peer_text_cannot_drive_the_terminal);
	tcase_add_test(tc, list_groups_refusals_first);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
