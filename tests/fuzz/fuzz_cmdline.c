/*
 * cmdline_parse (posix/cmdline.c) on any extra= line: the input is the line (it ends at
 * its first NUL, as a line in xenstore or start_info does) and the size of the caller's
 * error buffer.
 *
 * Whatever the line, the result is 0 or -EINVAL (the host's malloc does not fail here);
 * on success argv[0] is the name, both arrays end with NULL where argc and envc say,
 * every environment entry is NAME=VALUE by the header's rule, and no word is longer than
 * the line; on error the message fits the caller's buffer, ends with its NUL and is not
 * empty, and *out is all zeros. cmdline_free() then leaves nothing (the leak check).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "posix/cmdline.c"

#include "fuzz_input.h"

static bool name_char(char c, bool first)
{
	if (c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return !first && ((c >= '0' && c <= '9') || c == '.');
}

static void check_env(const char *entry, size_t line_len)
{
	const char *eq = strchr(entry, '=');

	if (!eq || eq == entry || strlen(entry) > line_len)
		abort();
	for (const char *p = entry; p < eq; p++)
		if (!name_char(*p, p == entry))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct cmdline zero;
	struct fuzz_input in = {data, size};
	size_t err_size = fuzz_u8(&in) % 96;
	char *line = calloc(1, in.left + 1), err[96];
	struct cmdline c;
	int rc;

	fuzz_take(&in, line, in.left);
	memset(err, 'x', sizeof(err));
	rc = cmdline_parse(line, "app", &c, err_size ? err : NULL, err_size);
	if (rc == 0) {
		size_t line_len = strlen(line);

		if (c.argc < 1 || strcmp(c.argv[0], "app") || c.argv[c.argc] || c.envc < 0 ||
		    c.envp[c.envc])
			abort();
		for (int i = 1; i < c.argc; i++)
			if (strlen(c.argv[i]) > line_len)
				abort();
		for (int i = 0; i < c.envc; i++)
			check_env(c.envp[i], line_len);
		cmdline_free(&c);
	} else if (rc == -EINVAL) {
		if (memcmp(&c, &zero, sizeof(c)))
			abort();
		if (err_size && (!memchr(err, '\0', err_size) || (!err[0] && err_size > 1)))
			abort();
		if (err_size < sizeof(err) && err[err_size] != 'x')
			abort(); /* a write past the buffer the caller gave */
	} else {
		abort();
	}
	if (memcmp(&c, &zero, sizeof(c)))
		abort(); /* cmdline_free() zeroes it */
	free(line);
	return 0;
}
