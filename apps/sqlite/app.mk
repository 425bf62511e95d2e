# SQLite 3.40.1, unmodified: Debian's sqlite3 source, made into its one-file amalgamation
# by the package's own build (tools/build-sqlite-amalgamation.sh, run by
# tools/install-deps.sh sqlite), compiled over newlib and the POSIX layer; main.c uses
# it as a program on Linux would, through SQLite's API and POSIX only.
APP_LIBC := newlib
APP_FETCH := sqlite
APP_FETCH_STAMP := $(BUILD)/deps/sqlite/amalgamation/.done
APP_EXTRA_DIR := $(BUILD)/deps/sqlite/amalgamation
APP_EXTRA_FILES := sqlite3.c
APP_CFLAGS += -Werror -I $(APP_EXTRA_DIR)

# SQLite's compile-time options (its compile.html), each for a reason of this target's:
# - one thread uses SQLite (main.c's): it needs no mutexes of its own;
SQLITE_OPTIONS := -DSQLITE_THREADSAFE=0
# - no dlopen() in a single image: no loadable extensions;
SQLITE_OPTIONS += -DSQLITE_OMIT_LOAD_EXTENSION
# - WAL's index is a file shared through mmap(), which the POSIX layer does not have:
#   the rollback journal only;
SQLITE_OPTIONS += -DSQLITE_OMIT_WAL
# - no memory-mapped reads of the database for the same reason: read() and write();
SQLITE_OPTIONS += -DSQLITE_MAX_MMAP_SIZE=0
# - usleep() is there, so a busy wait sleeps in microseconds, not whole seconds;
SQLITE_OPTIONS += -DHAVE_USLEEP=1
# - temporary tables, indices and sorts in memory: /tmp is memory too, so a temporary
#   file would only hold the same pages a second time.
SQLITE_OPTIONS += -DSQLITE_TEMP_STORE=3
# SQLite's code is SQLite's: its warnings are not this project's to fix.
APP_EXTRA_CFLAGS := -w $(SQLITE_OPTIONS)
