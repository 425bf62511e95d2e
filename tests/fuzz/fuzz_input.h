/*
 * What every fuzz target reads its input with: the bytes libFuzzer made, taken from
 * the front a few at a time. A read past the end gives zeros, so every input, however
 * short, is a whole scenario (the rest of it all zeros).
 */
#ifndef TESTS_FUZZ_FUZZ_INPUT_H
#define TESTS_FUZZ_FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fuzz_input {
	const uint8_t *p;
	size_t left;
};

static inline bool fuzz_more(const struct fuzz_input *in)
{
	return in->left > 0;
}

static inline void fuzz_take(struct fuzz_input *in, void *out, size_t n)
{
	size_t have = n < in->left ? n : in->left;

	memset(out, 0, n);
	memcpy(out, in->p, have);
	in->p += have;
	in->left -= have;
}

static inline uint8_t fuzz_u8(struct fuzz_input *in)
{
	uint8_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

static inline uint16_t fuzz_u16(struct fuzz_input *in)
{
	uint16_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

static inline uint32_t fuzz_u32(struct fuzz_input *in)
{
	uint32_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

static inline uint64_t fuzz_u64(struct fuzz_input *in)
{
	uint64_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

/* A string of at most max bytes (its length byte first), without NULs, in buf. */
static inline const char *fuzz_string(struct fuzz_input *in, char *buf, size_t max)
{
	size_t n = fuzz_u8(in), k = 0;

	if (n > max)
		n = max;
	for (size_t i = 0; i < n && fuzz_more(in); i++) {
		char c = (char)fuzz_u8(in);

		if (c)
			buf[k++] = c;
	}
	buf[k] = '\0';
	return buf;
}

/*
 * The driver and xenstore targets build in the unit tests' fakes, whose failed
 * assertions (cmocka's) must abort, for libFuzzer to keep the input: cmocka aborts
 * when CMOCKA_TEST_ABORT is 1. setenv is the host's (Skiff's headers do not declare it).
 */
int setenv(const char *name, const char *value, int overwrite);

/* libFuzzer calls it once, before the first input. */
#define FUZZ_CMOCKA_FAILURES_ABORT()                                                               \
	int LLVMFuzzerInitialize(int *argc, char ***argv)                                          \
	{                                                                                          \
		setenv("CMOCKA_TEST_ABORT", "1", 1);                                               \
		return 0;                                                                          \
	}

#endif
