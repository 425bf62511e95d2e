/*
 * Force-included when lib/ sources are built for the host unit tests: gives Skiff's
 * libc functions a skiff_ prefix so that they do not replace the host's own (cmocka and
 * glibc keep using glibc's malloc and memcpy; the tests call ours by these names).
 */
#define memcpy	      skiff_memcpy
#define memmove	      skiff_memmove
#define memset	      skiff_memset
#define memcmp	      skiff_memcmp
#define memchr	      skiff_memchr
#define strlen	      skiff_strlen
#define strnlen	      skiff_strnlen
#define strcmp	      skiff_strcmp
#define strncmp	      skiff_strncmp
#define strchr	      skiff_strchr
#define strrchr	      skiff_strrchr
#define strcpy	      skiff_strcpy
#define strncpy	      skiff_strncpy
#define strlcpy	      skiff_strlcpy
#define strcat	      skiff_strcat
#define strstr	      skiff_strstr
#define strdup	      skiff_strdup
#define strtol	      skiff_strtol
#define strtoul	      skiff_strtoul
#define malloc	      skiff_malloc
#define calloc	      skiff_calloc
#define realloc	      skiff_realloc
#define free	      skiff_free
#define aligned_alloc skiff_aligned_alloc
#define snprintf      skiff_snprintf
#define vsnprintf     skiff_vsnprintf
#define sprintf	      skiff_sprintf
