/*
 * The printf family. One formatter writes to a "sink": a bounded buffer (snprintf) or
 * the console in small chunks (printf, printk). Supported: flags - 0 + space #, width
 * and precision (numbers or *), length hh h l ll z t j, conversions d i u o x X c s p %,
 * and a double's f F e E g G a A, exactly as glibc prints them. A conversion it does not
 * have (long double's L, %n, ...) is printed as written (libc/README.md says why).
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

/*
 * A double's conversions, in integer arithmetic only: the library is built
 * -mgeneral-regs-only, because an event upcall interrupts code that may be holding values
 * in vector registers and does not save them (Makefile). The value m * 2^e is first made
 * an exact decimal: an integer M with m * 2^e = M * 10^-k (for e < 0, m * 2^e is
 * m * 5^-e / 10^-e). Rounding at the last digit printed is then exact too, half to even
 * as glibc does in the default rounding mode; Skiff has no fesetround, and so no other.
 */
#define DEC_BASE 1000000000u /* M is kept in base 10^9, one uint32_t a chunk */
/* The longest M: 2^53 * 5^1074 (a double's least exponent) has 767 digits, 86 chunks;
 * one more for the carry of a rounding. */
#define DEC_CHUNKS 87

static const uint32_t ten_to[10] = {1,	    10,	     100,      1000,	  10000,
				    100000, 1000000, 10000000, 100000000, 1000000000};
static const uint32_t five_to[14] = {1,	      5,	25,	   125,	      625,
				     3125,    15625,	78125,	   390625,    1953125,
				     9765625, 48828125, 244140625, 1220703125};

struct decimal {
	uint32_t chunk[DEC_CHUNKS]; /* M, least significant chunk first */
	int n;			    /* chunks in use (0: M is 0); the top one is not 0 */
	int k;			    /* the value is M * 10^-k */
};

/* M *= factor, for factor < 2^31 (a chunk is < 2^30: the product fits 64 bits). */
static void dec_mul(struct decimal *d, uint32_t factor)
{
	uint64_t carry = 0;

	for (int i = 0; i < d->n; i++) {
		uint64_t t = (uint64_t)d->chunk[i] * factor + carry;

		d->chunk[i] = t % DEC_BASE;
		carry = t / DEC_BASE;
	}
	for (; carry; carry /= DEC_BASE) /* within DEC_CHUNKS for any double (above) */
		d->chunk[d->n++] = carry % DEC_BASE;
}

/* d = m * 2^e, exactly. */
static void dec_from_binary(struct decimal *d, uint64_t m, int e)
{
	while (m && !(m & 1) && e < 0) { /* fewer digits to carry: 6 * 2^-1 is 3 */
		m >>= 1;
		e++;
	}
	d->n = 0;
	for (; m; m /= DEC_BASE)
		d->chunk[d->n++] = m % DEC_BASE;
	for (int step; e > 0; e -= step) {
		step = e < 29 ? e : 29;
		dec_mul(d, 1u << step);
	}
	d->k = e < 0 ? -e : 0;
	for (int step, k = d->k; k > 0; k -= step) {
		step = k < 13 ? k : 13;
		dec_mul(d, five_to[step]);
	}
}

static int dec_count_digits(const struct decimal *d)
{
	int n;

	if (!d->n)
		return 0;
	n = 9 * (d->n - 1) + 1;
	for (int i = 1; i < 9 && d->chunk[d->n - 1] >= ten_to[i]; i++)
		n++;
	return n;
}

/* Digit j of M, counting from its least significant (0); 0 beyond its ends. */
static int dec_digit(const struct decimal *d, int j)
{
	if (j < 0 || j / 9 >= d->n)
		return 0;
	return d->chunk[j / 9] / ten_to[j % 9] % 10;
}

/* The digit of the value at decimal place p (the 10^p place). */
static int dec_digit_at(const struct decimal *d, int p)
{
	return dec_digit(d, p + d->k);
}

/* The place of the value's first digit (x in d.ddd * 10^x); 0 for the value 0. */
static int dec_exponent(const struct decimal *d)
{
	return d->n ? dec_count_digits(d) - 1 - d->k : 0;
}

/* Is any digit of M below digit j not 0? */
static bool dec_nonzero_below(const struct decimal *d, int j)
{
	if (j / 9 < d->n && d->chunk[j / 9] % ten_to[j % 9])
		return true;
	for (int i = 0; i < j / 9 && i < d->n; i++)
		if (d->chunk[i])
			return true;
	return false;
}

/* Keep the value's digits at places >= p and drop the rest, rounding half to even. */
static void dec_round(struct decimal *d, int p)
{
	int cut = p + d->k; /* M's digits below this one go */
	int first, q, r;
	bool rest, up;

	if (cut <= 0)
		return; /* nothing below p: exact already */
	first = dec_digit(d, cut - 1);
	rest = dec_nonzero_below(d, cut - 1);
	/* M /= 10^cut: q whole chunks, then r digits shifted across each chunk boundary */
	q = cut / 9;
	r = cut % 9;
	if (q >= d->n)
		d->n = 0;
	for (int i = 0; i + q < d->n; i++) {
		uint32_t high = i + q + 1 < d->n ? d->chunk[i + q + 1] % ten_to[r] : 0;

		d->chunk[i] = d->chunk[i + q] / ten_to[r] + high * ten_to[9 - r];
	}
	d->n = d->n > q ? d->n - q : 0;
	while (d->n && !d->chunk[d->n - 1])
		d->n--;
	d->k -= cut;
	/* 10^9 is even, so M's lowest chunk tells whether the last digit kept is odd */
	up = first > 5 || (first == 5 && (rest || (d->n && (d->chunk[0] & 1))));
	for (int i = 0; up; i++) { /* M += 1 */
		if (i == d->n)
			d->chunk[d->n++] = 0;
		up = ++d->chunk[i] == DEC_BASE;
		if (up)
			d->chunk[i] = 0;
	}
}

/* The padding before a number of len characters after its prefix (sign, "0x"), and the
 * prefix: spaces before it, or zeros after it. */
static void put_pad_before(struct sink *s, const struct spec *sp, const char *prefix, int len,
			   bool zeros)
{
	int pad = sp->width - len - (int)strlen(prefix);

	if (!sp->left && !zeros)
		put_repeat(s, ' ', pad);
	while (*prefix)
		put(s, *prefix++);
	if (!sp->left && zeros)
		put_repeat(s, '0', pad);
}

static void put_pad_after(struct sink *s, const struct spec *sp, const char *prefix, int len)
{
	if (sp->left)
		put_repeat(s, ' ', sp->width - len - (int)strlen(prefix));
}

/* The digits at places from down to to. */
static void put_digits_at(struct sink *s, const struct decimal *d, int from, int to)
{
	for (int p = from; p >= to; p--)
		put(s, '0' + dec_digit_at(d, p));
}

/* d.ddde+xx with prec digits after the point, of a rounded d whose first digit is at x. */
static void put_exp_style(struct sink *s, const struct spec *sp, const char *sign,
			  const struct decimal *d, int x, int prec, bool upper)
{
	bool point = prec > 0 || sp->alt;
	int ax = x < 0 ? -x : x;
	int xdigits = ax >= 100 ? 3 : 2; /* at least two; a double's go to 324 */
	int len = 1 + point + prec + 2 + xdigits;

	put_pad_before(s, sp, sign, len, sp->zero);
	put_digits_at(s, d, x, x);
	if (point)
		put(s, '.');
	put_digits_at(s, d, x - 1, x - prec);
	put(s, upper ? 'E' : 'e');
	put(s, x < 0 ? '-' : '+');
	if (xdigits == 3)
		put(s, '0' + ax / 100);
	put(s, '0' + ax / 10 % 10);
	put(s, '0' + ax % 10);
	put_pad_after(s, sp, sign, len);
}

/* ddd.ddd with prec digits after the point, of a rounded d whose first digit is at x. */
static void put_fixed_style(struct sink *s, const struct spec *sp, const char *sign,
			    const struct decimal *d, int x, int prec)
{
	bool point = prec > 0 || sp->alt;
	int whole = x > 0 ? x + 1 : 1; /* digits before the point: at least the 0 of 0.5 */
	int len = whole + point + prec;

	put_pad_before(s, sp, sign, len, sp->zero);
	put_digits_at(s, d, whole - 1, 0);
	if (point)
		put(s, '.');
	put_digits_at(s, d, -1, -prec);
	put_pad_after(s, sp, sign, len);
}

/*
 * %a: 0xh.hhhp+d, the 52 bits of the fraction as 13 hex digits (less trailing zeros, unless
 * a precision says how many: then rounded half to even). A normal number starts 0x1, a
 * subnormal 0x0 with exponent -1022; a rounding that carries makes it 0x2, as in glibc.
 */
static void put_hex_float(struct sink *s, const struct spec *sp, const char *sign, int biased,
			  uint64_t frac, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int lead = biased ? 1 : 0;
	int x = biased ? biased - 1023 : frac ? -1022 : 0;
	int prec = sp->precision, len, ax, xdigits;
	char prefix[4];
	bool point;

	if (prec < 0)
		for (prec = 13; prec && ((frac >> (4 * (13 - prec))) & 0xf) == 0; prec--)
			;
	if (prec < 13) {
		int drop = 4 * (13 - prec);
		uint64_t rest = frac & ((1ull << drop) - 1), half = 1ull << (drop - 1);
		bool odd;

		frac >>= drop;
		odd = prec ? frac & 1 : lead & 1;
		if (rest > half || (rest == half && odd)) {
			if (!prec || ++frac >> (4 * prec)) { /* carried into the first digit */
				frac = 0;
				lead++;
			}
		}
		frac <<= drop;
	}
	point = prec > 0 || sp->alt;
	ax = x < 0 ? -x : x;
	xdigits = ax >= 1000 ? 4 : ax >= 100 ? 3 : ax >= 10 ? 2 : 1;
	len = 1 + point + prec + 2 + xdigits;
	prefix[0] = '\0';
	strcat(strcat(prefix, sign), upper ? "0X" : "0x");

	put_pad_before(s, sp, prefix, len, sp->zero);
	put(s, digits[lead]);
	if (point)
		put(s, '.');
	for (int i = 0; i < prec; i++)
		put(s, i < 13 ? digits[(frac >> (48 - 4 * i)) & 0xf] : '0');
	put(s, upper ? 'P' : 'p');
	put(s, x < 0 ? '-' : '+');
	for (int div = ten_to[xdigits - 1]; div; div /= 10)
		put(s, '0' + ax / div % 10);
	put_pad_after(s, sp, prefix, len);
}

/*
 * One of f F e E g G a A, of a double given as its 64 bits. Not inlined, so that its
 * decimal (some 350 bytes) is on the stack only while a float is printed, not in every
 * printk's frame.
 */
static __attribute__((noinline)) void put_float(struct sink *s, const struct spec *spec, char conv,
						uint64_t bits)
{
	struct spec sp = *spec;
	bool upper = conv >= 'A' && conv <= 'Z', fixed;
	int biased = (bits >> 52) & 0x7ff;
	uint64_t frac = bits & ((1ull << 52) - 1);
	const char *sign = bits >> 63 ? "-" : sp.plus ? "+" : sp.space ? " " : "";
	struct decimal d;
	int prec, x;

	if (sp.left)
		sp.zero = false; /* C11 7.21.6.1p6: '-' wins over '0' */
	if (biased == 0x7ff) {	 /* inf and nan: no digits, so no zeros to pad with */
		const char *word = frac ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf");

		put_pad_before(s, &sp, sign, 3, false);
		while (*word)
			put(s, *word++);
		put_pad_after(s, &sp, sign, 3);
		return;
	}
	if (conv == 'a' || conv == 'A') {
		put_hex_float(s, &sp, sign, biased, frac, upper);
		return;
	}

	/* m * 2^e; a subnormal has no implicit leading 1 and the least exponent */
	dec_from_binary(&d, biased ? frac | 1ull << 52 : frac, (biased ? biased : 1) - 1075);
	prec = sp.precision < 0 ? 6 : sp.precision;
	switch (conv) {
	case 'f':
	case 'F':
		dec_round(&d, -prec);
		put_fixed_style(s, &sp, sign, &d, dec_exponent(&d), prec);
		break;
	case 'e':
	case 'E':
		dec_round(&d, dec_exponent(&d) - prec); /* 9.99 may become 10.0: x after */
		put_exp_style(s, &sp, sign, &d, dec_exponent(&d), prec, upper);
		break;
	default: /* g G: prec significant digits; the style follows the exponent (C11 7.21.6.1p8) */
		if (prec == 0)
			prec = 1;
		dec_round(&d, dec_exponent(&d) - (prec - 1));
		x = dec_exponent(&d);
		fixed = prec > x && x >= -4;
		prec = fixed ? prec - 1 - x : prec - 1;
		/* without '#', trailing zeros after the point go, and the point if none is left */
		while (!sp.alt && prec > 0 && dec_digit_at(&d, (fixed ? 0 : x) - prec) == 0)
			prec--;
		if (fixed)
			put_fixed_style(s, &sp, sign, &d, x, prec);
		else
			put_exp_style(s, &sp, sign, &d, x, prec, upper);
		break;
	}
}

/*
 * va_arg(ap, double) without an SSE instruction (x86-64 System V ABI, 3.5.7): a variadic
 * double travels in an XMM register, which the callee's prologue stored in the va_list's
 * register save area (fp_offset 48 to 176, 16 bytes each); once the eight are used, on the
 * stack. Our own variadic functions store them too (VA_SAVES_VECTOR_ARGS, printk.h).
 */
static uint64_t va_arg_double_bits(va_list ap)
{
	uint64_t bits;

	if (ap->fp_offset < 176) {
		memcpy(&bits, (char *)ap->reg_save_area + ap->fp_offset, sizeof(bits));
		ap->fp_offset += 16;
	} else {
		memcpy(&bits, ap->overflow_arg_area, sizeof(bits));
		ap->overflow_arg_area = (char *)ap->overflow_arg_area + 8;
	}
	return bits;
}

/* Step over a long double, which always travels on the stack: 16 bytes, 16-aligned. */
static void va_skip_long_double(va_list ap)
{
	uintptr_t p = ((uintptr_t)ap->overflow_arg_area + 15) & ~(uintptr_t)15;

	ap->overflow_arg_area = (void *)(p + 16);
}

static int format(struct sink *s, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		struct spec sp = {.precision = -1};
		int length = 0; /* -2 hh, -1 h, 0 int, 1 long, 2 long long / size_t / ptrdiff */
		bool long_double = false;
		const char *start = fmt;
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
			else if (*fmt == 'L')
				long_double = true;
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
		case 'f':
		case 'F':
		case 'e':
		case 'E':
		case 'g':
		case 'G':
		case 'a':
		case 'A':
			if (long_double) { /* not formatted (README.md): shown as written */
				va_skip_long_double(ap);
				while (start <= fmt)
					put(s, *start++);
				break;
			}
			put_float(s, &sp, *fmt, va_arg_double_bits(ap));
			break;
		case '%':
			put(s, '%');
			break;
		case '\0':
			fmt--; /* a lone '%' at the end: print nothing, stop cleanly */
			break;
		default: /* unknown conversion: show it as written */
			while (start <= fmt)
				put(s, *start++);
			break;
		}
	}
	return (int)s->total;
}

/* Not inlined into snprintf or sprintf, whose SSE code could then zero its sink with pxor. */
__attribute__((noinline)) int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = {.buf = buf, .size = size ? size - 1 : 0};
	int n = format(&s, fmt, ap);

	if (size)
		buf[s.len] = '\0';
	return n;
}

VA_SAVES_VECTOR_ARGS int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

VA_SAVES_VECTOR_ARGS int sprintf(char *buf, const char *fmt, ...)
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

/* Not inlined into printf, for the reason vsnprintf is not. */
__attribute__((noinline)) int vprintk(const char *fmt, va_list ap)
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

VA_SAVES_VECTOR_ARGS int printf(const char *fmt, ...)
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
