/* ics_http.c — HTTP dates and entity tags for the feed routes. */
#include "web/ics_http.h"

#include <stdio.h>
#include <string.h>

#include "base/metrics.h"
#include "ics/ics_time.h"

static const char *const wday[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void ics_http_date_format(int64_t t, char out[32])
{
	int64_t days = ics_floor_days(t), secs = t - days * ICS_SECS_PER_DAY, y;
	int m, d;
	ics_civil_from_days(days, &y, &m, &d);
	snprintf(out, 32, "%s, %02d %s %04lld %02d:%02d:%02d GMT", wday[ics_weekday(days)], d, mon[m - 1], (long long)y,
		 (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

static int month_of(const char *s)
{
	for (int i = 0; i < 12; i++)
		if (!strcmp(s, mon[i]))
			return i + 1;
	return 0;
}

static bool finish(int64_t y, int m, int d, int hh, int mm, int ss, int64_t *out)
{
	if (m < 1 || d < 1 || d > ics_days_in_month(y, m) || hh > 23 || mm > 59 || ss > 60 || hh < 0 || mm < 0 || ss < 0)
		return false;
	*out = ics_days_from_civil(y, m, d) * ICS_SECS_PER_DAY + hh * 3600 + mm * 60 + (ss == 60 ? 59 : ss);
	return true;
}

bool ics_http_date_parse(const char *s, int64_t *out)
{
	char wd[16], mo[4];
	int d, y, hh, mm, ss, n = -1;
	size_t len = strlen(s);
	/* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
	if (sscanf(s, "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d GMT%n", wd, &d, mo, &y, &hh, &mm, &ss, &n) == 7 &&
	    (size_t)n == len)
		return finish(y, month_of(mo), d, hh, mm, ss, out);
	/* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT (two-digit years: the past 100 years) */
	n = -1;
	if (sscanf(s, "%15[A-Za-z], %2d-%3[A-Za-z]-%2d %2d:%2d:%2d GMT%n", wd, &d, mo, &y, &hh, &mm, &ss, &n) == 7 &&
	    (size_t)n == len)
		return finish(y + (y < 70 ? 2000 : 1900), month_of(mo), d, hh, mm, ss, out);
	/* asctime: Sun Nov  6 08:49:37 1994 */
	n = -1;
	if (sscanf(s, "%3[A-Za-z] %3[A-Za-z] %2d %2d:%2d:%2d %4d%n", wd, mo, &d, &hh, &mm, &ss, &y, &n) == 7 &&
	    (size_t)n == len)
		return finish(y, month_of(mo), d, hh, mm, ss, out);
	return false;
}


void ics_http_declare_metrics(void)
{
	metrics_declare("radsched_ics_feed_requests_total", METRIC_COUNTER,
			"ICS feed requests by outcome: hit (cached, fresh), revalidated (cached, checked), rendered,"
			" not_modified, not_found, error.");
}
