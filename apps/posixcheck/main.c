/*
 * posixcheck: the POSIX layer seen from a C program that knows nothing of Skiff. Each
 * check prints "posixcheck: NAME ok" or "posixcheck: NAME FAILED: why"; the test in
 * tests/xen/areas/posix.sh reads them. The first argument (xl extra= "... -- MODE")
 * picks an ending: exit3, abort or nosys; with none, every check runs and the program
 * ends with exit(0), leaving a line unflushed in stdio that exit() must flush.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/time.h>

static int failures;
static volatile sig_atomic_t usr1_seen;

static void on_usr1(int sig)
{
	usr1_seen++;
}

static void check(const char *name, int ok, const char *why)
{
	if (ok) {
		printf("posixcheck: %s ok\n", name);
	} else {
		printf("posixcheck: %s FAILED: %s (errno %s)\n", name, why, strerror(errno));
		failures++;
	}
}

static void check_ramdisk(void)
{
	char buf[64] = {0};
	int fd = open("/etc/motd", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	struct stat st;

	check("ramdisk_read", n == 24 && !strcmp(buf, "posixcheck ramdisk file\n"), "contents");
	check("ramdisk_fstat",
	      fd >= 0 && !fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size == 24, "fstat");
	close(fd);
	fd = open("/etc/motd.link", O_RDONLY);
	memset(buf, 0, sizeof(buf));
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	check("ramdisk_symlink", n == 24, "reading through the link");
	close(fd);
	errno = 0;
	fd = open("/etc/motd", O_WRONLY);
	check("ramdisk_read_only", fd < 0 && errno == EROFS, "opened for writing");
	errno = 0;
	check("missing_file", open("/etc/nothing", O_RDONLY) < 0 && errno == ENOENT, "ENOENT");
}

static void check_tmp(void)
{
	char buf[32];
	int fd = open("/tmp/a", O_RDWR | O_CREAT | O_EXCL, 0644), fd2;
	off_t end;

	check("tmp_create", fd >= 0, "open O_CREAT");
	check("tmp_write", write(fd, "0123456789", 10) == 10, "write");
	end = lseek(fd, 0, SEEK_END);
	check("tmp_lseek", end == 10 && lseek(fd, 3, SEEK_SET) == 3, "lseek");
	check("tmp_read", read(fd, buf, 4) == 4 && !memcmp(buf, "3456", 4), "read after lseek");
	fd2 = dup(fd);
	check("dup_shares_offset",
	      fd2 > fd && read(fd2, buf, 1) == 1 && buf[0] == '7' && lseek(fd, 0, SEEK_CUR) == 8,
	      "dup");
	check("pread",
	      pread(fd, buf, 2, 0) == 2 && !memcmp(buf, "01", 2) && lseek(fd, 0, SEEK_CUR) == 8,
	      "pread");
	check("ftruncate", !ftruncate(fd, 4) && lseek(fd, 0, SEEK_END) == 4, "ftruncate");
	close(fd2);
	close(fd);
	errno = 0;
	check("create_excl", open("/tmp/a", O_RDWR | O_CREAT | O_EXCL, 0644) < 0 && errno == EEXIST,
	      "EEXIST");
	check("mkdir", !mkdir("/tmp/d", 0755) && !rename("/tmp/a", "/tmp/d/b"), "mkdir, rename");
	check("stat_after_rename", access("/tmp/a", F_OK) < 0 && access("/tmp/d/b", F_OK) == 0,
	      "old name gone, new there");
	errno = 0;
	check("rmdir_not_empty", rmdir("/tmp/d") < 0 && errno == ENOTEMPTY, "ENOTEMPTY");
	check("unlink", !unlink("/tmp/d/b") && !rmdir("/tmp/d"), "unlink, rmdir");
}

static void check_stdio_files(void)
{
	FILE *f = fopen("/tmp/stdio.txt", "w");
	char line[64];
	int sum = 0, x;

	for (int i = 1; i <= 100; i++)
		fprintf(f, "%d\n", i);
	fclose(f);
	f = fopen("/tmp/stdio.txt", "r");
	while (fgets(line, sizeof(line), f) && sscanf(line, "%d", &x) == 1)
		sum += x;
	fclose(f);
	check("stdio_fopen_sscanf", sum == 5050, "sum of 1..100");
	check("strtod", strtod("2.5e3", NULL) == 2500.0, "strtod");
}

static void check_dirs(void)
{
	DIR *d = opendir("/");
	struct dirent *e;
	int tmp = 0, dev = 0, etc = 0;
	char cwd[64];

	while (d && (e = readdir(d))) {
		tmp |= !strcmp(e->d_name, "tmp") && e->d_type == DT_DIR;
		dev |= !strcmp(e->d_name, "dev");
		etc |= !strcmp(e->d_name, "etc");
	}
	if (d)
		closedir(d);
	check("readdir_root", tmp && dev && etc, "/ lists tmp, dev, etc");
	check("chdir_getcwd",
	      !chdir("/etc") && getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/etc") &&
		      access("motd", R_OK) == 0 && !chdir("/"),
	      "relative paths");
}

static void check_console(void)
{
	errno = 0;
	check("isatty", isatty(1) && !isatty(open("/dev/null", O_RDONLY)) && errno == ENOTTY,
	      "stdout is the console, /dev/null is not");
	check("fcntl_nonblock",
	      fcntl(0, F_SETFL, O_NONBLOCK) == 0 && (fcntl(0, F_GETFL) & O_NONBLOCK) &&
		      read(0, (char[8]){0}, 8) < 0 && errno == EAGAIN,
	      "a non-blocking read of the console with nothing typed");
}

static void check_time(void)
{
	struct timespec a, b, req = {0, 100 * 1000 * 1000};
	struct timeval tv;
	time_t now = time(NULL);
	struct tm tm;
	char text[64];
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &a);
	nanosleep(&req, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	check("nanosleep", ms >= 100 && ms < 1000, "100 ms of CLOCK_MONOTONIC");
	gettimeofday(&tv, NULL);
	check("realtime", now > 1700000000 && tv.tv_sec - now <= 1,
	      "time() after 2023, like gettimeofday");
	gmtime_r(&(time_t){951782400}, &tm); /* 2000-02-29 00:00:00 UTC */
	strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S %a", &tm);
	check("gmtime_strftime", !strcmp(text, "2000-02-29 00:00:00 Tue"), text);
}

static long ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

/* poll() and select() over files and the console (nothing is typed on it here). */
static void check_poll(void)
{
	int fd = open("/tmp/polled", O_RDWR | O_CREAT, 0644);
	struct pollfd p[3] = {{.fd = fd, .events = POLLIN | POLLOUT},
			      {.fd = -1, .events = POLLIN},
			      {.fd = 0, .events = POLLOUT}};
	struct timeval tv = {0, 30 * 1000};
	struct timespec start;
	fd_set rd, wr;
	long ms;
	int n;

	n = poll(p, 3, 1000);
	check("poll_file_is_ready",
	      n == 2 && p[0].revents == (POLLIN | POLLOUT) && p[1].revents == 0 &&
		      p[2].revents == POLLOUT,
	      "a file readable and writable, fd -1 skipped, the console writable");
	p[0] = (struct pollfd){.fd = 0, .events = POLLIN};
	clock_gettime(CLOCK_MONOTONIC, &start);
	n = poll(p, 1, 50);
	ms = ms_since(&start);
	check("poll_console_times_out", n == 0 && p[0].revents == 0 && ms >= 50 && ms < 1000,
	      "no input on the console: 0 after 50 ms");
	p[0] = (struct pollfd){.fd = 200, .events = POLLIN};
	check("poll_bad_fd_is_pollnval", poll(p, 1, 0) == 1 && p[0].revents == POLLNVAL,
	      "POLLNVAL");
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(0, &rd);
	FD_SET(fd, &rd);
	FD_SET(1, &wr);
	clock_gettime(CLOCK_MONOTONIC, &start);
	n = select(fd + 1, &rd, &wr, NULL, &tv);
	check("select_files_and_console",
	      n == 2 && FD_ISSET(fd, &rd) && !FD_ISSET(0, &rd) && FD_ISSET(1, &wr),
	      "the file readable, stdin not, stdout writable");
	FD_ZERO(&rd);
	FD_SET(0, &rd);
	clock_gettime(CLOCK_MONOTONIC, &start);
	n = select(1, &rd, NULL, NULL, &tv);
	ms = ms_since(&start);
	check("select_times_out", n == 0 && !FD_ISSET(0, &rd) && ms >= 30 && ms < 1000,
	      "0 after 30 ms");
	FD_ZERO(&rd);
	FD_SET(200, &rd);
	errno = 0;
	check("select_bad_fd_is_ebadf", select(201, &rd, NULL, NULL, &tv) < 0 && errno == EBADF,
	      "EBADF");
	close(fd);
	unlink("/tmp/polled");
}

/* IPv4 text and back (<arpa/inet.h>): no network needed. */
static void check_inet(void)
{
	struct in_addr a;
	char text[INET_ADDRSTRLEN];

	check("inet_pton",
	      inet_pton(AF_INET, "10.0.0.2", &a) == 1 && a.s_addr == htonl(0x0a000002) &&
		      inet_pton(AF_INET, "10.0.0.256", &a) == 0 &&
		      inet_pton(AF_INET, "10.0.0", &a) == 0,
	      "10.0.0.2 read; 10.0.0.256 and 10.0.0 refused");
	check("inet_aton_old_forms",
	      inet_aton("127.1", &a) && a.s_addr == htonl(0x7f000001) &&
		      inet_addr("0x0a.0.0.010") == htonl(0x0a000008) &&
		      inet_addr("1.2.3.4.5") == INADDR_NONE,
	      "127.1, hex and octal parts");
	a.s_addr = htonl(0xc0a80001);
	check("inet_ntop",
	      inet_ntop(AF_INET, &a, text, sizeof(text)) && !strcmp(text, "192.168.0.1") &&
		      !inet_ntop(AF_INET, &a, text, 5) && errno == ENOSPC,
	      "192.168.0.1; ENOSPC for a short buffer");
}

static void check_process(int argc, char **argv)
{
	const char *v = getenv("colour");

	check("argv0", !strcmp(argv[0], "posixcheck"), argv[0]);
	check("getenv", v && !strcmp(v, "blue green"), "colour=\"blue green\"");
	check("getpid", getpid() == getpid() && getpid() > 0, "constant");
	check("kill_0_checks_only", kill(getpid(), 0) == 0,
	      "kill(pid, 0) must not end the program");
	check("raise_sigchld_is_ignored", raise(SIGCHLD) == 0, "SIGCHLD's default is to ignore it");
	signal(SIGUSR1, on_usr1);
	check("raise_runs_the_handler", raise(SIGUSR1) == 0 && usr1_seen == 1,
	      "handler for SIGUSR1");
	{
		char *cwd = getcwd(NULL, 0);

		check("getcwd_allocates", cwd && !strcmp(cwd, "/"), "getcwd(NULL, 0)");
		free(cwd);
	}
}

static void check_disk(void)
{
	/* Raw /dev/xvda: one write in the middle of a sector, one of whole sectors; dom0
	 * reads both back from the image. */
	int fd = open("/dev/xvda", O_RDWR);
	char whole[4096], back[4096];
	off_t size;

	/* The config's second disk is xvdc, with no xvdb: each is named by its vdev. */
	check("disk_named_by_vdev", access("/dev/xvdc", F_OK) == 0 && access("/dev/xvdb", F_OK) < 0,
	      "/dev/xvdc there, /dev/xvdb not");
	check("disk_open", fd >= 0, "open /dev/xvda");
	if (fd < 0)
		return;
	size = lseek(fd, 0, SEEK_END);
	check("disk_size", size == 8 * 1024 * 1024, "8 MiB");
	memset(whole, 'W', sizeof(whole));
	check("disk_write_unaligned", pwrite(fd, "posixcheck was here", 19, 1000) == 19,
	      "pwrite at 1000");
	check("disk_write_aligned", pwrite(fd, whole, sizeof(whole), 1 << 20) == sizeof(whole),
	      "pwrite at 1 MiB");
	check("disk_fsync", fsync(fd) == 0, "fsync");
	check("disk_read_back",
	      pread(fd, back, 19, 1000) == 19 && !memcmp(back, "posixcheck was here", 19), "pread");
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "exit3")) {
		printf("posixcheck: exiting with 3\n");
		exit(3);
	}
	if (argc > 1 && !strcmp(argv[1], "abort")) {
		printf("posixcheck: calling abort\n");
		abort();
	}
	if (argc > 1 && !strcmp(argv[1], "nosys")) {
		errno = 0;
		check("fork_is_enosys", fork() < 0 && errno == ENOSYS, "fork");
		return failures;
	}
	check_ramdisk();
	check_tmp();
	check_stdio_files();
	check_dirs();
	check_console();
	check_time();
	check_poll();
	check_inet();
	check_process(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "disk"))
		check_disk();
	printf("posixcheck: %d failed\n", failures);
	/* No newline and no fflush: only exit()'s flush of stdio gets this out. */
	printf("posixcheck: flushed at exit");
	return failures ? 1 : 0;
}
