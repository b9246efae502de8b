#include "json/json_format.h"

#include <string.h>

static bool digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int num(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static bool is_date(const char *s)
{
	if (strlen(s) != 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
		return false;
	int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12 || d < 1)
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

static bool is_time(const char *s)
{
	if (!digits(s, 2) || s[2] != ':' || !digits(s + 3, 2) || s[5] != ':' || !digits(s + 6, 2))
		return false;
	if (num(s, 2) > 23 || num(s + 3, 2) > 59 || num(s + 6, 2) > 60)
		return false;
	const char *p = s + 8;
	if (*p == '.') {
		p++;
		if (!digits(p, 1))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if ((*p == 'Z' || *p == 'z') && !p[1])
		return true;
	if (*p != '+' && *p != '-')
		return false;
	p++;
	return strlen(p) == 5 && digits(p, 2) && p[2] == ':' && digits(p + 3, 2) && num(p, 2) <= 23 &&
	       num(p + 3, 2) <= 59;
}

static bool atext(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+/=?^_`{|}~-", c));
}

static bool alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_email(const char *s)
{
	const char *at = strrchr(s, '@');
	if (!at || at == s)
		return false;
	/* local part: atoms separated by single dots */
	bool prev_dot = true;
	for (const char *p = s; p < at; p++) {
		if (*p == '.') {
			if (prev_dot)
				return false;
			prev_dot = true;
		} else if (atext(*p)) {
			prev_dot = false;
		} else {
			return false;
		}
	}
	if (prev_dot)
		return false;
	/* domain: labels of 1..63 alnum/hyphen, no hyphen at either end, at least two */
	int labels = 0;
	const char *p = at + 1;
	for (;;) {
		const char *e = p;
		while (alnum(*e) || *e == '-')
			e++;
		long n = e - p;
		if (n < 1 || n > 63 || p[0] == '-' || e[-1] == '-')
			return false;
		labels++;
		if (!*e)
			break;
		if (*e != '.')
			return false;
		p = e + 1;
	}
	return labels >= 2;
}

bool json_format_known(const char *f)
{
	return !strcmp(f, "date") || !strcmp(f, "time") || !strcmp(f, "email");
}

bool json_format_check(const char *f, const char *s)
{
	if (!strcmp(f, "date"))
		return is_date(s);
	if (!strcmp(f, "time"))
		return is_time(s);
	if (!strcmp(f, "email"))
		return is_email(s);
	return false;
}
