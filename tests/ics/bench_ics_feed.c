/* bench_ics_feed.c — time ics_feed_render() for a per-user 12-month feed (250 events,
 * America/Toronto, a fifth of them night shifts, some all-day calls). Not a test and not
 * built by the Makefile; from the repository root:
 *   make BUILD=build-ics SRC_DIRS="src/base src/ics src/db" build-ics/libradsched.a
 *   cc -O2 -std=c17 -D_DEFAULT_SOURCE -Isrc tests/ics/bench_ics_feed.c build-ics/libradsched.a \
 *      -lpthread -o build-ics/bench_ics_feed && build-ics/bench_ics_feed
 * "cold" = first render in the process (reads the TZif file, builds the VTIMEZONE);
 * "cold, cache cleared" repeats that with the VTIMEZONE cache emptied before each run
 * (the TZif file is then in the OS page cache); "warm" = VTIMEZONE cached. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ics/ics_feed.h"
#include "ics/ics_tz.h"

#define N 250

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static struct ics_local to_local(time_t wall_as_utc)
{
	struct tm d;
	gmtime_r(&wall_as_utc, &d);
	return (struct ics_local){d.tm_year + 1900, d.tm_mon + 1, d.tm_mday, d.tm_hour, d.tm_min, 0};
}

static int64_t instant(struct ics_local l)
{
	struct tm t = {.tm_year = l.year - 1900, .tm_mon = l.month - 1, .tm_mday = l.day, .tm_hour = l.hour,
		       .tm_min = l.minute, .tm_isdst = -1};
	return (int64_t)mktime(&t);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(void)
{
	static struct ics_event ev[N];
	static char uids[N][48], descr[N][96], urls[N][96];
	setenv("TZ", "America/Toronto", 1);
	tzset();
	time_t jan1 = 1767225600; /* 2026-01-01T00:00:00Z, as a wall clock */
	for (int i = 0; i < N; i++) {
		time_t day = jan1 + (time_t)((i * 365) / N) * 86400;
		int night = i % 5 == 0;
		snprintf(uids[i], sizeof uids[i], "asg-%012x@radsched", 0xabc000 + i);
		snprintf(descr[i], sizeof descr[i], "Reading room %d, main campus; pager 44%02d", i % 7, i % 100);
		snprintf(urls[i], sizeof urls[i], "https://radsched.example/app/assignments/%012x", 0xabc000 + i);
		struct ics_event *e = &ev[i];
		e->uid = uids[i];
		e->fields = (struct ics_summary_fields){night ? "NIGHT" : "CT-D", NULL, "Neuro", "JS", NULL, {0}};
		e->description = descr[i];
		e->url = urls[i];
		e->all_day = i % 11 == 0;
		e->transparent = e->all_day;
		e->start = to_local(day + (night ? 22 : 8) * 3600);
		e->end = e->all_day ? to_local(day + 86400) : to_local(day + (night ? 32 : 16) * 3600);
		if (e->all_day)
			e->start = to_local(day);
		else {
			e->start_utc = instant(e->start);
			e->end_utc = instant(e->end);
		}
		e->sequence = (uint32_t)(i % 3);
		e->dtstamp = e->last_modified = 1768478400;
	}
	struct ics_calendar cal = {.name = "Dr. Jane Smith — radsched",
				   .tzid = "America/Toronto",
				   .refresh_seconds = 3600,
				   .window_start = {2026, 1, 1},
				   .window_end = {2027, 1, 1}};
	struct buf out;
	buf_init(&out, 8 << 20);
	struct errinfo ei = {0};

	double t0 = now_ms();
	if (ics_feed_render(&cal, ev, N, &out, &ei) != ERR_OK) {
		fprintf(stderr, "render failed: %s\n", ei.message);
		return 1;
	}
	double cold = now_ms() - t0;
	size_t bytes = out.len;

	enum { RUNS = 200 };
	double cleared[RUNS], warm[RUNS];
	for (int r = 0; r < RUNS; r++) {
		ics_tz_cache_clear();
		buf_fini(&out);
		buf_init(&out, 8 << 20);
		t0 = now_ms();
		if (ics_feed_render(&cal, ev, N, &out, &ei) != ERR_OK)
			return 1;
		cleared[r] = now_ms() - t0;
	}
	for (int r = 0; r < RUNS; r++) {
		buf_fini(&out);
		buf_init(&out, 8 << 20);
		t0 = now_ms();
		if (ics_feed_render(&cal, ev, N, &out, &ei) != ERR_OK)
			return 1;
		warm[r] = now_ms() - t0;
	}
	qsort(cleared, RUNS, sizeof cleared[0], cmp_double);
	qsort(warm, RUNS, sizeof warm[0], cmp_double);
	printf("events %d, feed %zu bytes\n", N, bytes);
	printf("cold (first render in process): %.3f ms\n", cold);
	printf("cold, cache cleared: median %.3f ms, p95 %.3f ms\n", cleared[RUNS / 2], cleared[RUNS * 95 / 100]);
	printf("warm (VTIMEZONE cached):   median %.3f ms, p95 %.3f ms\n", warm[RUNS / 2], warm[RUNS * 95 / 100]);
	buf_fini(&out);
	ics_tz_cache_clear();
	return 0;
}
