/*
 * Splitting extra= (posix/cmdline.h). The line is read twice by the same code: once to
 * check it and measure the words, then, after the one allocation, to copy them. Every
 * error is found in the first pass, so the second cannot fail.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "posix/cmdline.h"

/* How much of a word that is not NAME=VALUE the error message quotes. */
#define QUOTED_MAX 40

/* A word as it is read: its bytes go to dst while they fit in cap. */
struct word {
	char *dst;
	size_t cap;
	size_t len;   /* the word's bytes, also those past cap */
	bool has_eq;  /* an '=' was seen */
	bool name_ok; /* the bytes before the first '=' (all, if none) can be a NAME */
};

/* Where the words go: pass 1 has strings NULL and only counts. */
struct split {
	char *strings; /* the block's string area, strings[0..bytes) already used */
	char **argv, **envp;
	size_t argc, envc, bytes;
};

static bool is_name_char(char c, bool first)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')
		return true;
	return !first && ((c >= '0' && c <= '9') || c == '.');
}

static void word_put(struct word *w, char c)
{
	if (!w->has_eq) {
		if (c == '=') {
			w->has_eq = true;
			w->name_ok = w->name_ok && w->len > 0;
		} else if (!is_name_char(c, w->len == 0)) {
			w->name_ok = false;
		}
	}
	if (w->len < w->cap)
		w->dst[w->len] = c;
	w->len++;
}

/* 1: a word was read into *w and *pos is past it; 0: no word is left; or -EINVAL. */
static int next_word(const char *line, size_t *pos, struct word *w, char *err, size_t err_size)
{
	size_t i = *pos, quote_at = 0;
	bool quoted = false;

	while (line[i] == ' ' || line[i] == '\t')
		i++;
	if (line[i] == '\0') {
		*pos = i;
		return 0;
	}
	for (; line[i] != '\0'; i++) {
		char c = line[i];

		if (c == '\\') {
			if (line[i + 1] == '\0') {
				snprintf(err, err_size, "extra=: a backslash ends the line");
				return -EINVAL;
			}
			word_put(w, line[++i]);
		} else if (c == '"') {
			quoted = !quoted;
			quote_at = i;
		} else if (!quoted && (c == ' ' || c == '\t')) {
			break;
		} else {
			word_put(w, c);
		}
	}
	if (quoted) {
		snprintf(err, err_size, "extra=: unterminated quote at column %zu", quote_at + 1);
		return -EINVAL;
	}
	*pos = i;
	return 1;
}

/* Reads every word of line into s (or only counts them); 0 or -EINVAL. */
static int split_words(const char *line, struct split *s, char *err, size_t err_size)
{
	bool args = false; /* past the first -- */
	size_t pos = 0;

	for (;;) {
		char sample[QUOTED_MAX]; /* pass 1 keeps a word's start, for the messages */
		struct word w = {.name_ok = true};
		int rc;

		w.dst = s->strings ? s->strings + s->bytes : sample;
		w.cap = s->strings ? SIZE_MAX : sizeof(sample);
		rc = next_word(line, &pos, &w, err, err_size);
		if (rc <= 0)
			return rc;
		/* Every word keeps its place in the block, the -- too: both passes agree. */
		if (s->strings)
			s->strings[s->bytes + w.len] = '\0';
		if (!args && w.len == 2 && w.dst[0] == '-' && w.dst[1] == '-') {
			args = true;
		} else if (args) {
			if (s->strings)
				s->argv[s->argc] = s->strings + s->bytes;
			s->argc++;
		} else if (w.has_eq && w.name_ok) {
			if (s->strings)
				s->envp[s->envc] = s->strings + s->bytes;
			s->envc++;
		} else {
			bool cut = w.len > sizeof(sample);

			snprintf(err, err_size,
				 "extra=: \"%.*s%s\" is not NAME=VALUE; an app's arguments go "
				 "after --",
				 (int)(cut ? sizeof(sample) : w.len), w.dst, cut ? "..." : "");
			return -EINVAL;
		}
		s->bytes += w.len + 1;
	}
}

int cmdline_parse(const char *line, const char *argv0, struct cmdline *out, char *err,
		  size_t err_size)
{
	size_t name_size, size;
	struct split s;
	void *block;
	int rc;

	*out = (struct cmdline){0};
	if (err_size)
		err[0] = '\0';
	if (!line)
		line = "";
	if (!argv0)
		argv0 = "";
	/* argv[0] is the name, first in the string area. */
	name_size = strlen(argv0) + 1;
	s = (struct split){.argc = 1, .bytes = name_size};
	rc = split_words(line, &s, err, err_size);
	if (rc < 0)
		return rc;
	/* Only a line of gigabytes has this many words; no size below can overflow then. */
	if (s.argc >= __INT_MAX__ || s.envc >= __INT_MAX__) {
		snprintf(err, err_size, "extra=: too many words");
		return -EINVAL;
	}

	size = (s.argc + 1 + s.envc + 1) * sizeof(char *) + s.bytes;
	block = malloc(size);
	if (!block) {
		snprintf(err, err_size,
			 "extra=: no memory for the %zu bytes of argv and environment", size);
		return -ENOMEM;
	}
	out->argv = block;
	out->envp = out->argv + s.argc + 1;
	s = (struct split){
		.strings = (char *)(out->envp + s.envc + 1),
		.argv = out->argv,
		.envp = out->envp,
		.argc = 1,
		.bytes = name_size,
	};
	memcpy(s.strings, argv0, name_size);
	out->argv[0] = s.strings;
	split_words(line, &s, NULL, 0); /* cannot fail: the same line passed above */
	out->argv[s.argc] = NULL;
	out->envp[s.envc] = NULL;
	out->argc = (int)s.argc;
	out->envc = (int)s.envc;
	return 0;
}

void cmdline_free(struct cmdline *c)
{
	free(c->argv); /* the start of the one block */
	*c = (struct cmdline){0};
}
