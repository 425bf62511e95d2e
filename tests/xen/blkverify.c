/*
 * blkverify: checks, from outside the guest, a disk image that apps/blkcheck wrote.
 * Written apart from blkcheck, from the format its header comment specifies, so that
 * a bug shared by the guest's writer and reader cannot hide.
 *
 *   blkverify IMAGE SEED [ZERO_SECTOR ZERO_COUNT]
 *
 * Prints how many sectors hold the right stamp and the first few that do not; exits
 * 0 only if every sector of the image is right. The sectors ZERO_SECTOR.. (ZERO_COUNT
 * of them), which the guest discarded, must hold zeros instead.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sector_ok(const unsigned char *s, uint64_t lba, uint64_t seed)
{
	uint64_t x = (lba * 0x9E3779B97F4A7C15ull) ^ seed;
	uint64_t got_lba = 0, got_seed = 0;

	if (memcmp(s, "SKIFFBLK", 8) != 0)
		return 0;
	for (int i = 7; i >= 0; i--) {
		got_lba = got_lba << 8 | s[8 + i];
		got_seed = got_seed << 8 | s[16 + i];
	}
	if (got_lba != lba || got_seed != seed)
		return 0;
	for (int i = 24; i < 512; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		if (s[i] != (unsigned char)(x >> 56))
			return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	unsigned char s[512];
	static const unsigned char zeros[512];
	uint64_t lba = 0, bad = 0, seed, zero_from = 0, zero_count = 0;
	FILE *f;

	if (argc != 3 && argc != 5) {
		fprintf(stderr, "usage: %s IMAGE SEED [ZERO_SECTOR ZERO_COUNT]\n", argv[0]);
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	seed = strtoull(argv[2], NULL, 0);
	if (argc == 5) {
		zero_from = strtoull(argv[3], NULL, 0);
		zero_count = strtoull(argv[4], NULL, 0);
	}
	for (; fread(s, 1, sizeof(s), f) == sizeof(s); lba++) {
		int zero = lba >= zero_from && lba - zero_from < zero_count;

		if (zero ? memcmp(s, zeros, sizeof(s)) == 0 : sector_ok(s, lba, seed))
			continue;
		if (bad++ < 5)
			printf("blkverify: sector %llu is wrong\n", (unsigned long long)lba);
	}
	fclose(f);
	printf("blkverify: %llu sectors, %llu wrong, %llu of them to be zeros\n",
	       (unsigned long long)lba, (unsigned long long)bad, (unsigned long long)zero_count);
	return bad == 0 && lba > 0 ? 0 : 1;
}
