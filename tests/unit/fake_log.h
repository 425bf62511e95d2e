/*
 * printk for host unit tests: what Skiff code logs is kept in a buffer that the tests
 * read (assert_logged). Included by a test before the code it tests logs anything.
 */
#ifndef TESTS_UNIT_FAKE_LOG_H
#define TESTS_UNIT_FAKE_LOG_H

/* ---- printk: kept for the tests to read ------------------------------------------ */

static char logbuf[16384];
static size_t loglen;

int vprintk(const char *fmt, va_list ap)
{
	size_t room = sizeof(logbuf) - loglen;
	int n = vsnprintf(logbuf + loglen, room, fmt, ap);

	if (n > 0)
		loglen += (size_t)n < room ? (size_t)n : room - 1;
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

static inline void clear_log(void)
{
	loglen = 0;
	logbuf[0] = '\0';
}

static inline unsigned int times_logged(const char *text)
{
	unsigned int n = 0;

	for (const char *p = strstr(logbuf, text); p; p = strstr(p + 1, text))
		n++;
	return n;
}

static void assert_logged(const char *text)
{
	if (!strstr(logbuf, text))
		fail_msg("log lacks \"%s\"; it holds:\n%s", text, logbuf);
}

#endif
