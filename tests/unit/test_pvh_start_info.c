/*
 * A PVH domain's start of day (arch/x86_64/pvh_start_info.c) on the host: the reader
 * of hvm_start_info and the memory choices made from its map. Guest memory is a buffer
 * here, at "physical" 0 - 8 MiB; phys() refuses anything outside it, as the boot page
 * tables refuse what they do not map.
 *
 * The layouts are the ones Xen 4.17's libxl builds for a 32 MiB PVH guest (a module,
 * the start info and the command line after the image, the memory map after them;
 * RAM 0 - 32 MiB, the special pages reserved under 4 GiB, ACPI tables below them),
 * as version 1, and as version 0 that has no map at all.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include <xen/xen.h>
#include <xen/arch-x86/hvm/start_info.h>

#include "arch/x86_64/pvh_start_info.c"

#define MEM_SIZE (8u << 20)
#define SI_PA	 0x120000ULL /* after a 128 KiB image at 1 MiB */
#define MIB	 (1ULL << 20)

static uint8_t *mem;

static const void *phys(uint64_t pa, uint64_t len)
{
	if (pa >= MEM_SIZE || len > MEM_SIZE - pa)
		return NULL;
	return mem + pa;
}

static struct hvm_start_info *si(void)
{
	return (struct hvm_start_info *)(mem + SI_PA);
}

/* What libxl lays out: start info, module list, command line, memory map. */
static void layout(uint32_t version, const char *cmdline)
{
	struct hvm_modlist_entry *mod = (void *)(mem + SI_PA + 0x40);
	struct hvm_memmap_table_entry *map = (void *)(mem + SI_PA + 0x100);

	memset(mem, 0, MEM_SIZE);
	*si() = (struct hvm_start_info){
		.magic = XEN_HVM_START_MAGIC_VALUE,
		.version = version,
		.nr_modules = 1,
		.modlist_paddr = SI_PA + 0x40,
		.cmdline_paddr = SI_PA + 0x80,
	};
	*mod = (struct hvm_modlist_entry){.paddr = 0x200000, .size = 0x3000};
	strcpy((char *)mem + SI_PA + 0x80, cmdline);
	if (version >= 1) {
		si()->memmap_paddr = SI_PA + 0x100;
		si()->memmap_entries = 3;
		map[0] = (struct hvm_memmap_table_entry){0, 32 * MIB, XEN_HVM_MEMMAP_TYPE_RAM, 0};
		map[1] = (struct hvm_memmap_table_entry){0xfc000000, 0x1000,
							 XEN_HVM_MEMMAP_TYPE_ACPI, 0};
		map[2] = (struct hvm_memmap_table_entry){0xfeff0000, 0x10000,
							 XEN_HVM_MEMMAP_TYPE_RESERVED, 0};
	}
}

static int setup(void **state)
{
	mem = calloc(1, MEM_SIZE);
	return mem ? 0 : -1;
}

static int teardown(void **state)
{
	free(mem);
	return 0;
}

static void version_1_gives_cmdline_module_and_map(void **state)
{
	struct pvh_start s;
	const char *why = NULL;

	layout(1, "ip=10.0.0.2 seed=7");
	assert_int_equal(pvh_read_start_info(SI_PA, phys, 1024, &s, &why), 0);
	assert_int_equal(s.version, 1);
	assert_string_equal(s.cmdline, "ip=10.0.0.2 seed=7");
	assert_int_equal(s.module_pa, 0x200000);
	assert_int_equal(s.module_size, 0x3000);
	assert_true(s.have_map);
	assert_int_equal(s.mem.nr_ram, 1);
	assert_int_equal(s.mem.ram[0].end, 32 * MIB);
	assert_int_equal(s.mem.nr_other, 2);
	assert_int_equal(pvh_ram_pages(&s.mem), 32 * MIB / 4096);
	/* Everything Xen put in RAM is in use: the start info, list, line, module, map. */
	assert_true(pvh_page_used(&s.mem, SI_PA));
	assert_true(pvh_page_used(&s.mem, 0x200000));
	assert_true(pvh_page_used(&s.mem, 0x202fff));
	assert_false(pvh_page_used(&s.mem, 0x203000));
}

static void version_0_has_no_map_to_read(void **state)
{
	struct pvh_start s;
	const char *why = NULL;

	layout(0, "");
	/* Garbage where version 1's fields would be: version 0 must not read them. */
	si()->memmap_paddr = 0xdeadbeef000;
	si()->memmap_entries = 99;
	assert_int_equal(pvh_read_start_info(SI_PA, phys, 1024, &s, &why), 0);
	assert_false(s.have_map);
	assert_int_equal(s.mem.nr_ram, 0);
	assert_string_equal(s.cmdline, "");
}

static void wrong_magic_is_refused(void **state)
{
	struct pvh_start s;
	const char *why = NULL;

	layout(1, "");
	si()->magic = 0x12345678;
	assert_int_equal(pvh_read_start_info(SI_PA, phys, 1024, &s, &why), -EINVAL);
	assert_string_equal(why, "hvm_start_info has the wrong magic");
}

static void start_info_outside_memory_is_refused(void **state)
{
	struct pvh_start s;
	const char *why = NULL;

	layout(1, "");
	assert_int_equal(pvh_read_start_info(MEM_SIZE - 8, phys, 1024, &s, &why), -EINVAL);
	assert_string_equal(why, "hvm_start_info is not in mapped memory");
}

static void cmdline_without_nul_is_refused(void **state)
{
	struct pvh_start s;
	const char *why = NULL;

	layout(1, "");
	memset(mem + SI_PA + 0x80, 'x', 2000); /* longer than the 1024 bytes allowed */
	assert_int_equal(pvh_read_start_info(SI_PA, phys, 1024, &s, &why), -EINVAL);
	assert_string_equal(why, "the command line is not NUL-terminated in mapped memory");
	/* ... and one that runs off the end of memory. */
	si()->cmdline_paddr = MEM_SIZE - 4;
	memset(mem + MEM_SIZE - 4, 'y', 4);
	assert_int_equal(pvh_read_start_info(SI_PA, phys, 1024, &s, &why), -EINVAL);
}

static void map_past_memory_is_refused(void **state)
{
	struct pvh_start s;
	const char *why = NULL;

	layout(1, "");
	si()->memmap_entries = 0x10000000; /* 6 GiB of entries */
	assert_int_equal(pvh_read_start_info(SI_PA, phys, 1024, &s, &why), -EINVAL);
	assert_string_equal(why, "the memory map is not in mapped memory");
}

static void module_past_memory_is_refused(void **state)
{
	struct pvh_start s;
	const char *why = NULL;

	layout(1, "");
	((struct hvm_modlist_entry *)(mem + SI_PA + 0x40))->size = UINT64_MAX - 0x100000;
	assert_int_equal(pvh_read_start_info(SI_PA, phys, 1024, &s, &why), -EINVAL);
	assert_string_equal(why, "a module is not in mapped memory");
}

static void too_many_map_entries_are_cut_and_said(void **state)
{
	struct pvh_memory m = {0};

	for (unsigned int i = 0; i < PVH_MAX_RANGES + 3; i++)
		pvh_memory_add(&m, i * 2 * MIB, MIB, XEN_HVM_MEMMAP_TYPE_RAM);
	assert_int_equal(m.nr_ram, PVH_MAX_RANGES);
	assert_true(m.truncated);
}

static void an_entry_that_wraps_ends_at_the_top(void **state)
{
	struct pvh_memory m = {0};

	pvh_memory_add(&m, UINT64_MAX - 4095, 1ULL << 40, XEN_HVM_MEMMAP_TYPE_RAM);
	assert_int_equal(m.ram[0].end, UINT64_MAX);
}

/* RAM below and above 4 GiB (what a big guest gets): both count, the allocator's
 * region is the larger free part, the hole lies between RAM and the reserved pages. */
static void ram_above_4_gib_counts_and_the_hole_is_below_4_gib(void **state)
{
	struct pvh_memory m = {0};
	struct pvh_range r;
	uint64_t hole;

	pvh_memory_add(&m, 0, 0xf0000000, XEN_HVM_MEMMAP_TYPE_RAM);
	pvh_memory_add(&m, 0xfc000000, 0x1000, XEN_HVM_MEMMAP_TYPE_ACPI);
	pvh_memory_add(&m, 0xfeff0000, 0x10000, XEN_HVM_MEMMAP_TYPE_RESERVED);
	pvh_memory_add(&m, 1ULL << 32, 1ULL << 32, XEN_HVM_MEMMAP_TYPE_RAM);
	pvh_memory_use(&m, MIB, MIB + 0x20000);
	assert_int_equal(pvh_ram_pages(&m), (0xf0000000ULL + (1ULL << 32)) / 4096);
	assert_true(pvh_best_ram(&m, (4ULL << 30) - 2 * MIB, &r));
	assert_int_equal(r.start, 0);
	assert_int_equal(r.end, 0xf0000000);
	hole = pvh_find_hole(&m, 65, 4ULL << 30, NULL, 0);
	assert_int_equal(hole, 0xf0000000);
}

static void the_hole_avoids_reserved_entries_and_the_pages_asked(void **state)
{
	struct pvh_memory m = {0};
	/* RAM right up to a reserved entry: the hole must go past it. */
	struct pvh_range avoid[] = {{0x2041000, 0x2042000}};

	pvh_memory_add(&m, 0, 32 * MIB, XEN_HVM_MEMMAP_TYPE_RAM);
	pvh_memory_add(&m, 32 * MIB, 0x40000, XEN_HVM_MEMMAP_TYPE_RESERVED);
	assert_int_equal(pvh_find_hole(&m, 65, 4ULL << 30, NULL, 0), 32 * MIB + 0x40000);
	assert_int_equal(pvh_find_hole(&m, 65, 4ULL << 30, avoid, 1), 0x2042000);
	/* No room below the limit: none. */
	assert_int_equal(pvh_find_hole(&m, 65, 32 * MIB + 0x80000, NULL, 0), 0);
}

static void the_allocator_region_skips_what_is_used(void **state)
{
	struct pvh_memory m = {0};
	struct pvh_range r;

	/* A 2 MiB guest: the image at 1 MiB, the start info just after it. */
	pvh_memory_add(&m, 0, 2 * MIB, XEN_HVM_MEMMAP_TYPE_RAM);
	pvh_memory_use(&m, MIB, MIB + 0x1a000);
	pvh_memory_use(&m, MIB + 0x1a000, MIB + 0x1a038);
	assert_true(pvh_best_ram(&m, 4ULL << 30, &r));
	assert_int_equal(r.start, 0);
	assert_int_equal(r.end, 2 * MIB);
	assert_true(pvh_page_used(&m, MIB + 0x1a000));
	assert_false(pvh_page_used(&m, MIB + 0x1b000));
	/* All RAM in use: no region. */
	pvh_memory_use(&m, 0, 2 * MIB);
	assert_false(pvh_best_ram(&m, 4ULL << 30, &r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(version_1_gives_cmdline_module_and_map),
		cmocka_unit_test(version_0_has_no_map_to_read),
		cmocka_unit_test(wrong_magic_is_refused),
		cmocka_unit_test(start_info_outside_memory_is_refused),
		cmocka_unit_test(cmdline_without_nul_is_refused),
		cmocka_unit_test(map_past_memory_is_refused),
		cmocka_unit_test(module_past_memory_is_refused),
		cmocka_unit_test(too_many_map_entries_are_cut_and_said),
		cmocka_unit_test(an_entry_that_wraps_ends_at_the_top),
		cmocka_unit_test(ram_above_4_gib_counts_and_the_hole_is_below_4_gib),
		cmocka_unit_test(the_hole_avoids_reserved_entries_and_the_pages_asked),
		cmocka_unit_test(the_allocator_region_skips_what_is_used),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
