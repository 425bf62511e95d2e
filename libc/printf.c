/*
 * The printf family. One formatter writes to a "sink": a bounded buffer (snprintf) or
 * the console in small chunks (printf, printk). Supported: flags - 0 + space #, width
 * and precision (numbers or *), length hh h l ll z t j, conversions d i u o x X c s p %.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "libc/printk.h"

struct sink {
	char *buf;
	size_t size;  /* capacity of buf */
	size_t len;   /* bytes held in buf */
	size_t total; /* bytes the whole output has (the return value) */
	void (*flush)(struct sink *s);
};

static void put(struct sink *s, char c)
{
	if (s->len < s->size)
		s->buf[s->len++] = c;
	else if (s->flush) {
		s->flush(s);
		s->buf[s->len++] = c;
	}
	s->total++;
}

static void put_repeat(struct sink *s, char c, int n)
{
	while (n-- > 0)
		put(s, c);
}

struct spec {
	bool left, zero, plus, space, alt;
	int width, precision; /* precision -1: none given */
};

static void put_string(struct sink *s, const char *str, const struct spec *sp)
{
	size_t len = sp->precision >= 0 ? strnlen(str, sp->precision) : strlen(str);
	int pad = sp->width > (int)len ? sp->width - (int)len : 0;

	if (!sp->left)
		put_repeat(s, ' ', pad);
	while (len--)
		put(s, *str++);
	if (sp->left)
		put_repeat(s, ' ', pad);
}

static void put_number(struct sink *s, uint64_t v, bool negative, unsigned int base, bool upper,
		       const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, prefix_len, zeros = 0, pad;
	const char *prefix = "";
	bool is_zero = v == 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (sp->precision == 0 && n == 1 && tmp[0] == '0')
		n = 0; /* "%.0d" of 0 prints nothing */

	if (sp->precision > n)
		zeros = sp->precision - n;

	if (negative)
		prefix = "-";
	else if (sp->plus)
		prefix = "+";
	else if (sp->space)
		prefix = " ";
	else if (sp->alt && base == 16 && !is_zero)
		prefix = upper ? "0X" : "0x";
	else if (sp->alt && base == 8 && !zeros && (n == 0 || tmp[n - 1] != '0'))
		prefix = "0"; /* '#' for octal: the first digit printed must be 0 */
	prefix_len = strlen(prefix);

	if (sp->zero && !sp->left && sp->precision < 0 && sp->width > n + prefix_len)
		zeros = sp->width - n - prefix_len;
	pad = sp->width - n - zeros - prefix_len;

	if (!sp->left)
		put_repeat(s, ' ', pad);
	while (*prefix)
		put(s, *prefix++);
	put_repeat(s, '0', zeros);
	while (n)
		put(s, tmp[--n]);
	if (sp->left)
		put_repeat(s, ' ', pad);
}

static int format(struct sink *s, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		struct spec sp = {.precision = -1};
		int length = 0; /* -2 hh, -1 h, 0 int, 1 long, 2 long long / size_t / ptrdiff */
		uint64_t u;
		int64_t i;

		if (*fmt != '%') {
			put(s, *fmt);
			continue;
		}
		for (;; fmt++) {
			char f = fmt[1];

			if (f == '-')
				sp.left = true;
			else if (f == '0')
				sp.zero = true;
			else if (f == '+')
				sp.plus = true;
			else if (f == ' ')
				sp.space = true;
			else if (f == '#')
				sp.alt = true;
			else
				break;
		}
		fmt++;
		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = true;
				sp.width = -sp.width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				sp.width = sp.width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			sp.precision = 0;
			if (*fmt == '*') {
				sp.precision = va_arg(ap, int);
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					sp.precision = sp.precision * 10 + (*fmt++ - '0');
			}
		}
		for (;; fmt++) {
			if (*fmt == 'h')
				length--;
			else if (*fmt == 'l')
				length++;
			else if (*fmt == 'z' || *fmt == 't' || *fmt == 'j')
				length = 2;
			else
				break;
		}

		switch (*fmt) {
		case 'd':
		case 'i':
			if (length >= 1)
				i = length == 1 ? va_arg(ap, long) : va_arg(ap, long long);
			else
				i = va_arg(ap, int);
			if (length == -1)
				i = (short)i;
			else if (length <= -2)
				i = (signed char)i;
			put_number(s, i < 0 ? -(uint64_t)i : (uint64_t)i, i < 0, 10, false, &sp);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			if (length >= 1)
				u = length == 1 ? va_arg(ap, unsigned long)
						: va_arg(ap, unsigned long long);
			else
				u = va_arg(ap, unsigned int);
			if (length == -1)
				u = (unsigned short)u;
			else if (length <= -2)
				u = (unsigned char)u;
			put_number(s, u, false,
				   *fmt == 'o'	 ? 8
				   : *fmt == 'u' ? 10
						 : 16,
				   *fmt == 'X', &sp);
			break;
		case 'p':
			sp.alt = true;
			put_number(s, (uintptr_t)va_arg(ap, void *), false, 16, false, &sp);
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			struct spec one = sp;

			one.precision = 1;
			put_string(s, &c, &one);
			break;
		}
		case 's': {
			const char *str = va_arg(ap, const char *);

			put_string(s, str ? str : "(null)", &sp);
			break;
		}
		case '%':
			put(s, '%');
			break;
		case '\0':
			fmt--; /* a lone '%' at the end: print nothing, stop cleanly */
			break;
		default: /* unknown conversion: show it as written */
			put(s, '%');
			put(s, *fmt);
			break;
		}
	}
	return (int)s->total;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = {.buf = buf, .size = size ? size - 1 : 0};
	int n = format(&s, fmt, ap);

	if (size)
		buf[s.len] = '\0';
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int sprintf(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, SIZE_MAX / 2, fmt, ap);
	va_end(ap);
	return n;
}

#ifndef SKIFF_HOST_TEST
/* Where printf and printk output goes: nowhere until the kernel names the console. */
static void (*output)(const char *buf, size_t len);

void printk_set_output(void (*write)(const char *buf, size_t len))
{
	output = write;
}

static void write_out(const char *buf, size_t len)
{
	if (output)
		output(buf, len);
}

static void output_sink_flush(struct sink *s)
{
	write_out(s->buf, s->len);
	s->len = 0;
}

int vprintk(const char *fmt, va_list ap)
{
	char chunk[128];
	struct sink s = {.buf = chunk, .size = sizeof(chunk), .flush = output_sink_flush};
	int n = format(&s, fmt, ap);

	output_sink_flush(&s);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

int vprintf(const char *fmt, va_list ap)
{
	return vprintk(fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *str)
{
	write_out(str, strlen(str));
	write_out("\n", 1);
	return 1;
}

int putchar(int c)
{
	char ch = (char)c;

	write_out(&ch, 1);
	return (unsigned char)c;
}
#endif
