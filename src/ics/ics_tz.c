#include "ics/ics_tz.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "ics/ics_time.h"
#include "ics/ics_write.h"

#define MARGIN (2 * ICS_SECS_PER_DAY) /* covers any UTC offset around 1 January */

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct ics_tz_period *cache_head;
static size_t cache_n;

void ics_tz_period_free(struct ics_tz_period *p)
{
	if (!p)
		return;
	free(p->steps);
	free(p->vtimezone);
	free(p);
}

void ics_tz_cache_clear(void)
{
	pthread_mutex_lock(&cache_mu);
	struct ics_tz_period *p = cache_head;
	cache_head = NULL;
	cache_n = 0;
	pthread_mutex_unlock(&cache_mu);
	while (p) {
		struct ics_tz_period *next = p->next;
		ics_tz_period_free(p);
		p = next;
	}
}

size_t ics_tz_cache_size(void)
{
	pthread_mutex_lock(&cache_mu);
	size_t n = cache_n;
	pthread_mutex_unlock(&cache_mu);
	return n;
}

/* ---- observances ---- */

/* STANDARD or DAYLIGHT for a change from f to t. tzdata's main form flags some winters as
 * daylight time with a negative saving (Europe/Dublin, Africa/Casablanca in Ramadan);
 * calendar clients expect DAYLIGHT to be the higher offset, so such changes are written
 * the way tzdata's "rearguard" form has them. Offsets and names stay as they are. */
static bool obs_daylight(const struct ics_tz_type *f, const struct ics_tz_type *t)
{
	if (t->isdst && !f->isdst && t->utoff < f->utoff)
		return false;
	if (!t->isdst && f->isdst && t->utoff > f->utoff)
		return true;
	return t->isdst;
}

/* BEGIN:STANDARD|DAYLIGHT, DTSTART, TZOFFSETFROM, TZOFFSETTO, TZNAME; returns the kind. */
static bool obs_head(struct icsw *w, const struct ics_tzdb_zone *z, int64_t dtstart_local, uint16_t from,
		     uint16_t to)
{
	const struct ics_tz_type *tf = &z->types[from], *tt = &z->types[to];
	bool daylight = obs_daylight(tf, tt);
	icsw_line(w, "BEGIN:", daylight ? "DAYLIGHT" : "STANDARD");
	icsw_str(w, "DTSTART:");
	icsw_local(w, dtstart_local);
	icsw_end(w);
	icsw_str(w, "TZOFFSETFROM:");
	icsw_utc_offset(w, tf->utoff);
	icsw_end(w);
	icsw_str(w, "TZOFFSETTO:");
	icsw_utc_offset(w, tt->utoff);
	icsw_end(w);
	if (tt->abbr[0]) {
		icsw_str(w, "TZNAME:");
		icsw_text(w, tt->abbr, strlen(tt->abbr));
		icsw_end(w);
	}
	return daylight;
}

static void obs_end(struct icsw *w, bool daylight) { icsw_line(w, "END:", daylight ? "DAYLIGHT" : "STANDARD"); }

static bool trans_same(const struct ics_tzdb_zone *z, const struct ics_tz_trans *a, const struct ics_tz_trans *b)
{
	return a->at == b->at && ics_tz_type_same(&z->types[a->from], &z->types[b->from]) &&
	       ics_tz_type_same(&z->types[a->to], &z->types[b->to]);
}

static bool rule_rrule_ok(const struct ics_tz_rule_date *r)
{
	return r->kind == 'M' && r->time >= 0 && r->time < ICS_SECS_PER_DAY;
}

/* Do the changes s[0..n) equal, one for one, what the footer rule produces from s[0]
 * to `until`? Then RRULE observances describe the span exactly. */
static bool follows_rule(const struct ics_tzdb_zone *z, const struct ics_tz_trans *s, size_t n, int64_t until)
{
	if (!n || !z->has_rule || !z->rule_dst || !rule_rrule_ok(&z->start) || !rule_rrule_ok(&z->end))
		return false;
	int64_t y, y_end;
	int m, d;
	ics_civil_from_days(ics_floor_days(s[0].at), &y, &m, &d);
	ics_civil_from_days(ics_floor_days(until), &y_end, &m, &d);
	size_t k = 0;
	for (int64_t yy = y - 1; yy <= y_end + 1; yy++) {
		struct ics_tz_trans tr[2];
		int c = ics_tzdb_rule_year(z, yy, tr);
		for (int i = 0; i < c; i++) {
			if (tr[i].at < s[0].at || tr[i].at > until)
				continue;
			if (k >= n || !trans_same(z, &tr[i], &s[k]))
				return false;
			k++;
		}
	}
	return k == n;
}

static void write_rrule(struct icsw *w, const struct ics_tz_rule_date *r)
{
	static const char *const dn[7] = {"SU", "MO", "TU", "WE", "TH", "FR", "SA"};
	icsw_str(w, "RRULE:FREQ=YEARLY;BYMONTH=");
	icsw_int(w, r->m);
	icsw_str(w, ";BYDAY=");
	icsw_int(w, r->w == 5 ? -1 : r->w);
	icsw_str(w, dn[r->d]);
	icsw_end(w);
}

static void write_rrule_form(struct icsw *w, const struct ics_tzdb_zone *z, const struct ics_tz_trans *s,
			     size_t n)
{
	/* the first change of each kind anchors its observance */
	const struct ics_tz_trans *first[2] = {NULL, NULL};
	for (size_t i = 0; i < n && !(first[0] && first[1]); i++) {
		int dst = z->types[s[i].to].isdst;
		if (!first[dst])
			first[dst] = &s[i];
	}
	if (first[0] && first[1] && first[1]->at < first[0]->at) { /* chronological order */
		const struct ics_tz_trans *tmp = first[0];
		first[0] = first[1];
		first[1] = tmp;
	}
	for (int k = 0; k < 2; k++) {
		const struct ics_tz_trans *t = first[k];
		if (!t)
			continue;
		bool daylight = obs_head(w, z, t->at + z->types[t->from].utoff, t->from, t->to);
		write_rrule(w, z->types[t->to].isdst ? &z->start : &z->end);
		obs_end(w, daylight);
	}
}

static void write_rdate_form(struct icsw *w, const struct ics_tzdb_zone *z, const struct ics_tz_trans *s,
			     size_t n)
{
	bool *done = xcalloc(n ? n : 1, sizeof *done);
	for (size_t i = 0; i < n; i++) {
		if (done[i])
			continue;
		const struct ics_tz_type *f = &z->types[s[i].from], *t = &z->types[s[i].to];
		bool daylight = obs_head(w, z, s[i].at + f->utoff, s[i].from, s[i].to);
		/* DTSTART again as an RDATE: RFC 5545 ignores the duplicate, and ical.js (2.x)
		 * only reads the RDATEs of an observance that has no RRULE */
		icsw_str(w, "RDATE:");
		icsw_local(w, s[i].at + f->utoff);
		icsw_end(w);
		for (size_t j = i + 1; j < n; j++) {
			const struct ics_tz_type *fj = &z->types[s[j].from], *tj = &z->types[s[j].to];
			if (done[j] || fj->utoff != f->utoff || !ics_tz_type_same(tj, t))
				continue;
			done[j] = true;
			icsw_str(w, "RDATE:");
			icsw_local(w, s[j].at + fj->utoff);
			icsw_end(w);
		}
		obs_end(w, daylight);
	}
	free(done);
}

/* Changes to describe: the last one at or before `from` (when the zone has one), then
 * every one in (from, to]. Caller frees *out. */
static size_t span_changes(const struct ics_tzdb_zone *z, int64_t from, int64_t to, struct ics_tz_trans **out)
{
	struct ics_tz_trans *in = NULL, *before = NULL;
	size_t n = ics_tzdb_range(z, from, to, &in);
	size_t nb = ics_tzdb_range(z, from - 2 * 366 * (int64_t)ICS_SECS_PER_DAY, from, &before);
	if (nb == 0 && z->n && z->at[0] <= from) {
		free(before);
		nb = ics_tzdb_range(z, z->at[0] - 1, from, &before);
	}
	struct ics_tz_trans *all = xmalloc((n + 1) * sizeof *all);
	size_t k = 0;
	if (nb)
		all[k++] = before[nb - 1];
	if (n)
		memcpy(all + k, in, n * sizeof *in);
	free(in);
	free(before);
	*out = all;
	return k + n;
}

enum err ics_tz_period_build(const char *tzid, int y0, int y1, struct ics_tz_period **out, struct errinfo *ei)
{
	if (y0 < ICS_TZ_MIN_YEAR || y1 > ICS_TZ_MAX_YEAR || y0 > y1)
		return err_set(ei, ERR_INVALID, "window", "years %d..%d are outside %d..%d", y0, y1,
			       ICS_TZ_MIN_YEAR, ICS_TZ_MAX_YEAR);
	if (y1 - y0 + 1 > ICS_TZ_MAX_YEARS)
		return err_set(ei, ERR_TOO_LARGE, "window", "a feed may span at most %d years (asked %d..%d)",
			       ICS_TZ_MAX_YEARS, y0, y1);
	struct ics_tzdb_zone *z = xmalloc(sizeof *z);
	enum err e = ics_tzdb_load(tzid, z, ei);
	if (e) {
		free(z);
		return e;
	}
	int64_t from = ics_days_from_civil(y0, 1, 1) * ICS_SECS_PER_DAY - MARGIN;
	int64_t to = ics_days_from_civil((int64_t)y1 + 1, 1, 1) * ICS_SECS_PER_DAY + MARGIN;
	struct ics_tz_trans *s;
	size_t n = span_changes(z, from, to, &s);

	struct ics_tz_period *p = xcalloc(1, sizeof *p);
	memcpy(p->tzid, tzid, strlen(tzid) + 1);
	p->y0 = y0;
	p->y1 = y1;
	p->initial_off = n ? z->types[s[0].from].utoff : z->types[ics_tzdb_type_at(z, from)].utoff;
	if (n) {
		p->steps = xmalloc(n * sizeof *p->steps);
		for (size_t i = 0; i < n; i++)
			p->steps[i] = (struct ics_tz_step){s[i].at, z->types[s[i].from].utoff, z->types[s[i].to].utoff};
	}
	p->nsteps = n;

	struct buf text;
	buf_init(&text, 0);
	struct icsw w;
	icsw_init(&w, &text);
	icsw_line(&w, "BEGIN:", "VTIMEZONE");
	icsw_str(&w, "TZID:");
	icsw_str(&w, tzid);
	icsw_end(&w);
	if (n == 0) {
		/* no change in the span: one observance, the offset in force throughout */
		uint16_t t = ics_tzdb_type_at(z, from);
		int anchor_year = y0 > 1970 ? 1970 : y0 - 1;
		bool daylight = obs_head(&w, z, ics_days_from_civil(anchor_year, 1, 1) * ICS_SECS_PER_DAY, t, t);
		obs_end(&w, daylight);
	} else if (follows_rule(z, s, n, to)) {
		p->rrule = true;
		write_rrule_form(&w, z, s, n);
	} else {
		write_rdate_form(&w, z, s, n);
	}
	icsw_line(&w, "END:", "VTIMEZONE");
	e = w.err;
	icsw_fini(&w);
	free(s);
	ics_tzdb_zone_fini(z);
	free(z);
	if (e) {
		buf_fini(&text);
		ics_tz_period_free(p);
		return err_set(ei, e, "tzid", "cannot build VTIMEZONE for %s", tzid);
	}
	p->vtimezone = buf_steal(&text, &p->vtimezone_len);
	*out = p;
	return ERR_OK;
}

static const struct ics_tz_period *cache_find(const char *tzid, int y0, int y1)
{
	for (const struct ics_tz_period *p = cache_head; p; p = p->next)
		if (p->y0 == y0 && p->y1 == y1 && strcmp(p->tzid, tzid) == 0)
			return p;
	return NULL;
}

enum err ics_tz_period_get(const char *tzid, int y0, int y1, const struct ics_tz_period **out,
			   struct ics_tz_period **owned, struct errinfo *ei)
{
	*owned = NULL;
	if (!ics_tzid_valid(tzid))
		return err_set(ei, ERR_INVALID, "tzid", "\"%.80s\" is not a time zone name (e.g. America/Toronto)",
			       tzid ? tzid : "");
	pthread_mutex_lock(&cache_mu);
	const struct ics_tz_period *hit = cache_find(tzid, y0, y1);
	pthread_mutex_unlock(&cache_mu);
	if (hit) {
		*out = hit;
		return ERR_OK;
	}
	struct ics_tz_period *p;
	enum err e = ics_tz_period_build(tzid, y0, y1, &p, ei);
	if (e)
		return e;
	pthread_mutex_lock(&cache_mu);
	hit = cache_find(tzid, y0, y1); /* another thread may have built it meanwhile */
	if (!hit && cache_n < ICS_TZ_CACHE_MAX) {
		p->next = cache_head;
		cache_head = p;
		cache_n++;
		hit = p;
		p = NULL;
	}
	pthread_mutex_unlock(&cache_mu);
	if (hit) {
		ics_tz_period_free(p);
		*out = hit;
	} else {
		*out = p;
		*owned = p;
	}
	return ERR_OK;
}

/* ---- conversions ---- */

int32_t ics_tz_offset_at(const struct ics_tz_period *p, int64_t t)
{
	size_t lo = 0, hi = p->nsteps; /* count of steps with at <= t */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->steps[mid].at <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? p->steps[lo - 1].after : p->initial_off;
}

/* A step applies to wall clocks at or after the later of its two local readings. */
static int64_t step_key(const struct ics_tz_step *s)
{
	return s->at + (s->before > s->after ? s->before : s->after);
}

int64_t ics_tz_local_to_utc(const struct ics_tz_period *p, int64_t local, enum ics_local_kind *kind)
{
	size_t lo = 0, hi = p->nsteps; /* count of steps with key <= local */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (step_key(&p->steps[mid]) <= local)
			lo = mid + 1;
		else
			hi = mid;
	}
	int32_t off = lo ? p->steps[lo - 1].after : p->initial_off;
	enum ics_local_kind k = ICS_LOCAL_UNIQUE;
	if (lo < p->nsteps) { /* the next step's ambiguous band ends at its key */
		const struct ics_tz_step *s = &p->steps[lo];
		int64_t band = s->at + (s->before < s->after ? s->before : s->after);
		if (local >= band)
			k = s->after > s->before ? ICS_LOCAL_SKIPPED : ICS_LOCAL_REPEATED;
		/* in both cases RFC 5545 keeps the offset before the step */
	}
	if (kind)
		*kind = k;
	return local - off;
}
