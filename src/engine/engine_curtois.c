/* engine_curtois.c — reader of the Curtois & Qu instance format (see engine_curtois.h). */
#include "engine/engine_curtois.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/strutil.h"

#define MAX_FIELDS (ENGINE_MAX_DAYS + 2)
#define MAX_ID 64

enum section { SEC_HORIZON, SEC_SHIFTS, SEC_STAFF, SEC_DAYS_OFF, SEC_ON, SEC_OFF, SEC_COVER, SEC__COUNT };

static const char *const section_names[SEC__COUNT] = {
	"SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF", "SECTION_DAYS_OFF",
	"SECTION_SHIFT_ON_REQUESTS", "SECTION_SHIFT_OFF_REQUESTS", "SECTION_COVER",
};

struct reader {
	const char *name;
	char **line;  /* data lines of every section, in file order */
	int *lineno;
	int nlines;
	int first[SEC__COUNT], count[SEC__COUNT];
	bool seen[SEC__COUNT];
	char *field[MAX_FIELDS];
	int nfield;
	struct errinfo *ei;
};

#define fail(r, ln, ...) fail_at((r), (ln), __VA_ARGS__)
static enum err fail_at(struct reader *r, int ln, const char *fmt, ...) RS_PRINTF(3, 4);
static enum err fail_at(struct reader *r, int ln, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return err_set(r->ei, ERR_INVALID, "", "%s:%d: %s", r->name, ln, msg);
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = 0;
	return s;
}

/* Split line k of the reader on sep into r->field; false when too many fields. */
static bool split(struct reader *r, char *s, char sep)
{
	r->nfield = 0;
	for (;;) {
		if (r->nfield == MAX_FIELDS)
			return false;
		char *e = strchr(s, sep);
		if (e)
			*e = 0;
		r->field[r->nfield++] = trim(s);
		if (!e)
			return true;
		s = e + 1;
	}
}

static bool id_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > MAX_ID)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || *s == ',' || *s == '|' || *s == '=')
			return false;
	return true;
}

static enum err int_field(struct reader *r, int ln, const char *what, const char *s, long long lo, long long hi,
			  int *out)
{
	int64_t v;
	if (!str_to_i64(s, lo, hi, &v))
		return fail(r, ln, "%s must be an integer in %lld..%lld, got \"%.40s\"", what, lo, hi, s);
	*out = (int)v;
	return ERR_OK;
}

/* Split the text into lines and find the sections. */
static enum err scan(struct reader *r, const char *text, size_t len, struct arena *a)
{
	if (memchr(text, 0, len))
		return err_set(r->ei, ERR_INVALID, "", "%s: contains a NUL byte", r->name);
	char *copy = arena_strndup(a, text, len);
	int cap = 1;
	for (size_t i = 0; i < len; i++)
		cap += text[i] == '\n';
	r->line = arena_alloc(a, sizeof *r->line * (size_t)cap);
	r->lineno = arena_alloc(a, sizeof *r->lineno * (size_t)cap);
	int cur = -1, last = -1;
	bool in_section = false;
	char *s = copy;
	for (int ln = 1; s; ln++) {
		char *nl = strchr(s, '\n');
		if (nl)
			*nl = 0;
		size_t n = strlen(s);
		if (n > ENGINE_CURTOIS_MAX_LINE)
			return fail(r, ln, "line longer than %d bytes", ENGINE_CURTOIS_MAX_LINE);
		if (n && s[n - 1] == '\r')
			s[--n] = 0;
		char *t = trim(s);
		if (*t == '#') {
			/* comment */
		} else if (*t == 0) {
			in_section = false;
		} else if (str_starts_with(t, "SECTION_")) {
			int k = 0;
			while (k < SEC__COUNT && strcmp(t, section_names[k]) != 0)
				k++;
			if (k == SEC__COUNT)
				return fail(r, ln, "unknown section \"%.60s\"", t);
			if (r->seen[k])
				return fail(r, ln, "%s appears twice", section_names[k]);
			if (k <= last)
				return fail(r, ln, "%s is out of order", section_names[k]);
			r->seen[k] = true;
			r->first[k] = r->nlines;
			cur = last = k;
			in_section = true;
		} else {
			if (!in_section)
				return fail(r, ln, "data outside a section (a blank line ends a section)");
			r->line[r->nlines] = t;
			r->lineno[r->nlines] = ln;
			r->nlines++;
			r->count[cur]++;
		}
		s = nl ? nl + 1 : NULL;
	}
	static const enum section required[] = {SEC_HORIZON, SEC_SHIFTS, SEC_STAFF, SEC_COVER};
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		if (!r->seen[required[i]])
			return err_set(r->ei, ERR_INVALID, "", "%s: missing %s", r->name, section_names[required[i]]);
	return ERR_OK;
}

static enum err read_horizon(struct reader *r, int *h)
{
	if (r->count[SEC_HORIZON] != 1)
		return err_set(r->ei, ERR_INVALID, "", "%s: SECTION_HORIZON must hold exactly one line", r->name);
	int k = r->first[SEC_HORIZON];
	enum err e = int_field(r, r->lineno[k], "horizon", r->line[k], 7, ENGINE_MAX_DAYS, h);
	if (!e && *h % 7)
		return fail(r, r->lineno[k], "horizon %d is not a multiple of 7", *h);
	return e;
}

static enum err read_shifts(struct reader *r, struct engine_model *m, char **forbid)
{
	for (int i = 0; i < m->nshifts; i++) {
		int k = r->first[SEC_SHIFTS] + i, ln = r->lineno[k];
		if (!split(r, r->line[k], ',') || (r->nfield != 3 && r->nfield != 2))
			return fail(r, ln, "shift line needs ShiftID,Minutes,Forbidden");
		if (!id_ok(r->field[0]))
			return fail(r, ln, "bad shift ID \"%.40s\"", r->field[0]);
		if (engine_model_shift_find(m, r->field[0]) >= 0 && engine_model_shift_find(m, r->field[0]) < i)
			return fail(r, ln, "duplicate shift ID %s", r->field[0]);
		m->shifts[i].code = arena_strdup(m->arena, r->field[0]);
		m->shifts[i].label = m->shifts[i].code;
		enum err e = int_field(r, ln, "shift minutes", r->field[1], 1, 24 * 60, &m->shifts[i].minutes);
		if (e)
			return e;
		forbid[i] = r->nfield == 3 ? r->field[2] : "";
	}
	for (int i = 0; i < m->nshifts; i++) {
		int ln = r->lineno[r->first[SEC_SHIFTS] + i];
		if (!*forbid[i])
			continue;
		if (!split(r, forbid[i], '|'))
			return fail(r, ln, "too many forbidden shifts");
		for (int f = 0; f < r->nfield; f++) {
			int t = engine_model_shift_find(m, r->field[f]);
			if (t < 0)
				return fail(r, ln, "forbidden successor \"%.40s\" is not a shift ID", r->field[f]);
			m->shifts[i].forbidden_next |= (engine_mask)1 << t;
		}
	}
	return ERR_OK;
}

static enum err read_staff_max(struct reader *r, struct engine_model *m, int p, char *s, int ln)
{
	struct engine_person *pp = &m->people[p];
	engine_mask seen = 0;
	pp->eligible = 0;
	for (int t = 0; t < m->nshifts; t++)
		pp->max_count[t] = 0;
	if (!*s)
		return ERR_OK;
	if (!split(r, s, '|'))
		return fail(r, ln, "too many per-shift maximums");
	for (int f = 0; f < r->nfield; f++) {
		char *eq = strchr(r->field[f], '=');
		if (!eq)
			return fail(r, ln, "per-shift maximum \"%.40s\" is not ShiftID=n", r->field[f]);
		*eq = 0;
		int t = engine_model_shift_find(m, trim(r->field[f]));
		if (t < 0)
			return fail(r, ln, "unknown shift ID \"%.40s\" in maximums", r->field[f]);
		if (seen & ((engine_mask)1 << t))
			return fail(r, ln, "shift %s listed twice in maximums", m->shifts[t].code);
		seen |= (engine_mask)1 << t;
		enum err e = int_field(r, ln, "per-shift maximum", trim(eq + 1), 0, ENGINE_MAX_DAYS, &pp->max_count[t]);
		if (e)
			return e;
		if (pp->max_count[t] > 0)
			pp->eligible |= (engine_mask)1 << t;
	}
	return ERR_OK;
}

static enum err read_staff(struct reader *r, struct engine_model *m)
{
	for (int p = 0; p < m->npeople; p++) {
		int k = r->first[SEC_STAFF] + p, ln = r->lineno[k];
		if (!split(r, r->line[k], ',') || r->nfield != 8)
			return fail(r, ln, "staff line needs 8 fields: ID,MaxShifts,MaxTotalMin,MinTotalMin,"
					   "MaxConsec,MinConsec,MinConsecOff,MaxWeekends");
		char *f[8];
		memcpy(f, r->field, sizeof f);
		if (!id_ok(f[0]))
			return fail(r, ln, "bad staff ID \"%.40s\"", f[0]);
		for (int q = 0; q < p; q++)
			if (strcmp(m->people[q].code, f[0]) == 0)
				return fail(r, ln, "duplicate staff ID %s", f[0]);
		struct engine_person *pp = &m->people[p];
		pp->code = pp->label = arena_strdup(m->arena, f[0]);
		int big = 24 * 60 * ENGINE_MAX_DAYS;
		enum err e = read_staff_max(r, m, p, f[1], ln);
		if (!e)
			e = int_field(r, ln, "MaxTotalMinutes", f[2], 0, big, &pp->max_minutes);
		if (!e)
			e = int_field(r, ln, "MinTotalMinutes", f[3], 0, big, &pp->min_minutes);
		if (!e)
			e = int_field(r, ln, "MaxConsecutiveShifts", f[4], 0, ENGINE_MAX_DAYS, &pp->max_consec);
		if (!e)
			e = int_field(r, ln, "MinConsecutiveShifts", f[5], 0, ENGINE_MAX_DAYS, &pp->min_consec);
		if (!e)
			e = int_field(r, ln, "MinConsecutiveDaysOff", f[6], 0, ENGINE_MAX_DAYS, &pp->min_consec_off);
		if (!e)
			e = int_field(r, ln, "MaxWeekends", f[7], 0, ENGINE_MAX_DAYS, &pp->max_weekends);
		if (e)
			return e;
		if (pp->min_minutes > pp->max_minutes)
			return fail(r, ln, "MinTotalMinutes %d exceeds MaxTotalMinutes %d", pp->min_minutes,
				    pp->max_minutes);
		if (pp->max_consec == 0)
			return fail(r, ln, "MaxConsecutiveShifts must be at least 1");
		if (pp->min_consec > pp->max_consec)
			return fail(r, ln, "MinConsecutiveShifts %d exceeds MaxConsecutiveShifts %d", pp->min_consec,
				    pp->max_consec);
	}
	return ERR_OK;
}

static enum err person_field(struct reader *r, struct engine_model *m, int ln, const char *s, int *p)
{
	*p = engine_model_person_find(m, s);
	if (*p < 0)
		return fail(r, ln, "unknown staff ID \"%.40s\"", s);
	return ERR_OK;
}

static enum err read_days_off(struct reader *r, struct engine_model *m)
{
	for (int i = 0; i < r->count[SEC_DAYS_OFF]; i++) {
		int k = r->first[SEC_DAYS_OFF] + i, ln = r->lineno[k], p = 0, d = 0;
		if (!split(r, r->line[k], ','))
			return fail(r, ln, "too many days off");
		enum err e = person_field(r, m, ln, r->field[0], &p);
		if (e)
			return e;
		for (int f = 1; f < r->nfield; f++) {
			if (!*r->field[f] && f == r->nfield - 1)
				break; /* trailing comma */
			e = int_field(r, ln, "day", r->field[f], 0, m->ndays - 1, &d);
			if (e)
				return e;
			m->day_off[(size_t)p * (size_t)m->ndays + (size_t)d] = 1;
		}
	}
	return ERR_OK;
}

static enum err read_requests(struct reader *r, struct engine_model *m, enum section sec)
{
	for (int i = 0; i < r->count[sec]; i++) {
		int k = r->first[sec] + i, ln = r->lineno[k];
		if (!split(r, r->line[k], ',') || r->nfield != 4)
			return fail(r, ln, "request line needs EmployeeID,Day,ShiftID,Weight");
		struct engine_request q = {.on = sec == SEC_ON};
		enum err e = person_field(r, m, ln, r->field[0], &q.person);
		if (!e)
			e = int_field(r, ln, "day", r->field[1], 0, m->ndays - 1, &q.day);
		if (e)
			return e;
		q.shift = engine_model_shift_find(m, r->field[2]);
		if (q.shift < 0)
			return fail(r, ln, "unknown shift ID \"%.40s\"", r->field[2]);
		e = int_field(r, ln, "weight", r->field[3], 0, ENGINE_MAX_WEIGHT, &q.weight);
		if (!e)
			e = engine_model_add_request(m, &q, r->ei);
		if (e)
			return e;
	}
	return ERR_OK;
}

static enum err read_cover(struct reader *r, struct engine_model *m, struct arena *a)
{
	uint8_t *seen = arena_alloc(a, (size_t)m->ndays * (size_t)m->nshifts);
	for (int i = 0; i < r->count[SEC_COVER]; i++) {
		int k = r->first[SEC_COVER] + i, ln = r->lineno[k], d = 0;
		if (!split(r, r->line[k], ',') || r->nfield != 5)
			return fail(r, ln, "cover line needs Day,ShiftID,Requirement,WeightUnder,WeightOver");
		enum err e = int_field(r, ln, "day", r->field[0], 0, m->ndays - 1, &d);
		if (e)
			return e;
		int s = engine_model_shift_find(m, r->field[1]);
		if (s < 0)
			return fail(r, ln, "unknown shift ID \"%.40s\"", r->field[1]);
		size_t ci = (size_t)d * (size_t)m->nshifts + (size_t)s;
		if (seen[ci])
			return fail(r, ln, "second cover line for day %d shift %s", d, m->shifts[s].code);
		seen[ci] = 1;
		struct engine_cover *c = &m->cover[ci];
		e = int_field(r, ln, "requirement", r->field[2], 0, ENGINE_MAX_PEOPLE, &c->req);
		if (!e)
			e = int_field(r, ln, "under weight", r->field[3], 0, ENGINE_MAX_WEIGHT, &c->w_under);
		if (!e)
			e = int_field(r, ln, "over weight", r->field[4], 0, ENGINE_MAX_WEIGHT, &c->w_over);
		if (e)
			return e;
	}
	return ERR_OK;
}

enum err engine_curtois_parse(const char *name, const char *text, size_t len, struct arena *a,
			      struct engine_model **out, struct errinfo *ei)
{
	*out = NULL;
	if (len > ENGINE_CURTOIS_MAX_BYTES)
		return err_set(ei, ERR_TOO_LARGE, "", "%s: larger than %u bytes", name, ENGINE_CURTOIS_MAX_BYTES);
	struct reader *r = arena_alloc(a, sizeof *r);
	r->name = name;
	r->ei = ei;
	enum err e = scan(r, text, len, a);
	int h = 0;
	if (!e)
		e = read_horizon(r, &h);
	if (e)
		return e;
	int ns = r->count[SEC_SHIFTS], np = r->count[SEC_STAFF];
	if (ns < 1 || ns > ENGINE_MAX_SHIFTS)
		return err_set(ei, ERR_TOO_LARGE, "", "%s: %d shift types is outside 1..%d", name, ns, ENGINE_MAX_SHIFTS);
	if (np < 1 || np > ENGINE_MAX_PEOPLE)
		return err_set(ei, ERR_TOO_LARGE, "", "%s: %d staff is outside 1..%d", name, np, ENGINE_MAX_PEOPLE);
	struct engine_model *m;
	e = engine_model_new(a, h, ns, np, &m, ei);
	if (e)
		return e;
	char **forbid = arena_alloc(a, sizeof *forbid * (size_t)ns);
	e = read_shifts(r, m, forbid);
	if (!e)
		e = read_staff(r, m);
	if (!e)
		e = read_days_off(r, m);
	if (!e)
		e = read_requests(r, m, SEC_ON);
	if (!e)
		e = read_requests(r, m, SEC_OFF);
	if (!e)
		e = read_cover(r, m, a);
	if (!e)
		e = engine_model_finalize(m, ei);
	if (e)
		return e;
	*out = m;
	return ERR_OK;
}

enum err engine_file_read(const char *path, size_t max, struct arena *a, char **text, size_t *len,
			  struct errinfo *ei)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(ei, ERR_IO, "", "%s: %s", path, strerror(errno));
	struct buf b;
	buf_init(&b, max);
	char chunk[65536];
	size_t n;
	enum err e = ERR_OK;
	while (!e && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		e = buf_append(&b, chunk, n);
	bool bad = ferror(f);
	fclose(f);
	if (e == ERR_TOO_LARGE) {
		buf_fini(&b);
		return err_set(ei, ERR_TOO_LARGE, "", "%s: larger than %zu bytes", path, max);
	}
	if (bad || e) {
		buf_fini(&b);
		return err_set(ei, ERR_IO, "", "%s: read error", path);
	}
	*len = b.len;
	*text = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_fini(&b);
	return ERR_OK;
}

enum err engine_curtois_load(const char *path, struct arena *a, struct engine_model **out, struct errinfo *ei)
{
	char *text;
	size_t len;
	enum err e = engine_file_read(path, ENGINE_CURTOIS_MAX_BYTES, a, &text, &len, ei);
	if (e)
		return e;
	const char *base = strrchr(path, '/');
	return engine_curtois_parse(base ? base + 1 : path, text, len, a, out, ei);
}
