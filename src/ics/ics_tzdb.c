#include "ics/ics_tzdb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "ics/ics_time.h"

#define TZDIR_DEFAULT "/usr/share/zoneinfo"

bool ics_tzid_valid(const char *tzid)
{
	if (!tzid)
		return false;
	size_t n = strlen(tzid), seg = 0;
	if (n == 0 || n > ICS_TZID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = tzid[i];
		if (c == '/') {
			if (seg == 0)
				return false; /* leading or doubled slash */
			seg = 0;
			continue;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '+' || c == '-'))
			return false;
		seg++;
	}
	return seg > 0;
}

bool ics_tz_type_same(const struct ics_tz_type *a, const struct ics_tz_type *b)
{
	return a->utoff == b->utoff && a->isdst == b->isdst && strcmp(a->abbr, b->abbr) == 0;
}

void ics_tzdb_zone_fini(struct ics_tzdb_zone *z)
{
	free(z->at);
	free(z->idx);
	z->at = NULL;
	z->idx = NULL;
	z->n = 0;
}

/* ---- TZif ---- */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p) { return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4)); }

struct tzif_hdr {
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
	char version;
};

static bool hdr_read(const unsigned char *p, size_t len, struct tzif_hdr *h)
{
	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return false;
	h->version = (char)p[4];
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	if (h->typecnt == 0 || h->typecnt > 256 || h->charcnt == 0 || h->charcnt > 256 || h->timecnt > 20000 ||
	    h->leapcnt > 1000 || (h->isutcnt && h->isutcnt != h->typecnt) ||
	    (h->isstdcnt && h->isstdcnt != h->typecnt))
		return false;
	return true;
}

static size_t block_len(const struct tzif_hdr *h, size_t tsize)
{
	return h->timecnt * tsize + h->timecnt + h->typecnt * 6 + h->charcnt + h->leapcnt * (tsize + 4) +
	       h->isstdcnt + h->isutcnt;
}

static uint16_t type_add(struct ics_tzdb_zone *z, const struct ics_tz_type *t)
{
	for (size_t i = 0; i < z->ntypes; i++)
		if (ics_tz_type_same(&z->types[i], t))
			return (uint16_t)i;
	z->types[z->ntypes] = *t;
	return (uint16_t)z->ntypes++;
}

static bool posix_parse(struct ics_tzdb_zone *z, const char *s, size_t n);

enum err ics_tzdb_parse(const unsigned char *data, size_t len, struct ics_tzdb_zone *z, struct errinfo *ei)
{
	struct tzif_hdr h;
	const char *bad = "not a valid TZif file";
	memset(z->types, 0, sizeof z->types);
	z->ntypes = 0;
	z->at = NULL;
	z->idx = NULL;
	z->n = 0;
	z->has_rule = z->rule_dst = false;
	if (!hdr_read(data, len, &h))
		return err_set(ei, ERR_MALFORMED, "", "%s", bad);
	size_t tsize = 4;
	const unsigned char *p = data + 44, *end = data + len;
	size_t b1 = block_len(&h, 4);
	if ((size_t)(end - p) < b1)
		return err_set(ei, ERR_MALFORMED, "", "%s (truncated)", bad);
	if (h.version >= '2') {
		p += b1;
		if (!hdr_read(p, (size_t)(end - p), &h))
			return err_set(ei, ERR_MALFORMED, "", "%s (second header)", bad);
		p += 44;
		tsize = 8;
		if ((size_t)(end - p) < block_len(&h, 8))
			return err_set(ei, ERR_MALFORMED, "", "%s (truncated)", bad);
	}
	if (h.leapcnt)
		return err_set(ei, ERR_UNSUPPORTED, "", "time zone files with leap seconds are not supported");
	const unsigned char *times = p, *tidx = times + h.timecnt * tsize, *ttinfo = tidx + h.timecnt,
			    *chars = ttinfo + h.typecnt * 6;
	for (uint32_t i = 0; i < h.typecnt; i++) {
		const unsigned char *t = ttinfo + 6 * i;
		struct ics_tz_type *ty = &z->types[i];
		ty->utoff = (int32_t)be32(t);
		ty->isdst = t[4] != 0;
		unsigned ai = t[5];
		if (ty->utoff < -25 * 3600 || ty->utoff > 26 * 3600 || t[4] > 1 || ai >= h.charcnt)
			return err_set(ei, ERR_MALFORMED, "", "%s (bad local time type)", bad);
		size_t k = 0;
		while (ai + k < h.charcnt && chars[ai + k] && k < ICS_TZ_ABBR_MAX - 1) {
			ty->abbr[k] = (char)chars[ai + k];
			k++;
		}
		ty->abbr[k] = 0;
	}
	z->ntypes = h.typecnt;
	if (h.timecnt) {
		z->at = xmalloc(h.timecnt * sizeof *z->at);
		z->idx = xmalloc(h.timecnt * sizeof *z->idx);
	}
	for (uint32_t i = 0; i < h.timecnt; i++) {
		int64_t t = tsize == 8 ? be64(times + 8 * i) : (int64_t)(int32_t)be32(times + 4 * i);
		if (tidx[i] >= h.typecnt || (i && t <= z->at[i - 1])) {
			ics_tzdb_zone_fini(z);
			return err_set(ei, ERR_MALFORMED, "", "%s (bad transition table)", bad);
		}
		z->at[i] = t;
		z->idx[i] = tidx[i];
	}
	z->n = h.timecnt;
	if (tsize == 8) {
		const unsigned char *f = p + block_len(&h, 8);
		if (f < end && *f == '\n') {
			const unsigned char *nl = memchr(f + 1, '\n', (size_t)(end - f - 1));
			if (!nl) {
				ics_tzdb_zone_fini(z);
				return err_set(ei, ERR_MALFORMED, "", "%s (footer)", bad);
			}
			size_t fl = (size_t)(nl - f - 1);
			if (fl && !posix_parse(z, (const char *)f + 1, fl)) {
				ics_tzdb_zone_fini(z);
				return err_set(ei, ERR_MALFORMED, "", "%s (footer TZ string)", bad);
			}
		}
	}
	return ERR_OK;
}

enum err ics_tzdb_load(const char *tzid, struct ics_tzdb_zone *z, struct errinfo *ei)
{
	if (!ics_tzid_valid(tzid))
		return err_set(ei, ERR_INVALID, "tzid", "\"%.80s\" is not a time zone name (e.g. America/Toronto)",
			       tzid ? tzid : "");
	const char *dir = getenv("TZDIR");
	if (!dir || !*dir)
		dir = TZDIR_DEFAULT;
	char path[1024];
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, tzid) >= sizeof path)
		return err_set(ei, ERR_INVALID, "tzid", "time zone path too long");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return err_set(ei, ERR_NOT_FOUND, "tzid", "unknown time zone \"%s\"", tzid);
		return err_set(ei, ERR_IO, "tzid", "cannot open time zone \"%s\": %s", tzid, strerror(errno));
	}
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return err_set(ei, ERR_NOT_FOUND, "tzid", "unknown time zone \"%s\"", tzid);
	}
	if (sb.st_size > ICS_TZIF_MAX_BYTES) {
		close(fd);
		return err_set(ei, ERR_MALFORMED, "tzid", "time zone file \"%s\" is too large", tzid);
	}
	size_t want = (size_t)sb.st_size, len = 0;
	unsigned char *data = xmalloc(want ? want : 1);
	while (len < want) {
		ssize_t r = read(fd, data + len, want - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int saved = r < 0 ? errno : EIO;
			close(fd);
			free(data);
			return err_set(ei, ERR_IO, "tzid", "cannot read time zone \"%s\": %s", tzid, strerror(saved));
		}
		len += (size_t)r;
	}
	close(fd);
	enum err e = ics_tzdb_parse(data, len, z, ei);
	free(data);
	if (e)
		return e;
	memcpy(z->tzid, tzid, strlen(tzid) + 1);
	return ERR_OK;
}

/* ---- POSIX TZ footer: std offset [dst [offset] [,start[/time],end[/time]]] ---- */

struct pcur {
	const char *s, *e;
};

static bool p_name(struct pcur *c, char out[ICS_TZ_ABBR_MAX])
{
	size_t k = 0;
	if (c->s < c->e && *c->s == '<') {
		c->s++;
		while (c->s < c->e && *c->s != '>') {
			char ch = *c->s++;
			if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
			      ch == '+' || ch == '-') ||
			    k >= ICS_TZ_ABBR_MAX - 1)
				return false;
			out[k++] = ch;
		}
		if (c->s >= c->e)
			return false;
		c->s++;
	} else {
		while (c->s < c->e && ((*c->s >= 'A' && *c->s <= 'Z') || (*c->s >= 'a' && *c->s <= 'z'))) {
			if (k >= ICS_TZ_ABBR_MAX - 1)
				return false;
			out[k++] = *c->s++;
		}
	}
	out[k] = 0;
	return k >= 3;
}

static bool p_num(struct pcur *c, int max, int *v)
{
	int n = 0, digits = 0;
	while (c->s < c->e && *c->s >= '0' && *c->s <= '9' && digits < 4) {
		n = n * 10 + (*c->s++ - '0');
		digits++;
	}
	*v = n;
	return digits > 0 && n <= max;
}

/* [+-]hh[:mm[:ss]] with hh up to max_h; returns seconds. */
static bool p_time(struct pcur *c, int max_h, int32_t *out)
{
	int sign = 1, h, m = 0, s = 0;
	if (c->s < c->e && (*c->s == '+' || *c->s == '-'))
		sign = *c->s++ == '-' ? -1 : 1;
	if (!p_num(c, max_h, &h))
		return false;
	if (c->s < c->e && *c->s == ':') {
		c->s++;
		if (!p_num(c, 59, &m))
			return false;
		if (c->s < c->e && *c->s == ':') {
			c->s++;
			if (!p_num(c, 59, &s))
				return false;
		}
	}
	*out = sign * (h * 3600 + m * 60 + s);
	return true;
}

static bool p_rule(struct pcur *c, struct ics_tz_rule_date *r)
{
	if (c->s >= c->e)
		return false;
	if (*c->s == 'M') {
		c->s++;
		r->kind = 'M';
		if (!p_num(c, 12, &r->m) || r->m < 1 || c->s >= c->e || *c->s++ != '.' || !p_num(c, 5, &r->w) ||
		    r->w < 1 || c->s >= c->e || *c->s++ != '.' || !p_num(c, 6, &r->d))
			return false;
	} else if (*c->s == 'J') {
		c->s++;
		r->kind = 'J';
		if (!p_num(c, 365, &r->n) || r->n < 1)
			return false;
	} else {
		r->kind = 'N';
		if (!p_num(c, 365, &r->n))
			return false;
	}
	r->time = 7200;
	if (c->s < c->e && *c->s == '/') {
		c->s++;
		if (!p_time(c, 167, &r->time))
			return false;
	}
	return true;
}

static bool posix_parse(struct ics_tzdb_zone *z, const char *s, size_t n)
{
	struct pcur c = {s, s + n};
	struct ics_tz_type st = {0}, dt = {0};
	int32_t off;
	if (!p_name(&c, st.abbr) || !p_time(&c, 24, &off))
		return false;
	st.utoff = -off; /* POSIX counts west-positive */
	if (c.s == c.e) {
		z->std_type = type_add(z, &st);
		z->has_rule = true;
		return true;
	}
	if (!p_name(&c, dt.abbr))
		return false;
	dt.isdst = true;
	dt.utoff = st.utoff + 3600;
	if (c.s < c.e && *c.s != ',') {
		if (!p_time(&c, 24, &off))
			return false;
		dt.utoff = -off;
	}
	if (c.s < c.e) {
		if (*c.s++ != ',' || !p_rule(&c, &z->start) || c.s >= c.e || *c.s++ != ',' || !p_rule(&c, &z->end) ||
		    c.s != c.e)
			return false;
	} else { /* POSIX leaves the default rule to the implementation; use the US one */
		z->start = (struct ics_tz_rule_date){'M', 3, 2, 0, 0, 7200};
		z->end = (struct ics_tz_rule_date){'M', 11, 1, 0, 0, 7200};
	}
	z->std_type = type_add(z, &st);
	z->dst_type = type_add(z, &dt);
	z->has_rule = z->rule_dst = true;
	return true;
}

/* ---- queries ---- */

static int64_t rule_day(const struct ics_tz_rule_date *r, int64_t y)
{
	if (r->kind == 'J') /* 1..365, February 29 never counted */
		return ics_days_from_civil(y, 1, 1) + r->n - 1 + (ics_is_leap(y) && r->n >= 60);
	if (r->kind == 'N')
		return ics_days_from_civil(y, 1, 1) + r->n;
	int64_t first = ics_days_from_civil(y, r->m, 1);
	int64_t day = first + (r->d - ics_weekday(first) + 7) % 7 + (int64_t)(r->w - 1) * 7;
	int dim = ics_days_in_month(y, r->m);
	while (day >= first + dim)
		day -= 7;
	return day;
}

int ics_tzdb_rule_year(const struct ics_tzdb_zone *z, int64_t y, struct ics_tz_trans out[2])
{
	if (!z->has_rule || !z->rule_dst)
		return 0;
	struct ics_tz_trans s = {rule_day(&z->start, y) * ICS_SECS_PER_DAY + z->start.time -
					 z->types[z->std_type].utoff,
				 z->std_type, z->dst_type};
	struct ics_tz_trans e = {rule_day(&z->end, y) * ICS_SECS_PER_DAY + z->end.time - z->types[z->dst_type].utoff,
				 z->dst_type, z->std_type};
	if (s.at <= e.at) {
		out[0] = s;
		out[1] = e;
	} else {
		out[0] = e;
		out[1] = s;
	}
	return 2;
}

static int64_t year_of(int64_t t)
{
	int64_t y;
	int m, d;
	ics_civil_from_days(ics_floor_days(t), &y, &m, &d);
	return y;
}

static uint16_t rule_type_at(const struct ics_tzdb_zone *z, int64_t t)
{
	if (!z->rule_dst)
		return z->std_type;
	int64_t y = year_of(t);
	uint16_t cur = z->std_type;
	int64_t best = INT64_MIN;
	for (int64_t yy = y - 1; yy <= y + 1; yy++) {
		struct ics_tz_trans tr[2];
		int k = ics_tzdb_rule_year(z, yy, tr);
		for (int i = 0; i < k; i++)
			if (tr[i].at <= t && tr[i].at >= best) {
				best = tr[i].at;
				cur = tr[i].to;
			}
	}
	return cur;
}

uint16_t ics_tzdb_type_at(const struct ics_tzdb_zone *z, int64_t t)
{
	if (z->n == 0)
		return z->has_rule ? rule_type_at(z, t) : 0;
	if (t < z->at[0])
		return 0;
	if (t >= z->at[z->n - 1] && z->has_rule)
		return rule_type_at(z, t);
	size_t lo = 0, hi = z->n; /* last i with at[i] <= t */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->at[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return z->idx[lo];
}

struct trans_vec {
	struct ics_tz_trans *v;
	size_t n, cap;
};

static void vec_push(struct trans_vec *tv, int64_t at, uint16_t to)
{
	if (tv->n == tv->cap) {
		tv->cap = tv->cap ? tv->cap * 2 : 16;
		tv->v = xrealloc(tv->v, tv->cap * sizeof *tv->v);
	}
	tv->v[tv->n++] = (struct ics_tz_trans){at, 0, to};
}

size_t ics_tzdb_range(const struct ics_tzdb_zone *z, int64_t from, int64_t to, struct ics_tz_trans **out)
{
	struct trans_vec raw = {0};
	int64_t table_end = z->n ? z->at[z->n - 1] : INT64_MIN;
	for (size_t i = 0; i < z->n; i++)
		if (z->at[i] > from && z->at[i] <= to)
			vec_push(&raw, z->at[i], z->idx[i]);
	if (z->has_rule && z->rule_dst && to > table_end) {
		int64_t lo = from > table_end ? from : table_end;
		for (int64_t y = year_of(lo) - 1, y1 = year_of(to) + 1; y <= y1; y++) {
			struct ics_tz_trans tr[2];
			int k = ics_tzdb_rule_year(z, y, tr);
			for (int i = 0; i < k; i++)
				if (tr[i].at > lo && tr[i].at <= to && (raw.n == 0 || tr[i].at > raw.v[raw.n - 1].at))
					vec_push(&raw, tr[i].at, tr[i].to);
		}
	}
	/* keep only real changes, each with the type it leaves */
	uint16_t prev = ics_tzdb_type_at(z, from);
	size_t k = 0;
	for (size_t i = 0; i < raw.n; i++) {
		uint16_t nt = raw.v[i].to;
		if (i + 1 < raw.n && raw.v[i + 1].at == raw.v[i].at)
			continue; /* several changes at one instant: the last wins */
		if (ics_tz_type_same(&z->types[prev], &z->types[nt]))
			continue;
		raw.v[k++] = (struct ics_tz_trans){raw.v[i].at, prev, nt};
		prev = nt;
	}
	if (k == 0) {
		free(raw.v);
		raw.v = NULL;
	}
	*out = raw.v;
	return k;
}
