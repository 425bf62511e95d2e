/*
 * The xl config's extra= line, split into the app's environment and its argv:
 *
 *	extra = "ip=10.0.0.2 GREETING=\"hello world\" -- --port 80"
 *
 * gives the environment ip=10.0.0.2 and GREETING=hello world, and argv {app, --port, 80}.
 * The rules:
 * - Words are separated by spaces and tabs (any number of them).
 * - Double quotes group: a "b c" d is three words (a, b c, d); the quotes are removed. A
 *   quoted part may be part of a word (x"y z" is the word xy z), and "" is an empty word.
 * - A backslash makes the next character literal, inside quotes or out: \" is a quote,
 *   \\ a backslash, "\ " a space inside a word. Single quotes are ordinary characters.
 * - The words before the first word that is exactly -- (once its quotes and backslashes
 *   are removed) are the environment, in the order written, duplicates kept. Each must be
 *   NAME=VALUE: NAME is a letter or _, then letters, digits, _ and .; VALUE may be empty.
 *   Skiff's own options (ip=, netmask=, gw=, dns=) are among them: Skiff reads them from
 *   the same list, and the app sees them in its environment too.
 * - The words after that -- are argv[1], argv[2], ... (a later -- is an argument like any
 *   other); argv[0] is the app's name. Without --, argv holds the name alone.
 * A quote left open, a backslash as the line's last character and a word before -- that
 * is not NAME=VALUE are errors.
 */
#ifndef POSIX_CMDLINE_H
#define POSIX_CMDLINE_H

#include <stddef.h>

struct cmdline {
	int argc;
	char **argv; /* argc entries, then NULL */
	int envc;
	char **envp; /* envc "NAME=VALUE" entries, then NULL */
};

/*
 * 0, or a negative errno (-EINVAL for bad syntax, -ENOMEM) with err[] saying what and
 * where ("extra=: unterminated quote at column 12"); err may be NULL when err_size is 0.
 * line NULL is an empty line, argv0 NULL an empty name. On success the arrays and their
 * strings are one allocation that cmdline_free() releases; on error nothing stays
 * allocated and *out is all zeros.
 */
int cmdline_parse(const char *line, const char *argv0, struct cmdline *out, char *err,
		  size_t err_size);
/* Frees what cmdline_parse() allocated and zeroes *c; a zeroed *c is left as it is. */
void cmdline_free(struct cmdline *c);

#endif
