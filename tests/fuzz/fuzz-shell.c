/* fuzz-shell.c: libFuzzer harness for the shell analyser. An input is a shell line
 * analysed and judged against a small policy, or, when it starts with a 0x01 byte, an
 * argv request (NUL-separated words) unwrapped and judged. Either way every part is
 * shown as text too. Build with -Dfuzz=true and clang (see tests/fuzz/meson.build). */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guard/policy.h"
#include "policy/shell.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Rules that reach every kind of comparison: paths with "**" and "~", args, a regex,
 * subcommands, cwd, host, "not", and a rule for redirections. */
static const char policy_text[] =
	"{\"unknown\":\"confirm\",\"rules\":["
	"{\"id\":\"a\",\"match\":{\"program\":\"rm\",\"paths\":[\"/tmp/**\"],"
	"\"paths_mode\":\"all\"},\"decision\":\"allow\"},"
	"{\"id\":\"b\",\"match\":{\"program\":[\"rm\",\"/bin/*\"],\"flags\":[[\"-r\",\"-R\"]],"
	"\"paths\":[\"/\",\"/*\",\"~\",\"~/.ssh/**\",\"/e[tx]c/**\"]},\"decision\":\"deny\","
	"\"message\":\"m\"},"
	"{\"id\":\"c\",\"match\":{\"program\":\"dd\",\"args\":[\"of=/dev/*\"]},\"decision\":"
	"\"deny\",\"message\":\"m\"},"
	"{\"id\":\"d\",\"match\":{\"args_regex\":[\"^drop\"],\"subcommand\":\"x y\"},"
	"\"decision\":\"reason\",\"message\":\"m\"},"
	"{\"id\":\"e\",\"match\":{\"program\":\">\",\"paths\":[\"/dev/sd*\"]},\"decision\":"
	"\"deny\",\"message\":\"m\"},"
	"{\"id\":\"f\",\"match\":{\"cwd\":\"/\",\"host\":\"prod-*\",\"not\":{\"paths\":"
	"[\"/srv/**\"]}},\"decision\":\"confirm\",\"message\":\"m\",\"mode\":\"dry-run\"},"
	"{\"id\":\"g\",\"match\":{\"program\":\"git\",\"subcommand\":\"push\"},\"decision\":"
	"\"approve\",\"message\":\"m\",\"approvers\":{\"group\":\"x\"}}"
	"]}";

static struct policy *policy;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/guard-fuzz-XXXXXX", file[64];
	struct policy_errors errs = {0};
	int fd;

	if (!mkdtemp(dir) || chmod(dir, 0755) < 0)
		abort();
	snprintf(file, sizeof(file), "%s/10-fuzz.json", dir);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, policy_text, strlen(policy_text)) < 0 || fchmod(fd, 0644) < 0)
		abort();
	close(fd);
	if (policy_load_dir(dir, &errs, &policy) < 0) {
		fprintf(stderr, "fuzz-shell: %s\n", errs.n ? errs.lines[0] : "cannot load");
		abort();
	}
	unlink(file);
	rmdir(dir);
	return 0;
}

static struct policy_request request(void)
{
	static const char *const env[] = {"HOME=/home/u", "D=/srv/d"};

	return (struct policy_request){
		.cwd = "/w",
		.home = "/home/u",
		.host = "prod-1",
		.env = env,
		.n_env = 2,
		.now = 1700000000,
	};
}

static void show(const struct policy_parts *parts)
{
	char text[POLICY_PART_TEXT_MAX];

	for (size_t i = 0; i < parts->n; i++) {
		policy_part_text(&parts->v[i], text, sizeof(text));
		if (strlen(text) >= sizeof(text))
			abort();
	}
}

static void line(const char *text)
{
	struct policy_request req = request();
	struct policy_decision d;
	struct policy_parts parts;

	if (policy_shell_line(&req, text, &parts) == 0) {
		show(&parts);
		policy_parts_done(&parts);
	}
	if (policy_evaluate_line(policy, &req, text, &d) == 0 && !d.message)
		abort();
}

/* NUL-separated words, at most 64. */
static void argv(const char *data, size_t size)
{
	const char *words[64];
	struct policy_request req = request();
	struct policy_decision d;
	struct policy_parts parts;
	size_t n = 0;

	for (size_t i = 0; i < size && n < 64; i += strlen(data + i) + 1)
		words[n++] = data + i;
	if (n == 0)
		return;
	req.argv = words;
	req.argc = n;
	if (policy_shell_argv(&req, &parts) == 0) {
		show(&parts);
		policy_parts_done(&parts);
	}
	if (policy_evaluate(policy, &req, &d) == 0 && !d.message)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy;

	if (size > POLICY_LINE_MAX)
		return 0;
	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	if (size > 0 && copy[0] == '\x01')
		argv(copy + 1, size - 1);
	else
		line(copy);
	free(copy);
	return 0;
}
