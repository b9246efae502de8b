/* config_check_index.c — the tables every check needs (subspecialties, shift types,
 * equivalence classes), duplicate definitions, reference checks, problem helpers. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/strutil.h"
#include "domain/config/config_check.h"
#include "json/json_pointer.h"

const char *const cfg_weekday_keys[CFG_DAYS] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

static void add(struct cfg_ctx *c, enum config_severity sev, const char *ptr, const char *code, const char *fmt,
		va_list ap) RS_PRINTF(5, 0);
static void add(struct cfg_ctx *c, enum config_severity sev, const char *ptr, const char *code, const char *fmt,
		va_list ap)
{
	/* the schema already explained what is wrong here: one problem per place is enough */
	if (config_report_has_error_at(c->out, ptr))
		return;
	char *msg = arena_vsprintf(c->a, fmt, ap);
	config_report_add(c->out, sev, ptr, code, "%s", msg);
}

void cfg_error(struct cfg_ctx *c, const char *ptr, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add(c, CONFIG_ERROR, ptr, code, fmt, ap);
	va_end(ap);
}

void cfg_warning(struct cfg_ctx *c, const char *ptr, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add(c, CONFIG_WARNING, ptr, code, fmt, ap);
	va_end(ap);
}

const char *cfg_ptr(struct cfg_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vsprintf(c->a, fmt, ap);
	va_end(ap);
	return p;
}

const struct cfg_shift *cfg_shift_find(const struct cfg_ctx *c, const char *code)
{
	for (size_t i = 0; code && i < c->n_shifts; i++)
		if (!strcmp(c->shifts[i].code, code))
			return &c->shifts[i];
	return NULL;
}

static bool in_list(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

bool cfg_sub_known(const struct cfg_ctx *c, const char *code)
{
	return in_list(c->subs, c->n_subs, code);
}

bool cfg_equiv_known(const struct cfg_ctx *c, const char *id)
{
	return in_list(c->equivs, c->n_equivs, id);
}

int cfg_weekday(const char *key)
{
	for (int d = 0; key && d < CFG_DAYS; d++)
		if (!strcmp(key, cfg_weekday_keys[d]))
			return d;
	return -1;
}

bool cfg_date(const char *s, long *days)
{
	int y, m, d, n = 0;
	if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
		return false;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap))
		return false;
	/* days from civil (proleptic Gregorian) */
	long yy = m <= 2 ? y - 1 : y;
	long era = (yy >= 0 ? yy : yy - 399) / 400;
	long yoe = yy - era * 400;
	long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*days = era * 146097 + doe - 719468;
	return true;
}

/* " (did you mean \"X\"?)" for the closest known name within 2 edits, else "". */
static const char *hint(struct cfg_ctx *c, const char *name, const char *const *known, size_t stride, size_t n)
{
	const char *best = NULL;
	size_t bd = 3;
	for (size_t i = 0; i < n; i++) {
		const char *k = *(const char *const *)((const char *)known + i * stride);
		size_t d = str_edit_distance(name, k);
		if (d < bd && d < strlen(k)) {
			bd = d;
			best = k;
		}
	}
	return best ? arena_sprintf(c->a, " (did you mean \"%s\"?)", best) : "";
}

void cfg_check_shift_ref(struct cfg_ctx *c, const char *code, const char *ptr)
{
	if (code && !cfg_shift_find(c, code))
		cfg_error(c, ptr, "UNKNOWN_SHIFT_TYPE", "\"%s\" is not a shift type defined in /shiftTypes%s", code,
			  hint(c, code, &c->shifts[0].code, sizeof *c->shifts, c->n_shifts));
}

void cfg_check_shift_refs(struct cfg_ctx *c, const json_t *arr, const char *ptr)
{
	for (size_t i = 0; i < json_array_size(arr); i++)
		cfg_check_shift_ref(c, json_string_value(json_array_get(arr, i)), json_pointer_join_index(c->a, ptr, i));
}

void cfg_check_sub_ref(struct cfg_ctx *c, const char *code, const char *ptr)
{
	if (code && !cfg_sub_known(c, code))
		cfg_error(c, ptr, "UNKNOWN_SUBSPECIALTY", "\"%s\" is not a subspecialty defined in /subspecialties%s", code,
			  hint(c, code, c->subs, sizeof *c->subs, c->n_subs));
}

void cfg_check_sub_refs(struct cfg_ctx *c, const json_t *arr, const char *ptr)
{
	for (size_t i = 0; i < json_array_size(arr); i++)
		cfg_check_sub_ref(c, json_string_value(json_array_get(arr, i)), json_pointer_join_index(c->a, ptr, i));
}

/* "HH:MM" -> minutes, or -1. */
static int minutes(const char *s)
{
	int h, m, n = 0;
	if (!s || sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || n != 5 || h > 23 || m > 59 || h < 0 || m < 0)
		return -1;
	return h * 60 + m;
}

static void index_subspecialties(struct cfg_ctx *c)
{
	const json_t *subs = json_object_get(c->doc, "subspecialties");
	size_t n = json_array_size(subs);
	c->subs = arena_alloc(c->a, (n + 1) * sizeof *c->subs);
	for (size_t i = 0; i < n; i++) {
		const char *code = json_string_value(json_object_get(json_array_get(subs, i), "code"));
		if (!code)
			continue;
		if (cfg_sub_known(c, code)) {
			cfg_error(c, cfg_ptr(c, "/subspecialties/%zu/code", i), "DUPLICATE_CODE",
				  "subspecialty %s is defined more than once", code);
			continue;
		}
		c->subs[c->n_subs++] = code;
	}
}

static void index_shift(struct cfg_ctx *c, const json_t *st, size_t i)
{
	const char *code = json_string_value(json_object_get(st, "code"));
	if (!code)
		return;
	const char *ptr = cfg_ptr(c, "/shiftTypes/%zu", i);
	if (cfg_shift_find(c, code)) {
		cfg_error(c, cfg_ptr(c, "%s/code", ptr), "DUPLICATE_CODE", "shift type %s is defined more than once (first at %s)",
			  code, cfg_shift_find(c, code)->ptr);
		return;
	}
	struct cfg_shift *s = &c->shifts[c->n_shifts++];
	s->code = code;
	s->ptr = ptr;
	s->subspecialty = json_string_value(json_object_get(st, "subspecialty"));
	cfg_check_sub_ref(c, s->subspecialty, cfg_ptr(c, "%s/subspecialty", ptr));
	const json_t *days = json_object_get(st, "days");
	for (size_t d = 0; d < json_array_size(days); d++) {
		int wd = cfg_weekday(json_string_value(json_array_get(days, d)));
		if (wd >= 0)
			s->days |= 1u << wd;
	}
	const char *kind = json_string_value(json_object_get(st, "kind"));
	s->timed = kind && !strcmp(kind, "timed");
	s->start = minutes(json_string_value(json_object_get(st, "start")));
	s->end = minutes(json_string_value(json_object_get(st, "end")));
	if (s->timed && s->start >= 0 && s->start == s->end)
		cfg_error(c, cfg_ptr(c, "%s/end", ptr), "SHIFT_ZERO_LENGTH",
			  "%s starts and ends at %s: a timed shift needs a length (use kind \"allDay\" for a 24-hour call)",
			  code, json_string_value(json_object_get(st, "end")));
	if (s->timed && (s->start < 0 || s->end < 0))
		s->timed = false; /* times are broken (the schema said so); skip time checks */
}

void cfg_index_build(struct cfg_ctx *c)
{
	index_subspecialties(c);
	const json_t *sts = json_object_get(c->doc, "shiftTypes");
	size_t n = json_array_size(sts);
	c->shifts = arena_alloc(c->a, (n + 1) * sizeof *c->shifts);
	for (size_t i = 0; i < n; i++)
		index_shift(c, json_array_get(sts, i), i);
	const json_t *eqs = json_object_get(c->doc, "equivalences");
	n = json_array_size(eqs);
	c->equivs = arena_alloc(c->a, (n + 1) * sizeof *c->equivs);
	for (size_t i = 0; i < n; i++) {
		const char *id = json_string_value(json_object_get(json_array_get(eqs, i), "id"));
		if (!id)
			continue;
		if (cfg_equiv_known(c, id)) {
			cfg_error(c, cfg_ptr(c, "/equivalences/%zu/id", i), "DUPLICATE_CODE",
				  "equivalence class \"%s\" is defined more than once", id);
			continue;
		}
		c->equivs[c->n_equivs++] = id;
	}
}
