/*
 * sparse: prints where a file has data and where it has holes, as the file system
 * says (lseek SEEK_DATA / SEEK_HOLE), one extent a line:
 *
 *   data OFFSET LENGTH
 *   hole OFFSET LENGTH
 *
 * Runs in dom0 on a disk image, to see what a guest's discard did to it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct stat st;
	off_t at = 0;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		perror(argv[1]);
		return 2;
	}
	while (at < st.st_size) {
		off_t data = lseek(fd, at, SEEK_DATA);
		off_t end;

		if (data < 0) /* ENXIO: nothing but a hole up to the end */
			data = st.st_size;
		if (data > at)
			printf("hole %lld %lld\n", (long long)at, (long long)(data - at));
		if (data >= st.st_size)
			break;
		end = lseek(fd, data, SEEK_HOLE);
		if (end < 0) {
			perror("SEEK_HOLE");
			return 1;
		}
		printf("data %lld %lld\n", (long long)data, (long long)(end - data));
		at = end;
	}
	close(fd);
	return 0;
}
