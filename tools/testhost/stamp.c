/*
 * stamp: follows a guest's console log in dom0 and writes each new line, prefixed with
 * the dom0 uptime (seconds, like /proc/uptime) at which it appeared, to NAME.timed.
 * The first line's time also goes to NAME.result as first_line_s=. Skiff writes "\r\n"
 * (for terminals); the "\r" is left out, so that checks anchored with $ match.
 *
 *   stamp LOG TIMED RESULT      (runs until killed; guest.sh starts one per guest)
 *
 * Why C: a shell loop forks a few programs per poll, which under QEMU's TCG makes its
 * stamps late by a tenth of a second or more; this polls every 10 ms without forking,
 * so the tests can time a guest's 1 s sleep from outside to a few hundredths.
 * Built statically on the host by mkinitramfs.sh (dom0's root has no compiler).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double uptime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts); /* what /proc/uptime counts */
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static char line[65536];
	size_t have = 0;
	int first = 1;
	FILE *log = NULL, *timed, *result;
	const struct timespec tick = {.tv_nsec = 10 * 1000 * 1000};

	if (argc != 4) {
		fprintf(stderr, "usage: stamp LOG TIMED RESULT\n");
		return 2;
	}
	timed = fopen(argv[2], "a");
	result = fopen(argv[3], "a");
	if (!timed || !result) {
		perror("stamp");
		return 1;
	}
	for (;;) {
		int c;

		if (!log && !(log = fopen(argv[1], "r"))) { /* xenconsoled makes it later */
			nanosleep(&tick, NULL);
			continue;
		}
		while ((c = getc(log)) != EOF) {
			if (c != '\n') {
				if (have < sizeof(line) - 1)
					line[have++] = (char)c;
				continue;
			}
			if (have && line[have - 1] == '\r')
				have--;
			line[have] = 0;
			have = 0;
			double t = uptime();
			if (first) {
				fprintf(result, "first_line_s=%.2f\n", t);
				fflush(result);
				first = 0;
			}
			fprintf(timed, "%.2f\t%s\n", t, line);
			fflush(timed);
		}
		clearerr(log); /* EOF for now: the guest may write more */
		nanosleep(&tick, NULL);
	}
}
