/* Splitting extra= into the environment and argv (posix/cmdline.c): each rule of
 * posix/cmdline.h, each error with its message, and what stays allocated. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "posix/cmdline.h"

/*
 * cmdline.c's malloc and free (skiff_ names, host_rename.h), over the host's so that ASan
 * and its leak check see the block, counted so a test can see how many are live, and able
 * to fail on request.
 */
static int live_blocks, mallocs;
static bool fail_next_malloc;

void *skiff_malloc(size_t size);
void skiff_free(void *p);

void *skiff_malloc(size_t size)
{
	void *p;

	mallocs++;
	if (fail_next_malloc) {
		fail_next_malloc = false;
		return NULL;
	}
	p = malloc(size);
	if (p)
		live_blocks++;
	return p;
}

void skiff_free(void *p)
{
	if (p)
		live_blocks--;
	free(p);
}

static int reset(void **state)
{
	live_blocks = mallocs = 0;
	fail_next_malloc = false;
	return 0;
}

static int no_leak(void **state)
{
	assert_int_equal(live_blocks, 0);
	return 0;
}

static void expect_args(const struct cmdline *c, const char *const *want, int n)
{
	assert_int_equal(c->argc, n);
	for (int i = 0; i < n; i++)
		assert_string_equal(c->argv[i], want[i]);
	assert_null(c->argv[n]);
}

static void expect_env(const struct cmdline *c, const char *const *want, int n)
{
	assert_int_equal(c->envc, n);
	for (int i = 0; i < n; i++)
		assert_string_equal(c->envp[i], want[i]);
	assert_null(c->envp[n]);
}

#define ARGS(c, ...)                                                                               \
	do {                                                                                       \
		static const char *const want_[] = {__VA_ARGS__};                                  \
		expect_args(c, want_, sizeof(want_) / sizeof(want_[0]));                           \
	} while (0)
#define ENV(c, ...)                                                                                \
	do {                                                                                       \
		static const char *const want_[] = {__VA_ARGS__};                                  \
		expect_env(c, want_, sizeof(want_) / sizeof(want_[0]));                            \
	} while (0)
#define NO_ENV(c) expect_env(c, NULL, 0)

/* Parses line, which must succeed, into *c, in one allocation. */
static void parse_ok(const char *line, struct cmdline *c)
{
	char err[128] = "untouched";

	mallocs = 0;
	assert_int_equal(cmdline_parse(line, "app", c, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(mallocs, 1);
	assert_int_equal(live_blocks, 1);
}

/* Parses line, which must fail with rc and exactly message, leaving nothing behind. */
static void parse_fails(const char *line, int rc, const char *message)
{
	struct cmdline c = {.argc = 99};
	char err[160];

	assert_int_equal(cmdline_parse(line, "app", &c, err, sizeof(err)), rc);
	assert_string_equal(err, message);
	assert_int_equal(c.argc, 0);
	assert_null(c.argv);
	assert_int_equal(c.envc, 0);
	assert_null(c.envp);
	assert_int_equal(live_blocks, 0);
}

static void an_empty_line_gives_only_the_name(void **state)
{
	static const char *const lines[] = {NULL, "", "   ", " \t \t"};
	struct cmdline c;

	for (int i = 0; i < 4; i++) {
		parse_ok(lines[i], &c);
		ARGS(&c, "app");
		NO_ENV(&c);
		cmdline_free(&c);
	}
}

static void words_before_dashdash_are_the_environment(void **state)
{
	struct cmdline c;

	parse_ok("  ip=10.0.0.2\tnetmask=255.255.255.0  gw=10.0.0.1 dns=1.1.1.1 _x.y9=  ip=2 ", &c);
	ENV(&c, "ip=10.0.0.2", "netmask=255.255.255.0", "gw=10.0.0.1", "dns=1.1.1.1",
	    "_x.y9=", "ip=2");
	ARGS(&c, "app");
	cmdline_free(&c);

	parse_ok("A== B=x=y", &c); /* the first = ends NAME */
	ENV(&c, "A==", "B=x=y");
	cmdline_free(&c);
}

static void words_after_dashdash_are_the_arguments(void **state)
{
	struct cmdline c;

	parse_ok("ip=10.0.0.2 -- -v --port 80 -- x=1", &c);
	ENV(&c, "ip=10.0.0.2");
	ARGS(&c, "app", "-v", "--port", "80", "--", "x=1"); /* a later -- is an argument */
	cmdline_free(&c);

	parse_ok("--", &c);
	NO_ENV(&c);
	ARGS(&c, "app");
	cmdline_free(&c);

	parse_ok("-- not=env", &c);
	NO_ENV(&c);
	ARGS(&c, "app", "not=env");
	cmdline_free(&c);
}

static void quotes_group_and_are_removed(void **state)
{
	struct cmdline c;

	parse_ok("MSG=\"hello  world\" \"Q=a b\" -- a \"b c\" d x\"y z\"w \"\" \"tab\there\"", &c);
	ENV(&c, "MSG=hello  world", "Q=a b");
	ARGS(&c, "app", "a", "b c", "d", "xy zw", "", "tab\there");
	cmdline_free(&c);

	parse_ok("\"--\" 'single' 'quotes'", &c); /* "--" is -- once its quotes are gone */
	NO_ENV(&c);
	ARGS(&c, "app", "'single'", "'quotes'");
	cmdline_free(&c);
}

static void a_backslash_makes_the_next_character_literal(void **state)
{
	struct cmdline c;

	parse_ok("P=a\\ b\\\"c -- \\\"q\\\" \\\\ \"in \\\" quote\" \"\\\\\" \\-- x\\y", &c);
	ENV(&c, "P=a b\"c");
	ARGS(&c, "app", "\"q\"", "\\", "in \" quote", "\\", "--", "xy");
	cmdline_free(&c);
}

static void the_arrays_end_with_null_and_the_name_is_argv0(void **state)
{
	struct cmdline c;

	assert_int_equal(cmdline_parse("a=1 b=2 -- x", NULL, &c, NULL, 0), 0);
	ARGS(&c, "", "x"); /* argv0 NULL: an empty name */
	ENV(&c, "a=1", "b=2");
	cmdline_free(&c);
	assert_null(c.argv);
	assert_int_equal(live_blocks, 0);
	cmdline_free(&c); /* a freed (zeroed) cmdline may be freed again */

	assert_int_equal(cmdline_parse("-- y", "/bin/my app", &c, NULL, 0), 0);
	ARGS(&c, "/bin/my app", "y");
	cmdline_free(&c);
}

static void rejects_a_word_that_is_not_name_value(void **state)
{
	parse_fails("foo", -EINVAL,
		    "extra=: \"foo\" is not NAME=VALUE; an app's arguments go after --");
	parse_fails("ip=10.0.0.2 -v -- x", -EINVAL,
		    "extra=: \"-v\" is not NAME=VALUE; an app's arguments go after --");
	parse_fails("x=1 --x", -EINVAL, /* only a word that is exactly -- ends the environment */
		    "extra=: \"--x\" is not NAME=VALUE; an app's arguments go after --");
	parse_fails("=x", -EINVAL,
		    "extra=: \"=x\" is not NAME=VALUE; an app's arguments go after --");
	parse_fails("1A=x", -EINVAL,
		    "extra=: \"1A=x\" is not NAME=VALUE; an app's arguments go after --");
	parse_fails("A-B=x", -EINVAL,
		    "extra=: \"A-B=x\" is not NAME=VALUE; an app's arguments go after --");
	parse_fails(".A=x", -EINVAL,
		    "extra=: \".A=x\" is not NAME=VALUE; an app's arguments go after --");
	parse_fails("\"A B\"=x", -EINVAL,
		    "extra=: \"A B=x\" is not NAME=VALUE; an app's arguments go after --");
	parse_fails("\"\"", -EINVAL,
		    "extra=: \"\" is not NAME=VALUE; an app's arguments go after --");
	/* A long word is quoted by its first 40 bytes. */
	parse_fails("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", -EINVAL,
		    "extra=: \"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN...\" is not NAME=VALUE; "
		    "an app's arguments go after --");
}

static void rejects_an_unterminated_quote(void **state)
{
	parse_fails("a=1 b=\"xyz", -EINVAL, "extra=: unterminated quote at column 7");
	parse_fails("a=1 -- \"x\" \"y z", -EINVAL, "extra=: unterminated quote at column 12");
	parse_fails("\"", -EINVAL, "extra=: unterminated quote at column 1");
	parse_fails("a=\"\\\"", -EINVAL, "extra=: unterminated quote at column 3");
}

static void rejects_a_backslash_at_the_end(void **state)
{
	parse_fails("a=1 b=\\", -EINVAL, "extra=: a backslash ends the line");
	parse_fails("-- \"x\\", -EINVAL, "extra=: a backslash ends the line");
	parse_fails("\\", -EINVAL, "extra=: a backslash ends the line");
}

static void out_of_memory_leaves_nothing(void **state)
{
	fail_next_malloc = true;
	parse_fails("a=1 -- x", -ENOMEM,
		    "extra=: no memory for the 53 bytes of argv and environment");
}

/* A short err is cut and still a string; err NULL with size 0 is not written. */
static void a_short_err_buffer_is_cut(void **state)
{
	struct cmdline c;
	char err[12];

	memset(err, 'x', sizeof(err));
	assert_int_equal(cmdline_parse("foo", "app", &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "extra=: \"fo");
	assert_int_equal(cmdline_parse("\"", "app", &c, NULL, 0), -EINVAL);
	assert_int_equal(live_blocks, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(an_empty_line_gives_only_the_name, reset, no_leak),
		cmocka_unit_test_setup_teardown(words_before_dashdash_are_the_environment, reset,
						no_leak),
		cmocka_unit_test_setup_teardown(words_after_dashdash_are_the_arguments, reset,
						no_leak),
		cmocka_unit_test_setup_teardown(quotes_group_and_are_removed, reset, no_leak),
		cmocka_unit_test_setup_teardown(a_backslash_makes_the_next_character_literal, reset,
						no_leak),
		cmocka_unit_test_setup_teardown(the_arrays_end_with_null_and_the_name_is_argv0,
						reset, no_leak),
		cmocka_unit_test_setup_teardown(rejects_a_word_that_is_not_name_value, reset,
						no_leak),
		cmocka_unit_test_setup_teardown(rejects_an_unterminated_quote, reset, no_leak),
		cmocka_unit_test_setup_teardown(rejects_a_backslash_at_the_end, reset, no_leak),
		cmocka_unit_test_setup_teardown(out_of_memory_leaves_nothing, reset, no_leak),
		cmocka_unit_test_setup_teardown(a_short_err_buffer_is_cut, reset, no_leak),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
