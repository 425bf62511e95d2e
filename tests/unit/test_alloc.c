/* The page allocator and malloc, run on a region of host memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "skiff_host.h"

#define PAGE	     4096UL
#define NPAGES	     1024UL /* 4 MiB region */
#define BITMAP_PAGES 1UL

static void *region;

static int fresh_region(void **state)
{
	region = aligned_alloc(PAGE, NPAGES * PAGE);
	if (!region)
		return -1;
	memset(region, 0x5a, NPAGES * PAGE); /* garbage, as real free memory would be */
	page_alloc_init(region, NPAGES);
	malloc_init();
	return 0;
}

static int drop_region(void **state)
{
	free(region);
	return 0;
}

static void pages_come_from_the_region_without_overlap(void **state)
{
	unsigned long free0 = page_alloc_free_pages();
	char *a = page_alloc(3), *b = page_alloc(5);

	assert_int_equal(page_alloc_total_pages(), NPAGES);
	assert_int_equal(free0, NPAGES - BITMAP_PAGES);
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a >= (char *)region + BITMAP_PAGES * PAGE);
	assert_int_equal(((uintptr_t)a - (uintptr_t)region) % PAGE, 0);
	assert_true(b >= a + 3 * PAGE || a >= b + 5 * PAGE);
	assert_int_equal(page_alloc_free_pages(), free0 - 8);
	page_free(a, 3);
	page_free(b, 5);
	assert_int_equal(page_alloc_free_pages(), free0);
}

static void pages_run_out_and_come_back(void **state)
{
	unsigned long n = page_alloc_free_pages();
	char *all = page_alloc(n);

	assert_non_null(all);
	assert_null(page_alloc(1));
	page_free(all + 10 * PAGE, 1);
	assert_ptr_equal(page_alloc(1), all + 10 * PAGE);
	assert_null(page_alloc(2)); /* no two free pages are adjacent */
	page_free(all, n);
	assert_non_null(page_alloc(n));
}

static void pages_honour_alignment(void **state)
{
	page_alloc(1); /* make the first free page unaligned */
	for (unsigned long align = 1; align <= 64; align *= 2) {
		char *p = page_alloc_aligned(3, align);

		assert_non_null(p);
		assert_int_equal(((uintptr_t)(p - (char *)region) / PAGE) % align, 0);
	}
}

static void page_free_refuses_pages_not_in_use(void **state)
{
	char *p = page_alloc(2);

	page_free(p, 2);
	expect_assert_failure(page_free(p, 2));
	expect_assert_failure(page_free((char *)region + 7, 1));
}

static void malloc_blocks_do_not_overlap(void **state)
{
	enum { N = 300 };
	unsigned char *blocks[N];
	size_t sizes[N];

	srand(1);
	for (int i = 0; i < N; i++) {
		sizes[i] = (size_t)(rand() % 6000);
		blocks[i] = skiff_malloc(sizes[i]);
		assert_non_null(blocks[i]);
		assert_int_equal((uintptr_t)blocks[i] % 16, 0);
		memset(blocks[i], i & 0xff, sizes[i]);
	}
	for (int i = 0; i < N; i++) {
		for (size_t j = 0; j < sizes[i]; j++)
			assert_int_equal(blocks[i][j], i & 0xff);
		if (i % 2)
			skiff_free(blocks[i]);
	}
	for (int i = 0; i < N; i += 2)
		skiff_free(blocks[i]);
}

static void malloc_returns_memory_to_reuse(void **state)
{
	unsigned long before;
	void *p;

	/* Large blocks go back to the page allocator. */
	before = page_alloc_free_pages();
	p = skiff_malloc(100000);
	assert_non_null(p);
	skiff_free(p);
	assert_int_equal(page_alloc_free_pages(), before);
	/* Small blocks are reused within their class. */
	p = skiff_malloc(40);
	skiff_free(p);
	assert_ptr_equal(skiff_malloc(40), p);
}

static void malloc_fails_cleanly_when_memory_runs_out(void **state)
{
	assert_null(skiff_malloc(NPAGES * PAGE));
	assert_null(skiff_malloc(SIZE_MAX));
	assert_null(skiff_calloc(SIZE_MAX / 2, 4));
}

static void calloc_zeroes_and_realloc_keeps_contents(void **state)
{
	unsigned char *p = skiff_calloc(100, 30);

	for (int i = 0; i < 3000; i++)
		assert_int_equal(p[i], 0);
	for (int i = 0; i < 3000; i++)
		p[i] = (unsigned char)i;
	p = skiff_realloc(p, 20000);
	assert_non_null(p);
	for (int i = 0; i < 3000; i++)
		assert_int_equal(p[i], (unsigned char)i);
	assert_ptr_equal(skiff_realloc(p, 10), p); /* shrinking keeps the block */
	assert_null(skiff_realloc(p, 0));
	p = skiff_realloc(NULL, 10);
	assert_non_null(p);
	skiff_free(p);
}

static void aligned_alloc_aligns(void **state)
{
	for (size_t align = 1; align <= 16384; align *= 2) {
		unsigned char *p = skiff_aligned_alloc(align, 100);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % align, 0);
		memset(p, 0xcd, 100);
		skiff_free(p);
	}
	assert_null(skiff_aligned_alloc(24, 100)); /* not a power of two */
}

/* What skiff_memory_info() reports of malloc: live blocks up and down (small, large,
 * aligned, realloc'd), and the pages kept for small blocks, which only grow. */
static void malloc_counts_live_blocks_and_kept_pages(void **state)
{
	struct malloc_counts c;
	void *small, *large, *aligned, *moved;

	malloc_counts(&c);
	assert_int_equal(c.live_blocks, 0);
	assert_int_equal(c.small_pages, 0);
	small = skiff_malloc(40);
	large = skiff_malloc(3 * PAGE);
	aligned = skiff_aligned_alloc(256, 100);
	malloc_counts(&c);
	assert_int_equal(c.live_blocks, 3);
	assert_int_equal(c.small_pages, 2); /* a page of 64-byte blocks, one of 512 */
	moved = skiff_realloc(small, 1000);
	malloc_counts(&c);
	assert_int_equal(c.live_blocks, 3);
	skiff_free(moved);
	skiff_free(large);
	skiff_free(aligned);
	malloc_counts(&c);
	assert_int_equal(c.live_blocks, 0);
	assert_int_equal(c.small_pages, 3); /* and one of 1 KiB blocks: all kept */
}

static void free_rejects_foreign_and_double_frees(void **state)
{
	static char not_ours[64] __attribute__((aligned(16)));
	void *p = skiff_malloc(50);

	skiff_free(p);
	expect_assert_failure(skiff_free(p));
	expect_assert_failure(skiff_free(not_ours + 16));
	skiff_free(NULL); /* allowed, does nothing */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(pages_come_from_the_region_without_overlap,
						fresh_region, drop_region),
		cmocka_unit_test_setup_teardown(pages_run_out_and_come_back, fresh_region,
						drop_region),
		cmocka_unit_test_setup_teardown(pages_honour_alignment, fresh_region, drop_region),
		cmocka_unit_test_setup_teardown(page_free_refuses_pages_not_in_use, fresh_region,
						drop_region),
		cmocka_unit_test_setup_teardown(malloc_blocks_do_not_overlap, fresh_region,
						drop_region),
		cmocka_unit_test_setup_teardown(malloc_returns_memory_to_reuse, fresh_region,
						drop_region),
		cmocka_unit_test_setup_teardown(malloc_fails_cleanly_when_memory_runs_out,
						fresh_region, drop_region),
		cmocka_unit_test_setup_teardown(calloc_zeroes_and_realloc_keeps_contents,
						fresh_region, drop_region),
		cmocka_unit_test_setup_teardown(aligned_alloc_aligns, fresh_region, drop_region),
		cmocka_unit_test_setup_teardown(malloc_counts_live_blocks_and_kept_pages,
						fresh_region, drop_region),
		cmocka_unit_test_setup_teardown(free_rejects_foreign_and_double_frees, fresh_region,
						drop_region),
	};

	return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}
