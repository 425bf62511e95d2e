/*
 * SQLite as an appliance: a database file in /tmp, written and read back through
 * SQLite's own unix VFS over the POSIX layer, the way a program on Linux would (this file
 * uses SQLite's API and POSIX, nothing of Skiff's). Each result is a console line a test
 * can check exactly ("sqlite: inserts 10000"); the lines with "/s" are measurements. Any
 * error of SQLite's is printed and ends the program with status 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sqlite3.h>

#define DB_PATH "/tmp/skiff.db"
#define ROWS	10000
#define LOOKUPS 1000
/* Row id has key id * KEY_STEP mod ROWS: every key 0 .. ROWS-1 once (7919, a prime, shares
 * no factor with ROWS), in an order unlike the rows', so the index is not the table. */
#define KEY_STEP 7919

static sqlite3 *db;

/* What SQLite said, with its extended code and the errno of the system call that failed
 * (0 if none did), as a disk I/O error says little more than that. */
static void fail_msg(const char *what, const char *msg)
{
	int err = db ? sqlite3_system_errno(db) : 0;

	printf("sqlite: error: %s: %s (code %d, errno %d%s%s)\n", what, msg,
	       db ? sqlite3_extended_errcode(db) : SQLITE_NOMEM, err, err ? ": " : "",
	       err ? strerror(err) : "");
	exit(1);
}

static void fail(const char *what)
{
	fail_msg(what, db ? sqlite3_errmsg(db) : "out of memory");
}

static void exec(const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg(sql, err ? err : sqlite3_errmsg(db));
}

static sqlite3_stmt *prepare(const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail(sql);
	return st;
}

/* The one row of sql: its column col as an integer. */
static sqlite3_int64 query_int(const char *sql, int col)
{
	sqlite3_stmt *st = prepare(sql);
	sqlite3_int64 v;

	if (sqlite3_step(st) != SQLITE_ROW)
		fail(sql);
	v = sqlite3_column_int64(st, col);
	if (sqlite3_step(st) != SQLITE_DONE)
		fail(sql);
	sqlite3_finalize(st);
	return v;
}

static void open_db(int flags)
{
	if (sqlite3_open_v2(DB_PATH, &db, flags, NULL) != SQLITE_OK)
		fail("open " DB_PATH);
}

static void close_db(void)
{
	if (sqlite3_close(db) != SQLITE_OK)
		fail("close");
	db = NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long per_second(long n, double seconds)
{
	return seconds > 0 ? (long)(n / seconds) : 0;
}

static void row_name(char *buf, size_t size, long id)
{
	snprintf(buf, size, "item-%05ld", id);
}

/* ROWS rows in one transaction, through one prepared statement. */
static void insert_rows(void)
{
	sqlite3_stmt *st;
	char name[32];
	double t0 = now();

	exec("BEGIN");
	st = prepare("INSERT INTO items(id, k, name, v) VALUES (?, ?, ?, ?)");
	for (long id = 0; id < ROWS; id++) {
		row_name(name, sizeof(name), id);
		if (sqlite3_bind_int64(st, 1, id) ||
		    sqlite3_bind_int64(st, 2, id * KEY_STEP % ROWS) ||
		    sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT) ||
		    sqlite3_bind_int64(st, 4, id % 100))
			fail("bind");
		if (sqlite3_step(st) != SQLITE_DONE)
			fail("insert");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	exec("COMMIT");
	t0 = now() - t0;
	printf("sqlite: inserts %lld\n", (long long)query_int("SELECT count(*) FROM items", 0));
	printf("sqlite: inserts/s %ld\n", per_second(ROWS, t0));
}

/* LOOKUPS point queries on the index of k; each row found must be the one inserted. */
static void look_up(void)
{
	sqlite3_stmt *st = prepare("SELECT id, name FROM items WHERE k = ?");
	char name[32];
	long found = 0;
	double t0 = now();

	for (long j = 0; j < LOOKUPS; j++) {
		long key = (j * 10 + 3) % ROWS;

		if (sqlite3_bind_int64(st, 1, key))
			fail("bind");
		while (sqlite3_step(st) == SQLITE_ROW) {
			long id = (long)sqlite3_column_int64(st, 0);

			row_name(name, sizeof(name), id);
			if (id * KEY_STEP % ROWS == key &&
			    !strcmp((const char *)sqlite3_column_text(st, 1), name))
				found++;
		}
		if (sqlite3_reset(st) != SQLITE_OK)
			fail("lookup");
	}
	t0 = now() - t0;
	sqlite3_finalize(st);
	printf("sqlite: lookups %d found %ld\n", LOOKUPS, found);
	printf("sqlite: queries/s %ld\n", per_second(LOOKUPS, t0));
}

/* A range of keys counted on the index alone, and the plan that says so. */
static void count_range(void)
{
	const char *sql = "SELECT count(*) FROM items WHERE k BETWEEN 2500 AND 3499";
	char plan[128];
	sqlite3_stmt *st;

	snprintf(plan, sizeof(plan), "EXPLAIN QUERY PLAN %s", sql);
	st = prepare(plan);
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("sqlite: plan %s\n", (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	printf("sqlite: range %lld\n", (long long)query_int(sql, 0));
}

static void aggregate(void)
{
	const char *groups = "SELECT count(*), min(n), max(n) FROM "
			     "(SELECT v, count(*) AS n FROM items GROUP BY v)";
	long long n = query_int(groups, 0), least = query_int(groups, 1),
		  most = query_int(groups, 2);

	printf("sqlite: sum %lld\n", (long long)query_int("SELECT sum(v) FROM items", 0));
	if (least == most)
		printf("sqlite: groups %lld of %lld rows each\n", n, least);
	else
		printf("sqlite: groups %lld of %lld to %lld rows\n", n, least, most);
}

/* A transaction undone: the rollback journal puts the deleted rows back. */
static void roll_back(void)
{
	long long during, after;

	exec("BEGIN");
	exec("DELETE FROM items WHERE v < 50");
	during = query_int("SELECT count(*) FROM items", 0);
	exec("ROLLBACK");
	after = query_int("SELECT count(*) FROM items", 0);
	printf("sqlite: rollback from %lld rows back to %lld\n", during, after);
}

static void integrity(void)
{
	sqlite3_stmt *st = prepare("PRAGMA integrity_check");

	while (sqlite3_step(st) == SQLITE_ROW)
		printf("sqlite: integrity %s\n", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* After the close: the file holds every page, and no journal is left beside it. */
static void check_file(long long bytes)
{
	struct stat st;

	if (stat(DB_PATH, &st)) {
		printf("sqlite: error: stat " DB_PATH ": %s\n", strerror(errno));
		exit(1);
	}
	printf("sqlite: file %lld bytes%s\n", (long long)st.st_size,
	       st.st_size == bytes ? "" : " (not the size of its pages)");
	if (access(DB_PATH "-journal", F_OK) == 0 || errno != ENOENT) {
		printf("sqlite: error: " DB_PATH "-journal is still there\n");
		exit(1);
	}
}

int main(void)
{
	long long bytes;

	printf("sqlite: SQLite %s\n", sqlite3_libversion());
	open_db(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	exec("CREATE TABLE items(id INTEGER PRIMARY KEY, k INTEGER NOT NULL, "
	     "name TEXT NOT NULL, v INTEGER NOT NULL)");
	exec("CREATE INDEX items_k ON items(k)");
	insert_rows();
	look_up();
	count_range();
	aggregate();
	roll_back();
	integrity();
	bytes = query_int("PRAGMA page_count", 0) * query_int("PRAGMA page_size", 0);
	close_db();
	check_file(bytes);

	open_db(SQLITE_OPEN_READWRITE);
	printf("sqlite: reopened %lld rows, sum %lld\n",
	       (long long)query_int("SELECT count(*) FROM items", 0),
	       (long long)query_int("SELECT sum(v) FROM items", 0));
	integrity();
	close_db();
	printf("sqlite: done\n");
	return 0;
}
