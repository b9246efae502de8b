/* config_check_coverage.c — coverage requirements and date overrides: references,
 * duplicates, days a shift does not run, and counts that too few people could ever
 * meet (needs the roster). */
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "domain/config/config_check.h"
#include "json/json_pointer.h"
#include "json/json_value.h"

/* Who can cover s by themselves, as "a@x, b@x" (at most 6 named); count in *n.
 * *assisted counts fellows who are eligible only next to an attending. */
static const char *who(struct cfg_ctx *c, const struct cfg_shift *s, size_t *n, size_t *assisted)
{
	struct buf b;
	buf_init(&b, 512);
	*n = *assisted = 0;
	for (size_t i = 0; i < c->roster->n; i++) {
		const struct config_person *p = &c->roster->people[i];
		bool alone;
		if (!cfg_person_eligible(c, p, s, &alone))
			continue;
		if (!alone) {
			(*assisted)++;
			continue;
		}
		if (*n < 6)
			RS_IGNORE(buf_printf(&b, "%s%s", *n ? ", " : "", p->email)); /* capped list for a message */
		else if (*n == 6)
			RS_IGNORE(buf_puts(&b, ", ..."));
		(*n)++;
	}
	const char *out = arena_strdup(c->a, b.data ? b.data : "");
	buf_fini(&b);
	return out;
}

static void check_enough(struct cfg_ctx *c, const struct cfg_shift *s, long need, const char *when, const char *ptr)
{
	if (!c->roster || need <= 0 || (s->subspecialty && !cfg_sub_known(c, s->subspecialty)))
		return; /* an unknown subspecialty is reported once, where it is named */
	size_t n, assisted;
	const char *names = who(c, s, &n, &assisted);
	if ((size_t)need <= n)
		return;
	const char *fellows = !assisted     ? ""
			      : assisted == 1 ? " (a fellow who needs an attending does not count)"
					      : arena_sprintf(c->a, " (%zu fellows who need an attending do not count)", assisted);
	if (n == 0)
		cfg_error(c, ptr, "COVERAGE_UNSATISFIABLE", "%s needs %ld %s but nobody is eligible for it%s", s->code, need,
			  when, fellows);
	else
		cfg_error(c, ptr, "COVERAGE_UNSATISFIABLE", "%s needs %ld %s but only %zu %s eligible: %s%s", s->code, need,
			  when, n, n == 1 ? "person is" : "people are", names, fellows);
}

static long headcount(const json_t *v)
{
	return json_value_is_integral(v) ? (long)json_number_value(v) : -1;
}

static const char *day_names(struct cfg_ctx *c, unsigned days)
{
	if (!days)
		return "no days";
	char out[64] = "";
	for (int d = 0; d < CFG_DAYS; d++)
		if (days & (1u << d)) {
			size_t l = strlen(out);
			snprintf(out + l, sizeof out - l, "%s%s", l ? ", " : "", cfg_weekday_keys[d]);
		}
	return arena_strdup(c->a, out);
}

static void check_requirement(struct cfg_ctx *c, const json_t *reqs, size_t i, bool *covered)
{
	const json_t *r = json_array_get(reqs, i);
	const char *ptr = cfg_ptr(c, "/coverage/requirements/%zu", i);
	const char *code = json_string_value(json_object_get(r, "shiftType"));
	const struct cfg_shift *s = cfg_shift_find(c, code);
	if (!code)
		return;
	if (!s) {
		cfg_check_shift_ref(c, code, cfg_ptr(c, "%s/shiftType", ptr));
		return;
	}
	for (size_t k = 0; k < i; k++)
		if (json_equal(json_object_get(json_array_get(reqs, k), "shiftType"), json_object_get(r, "shiftType"))) {
			cfg_error(c, cfg_ptr(c, "%s/shiftType", ptr), "CONFLICTING_DEFINITION",
				  "%s already has a requirement at /coverage/requirements/%zu", code, k);
			return;
		}
	covered[s - c->shifts] = true;
	long count = headcount(json_object_get(r, "count"));
	const json_t *per = json_object_get(r, "perWeekday");
	long need[CFG_DAYS];
	for (int d = 0; d < CFG_DAYS; d++)
		need[d] = (s->days & (1u << d)) ? count : 0;
	const char *key;
	json_t *v;
	JSON_OBJECT_EACH(per, key, v)
	{
		int d = cfg_weekday(key);
		long n = headcount(v);
		if (d < 0 || n < 0)
			continue;
		if (n > 0 && !(s->days & (1u << d))) {
			cfg_error(c, cfg_ptr(c, "%s/perWeekday/%s", ptr, key), "COVERAGE_DAY_NOT_RUN",
				  "%s does not run on %s (it runs on %s); add the day to its \"days\" or drop this count",
				  code, key, day_names(c, s->days));
			continue;
		}
		need[d] = n;
	}
	int worst = -1;
	for (int d = 0; d < CFG_DAYS; d++)
		if (need[d] > 0 && (worst < 0 || need[d] > need[worst]))
			worst = d;
	if (worst >= 0) {
		bool from_per = json_object_get(per, cfg_weekday_keys[worst]) != NULL;
		check_enough(c, s, need[worst], arena_sprintf(c->a, "on %s", cfg_weekday_keys[worst]),
			     from_per ? cfg_ptr(c, "%s/perWeekday/%s", ptr, cfg_weekday_keys[worst])
				      : cfg_ptr(c, "%s/count", ptr));
	}
}

static void check_override(struct cfg_ctx *c, const json_t *ovs, size_t i, bool *mentioned)
{
	const json_t *o = json_array_get(ovs, i);
	const char *ptr = cfg_ptr(c, "/coverage/overrides/%zu", i);
	const char *date = json_string_value(json_object_get(o, "date"));
	long day;
	if (date && cfg_date(date, &day))
		for (size_t k = 0; k < i; k++)
			if (json_equal(json_object_get(json_array_get(ovs, k), "date"), json_object_get(o, "date"))) {
				cfg_error(c, cfg_ptr(c, "%s/date", ptr), "DUPLICATE_DATE",
					  "%s already has an override at /coverage/overrides/%zu", date, k);
				break;
			}
	const char *cptr = cfg_ptr(c, "%s/counts", ptr);
	const char *key;
	json_t *v;
	JSON_OBJECT_EACH(json_object_get(o, "counts"), key, v)
	{
		const char *kptr = json_pointer_join(c->a, cptr, key);
		const struct cfg_shift *s = cfg_shift_find(c, key);
		if (!s) {
			cfg_check_shift_ref(c, key, kptr);
			continue;
		}
		mentioned[s - c->shifts] = true;
		check_enough(c, s, headcount(v), arena_sprintf(c->a, "on %s", date ? date : "this date"), kptr);
	}
}

void cfg_check_coverage(struct cfg_ctx *c)
{
	const json_t *cov = json_object_get(c->doc, "coverage");
	const json_t *reqs = json_object_get(cov, "requirements");
	bool *covered = arena_alloc(c->a, (c->n_shifts + 1) * sizeof *covered);
	bool *mentioned = arena_alloc(c->a, (c->n_shifts + 1) * sizeof *mentioned);
	for (size_t i = 0; i < json_array_size(reqs); i++)
		check_requirement(c, reqs, i, covered);
	const json_t *ovs = json_object_get(cov, "overrides");
	for (size_t i = 0; i < json_array_size(ovs); i++)
		check_override(c, ovs, i, mentioned);
	for (size_t i = 0; i < c->n_shifts; i++) {
		const struct cfg_shift *s = &c->shifts[i];
		if (!covered[i] && s->days)
			cfg_warning(c, s->ptr, "SHIFT_UNCOVERED",
				    "%s runs on %s but /coverage/requirements has no count for it, so it is never staffed",
				    s->code, day_names(c, s->days));
		else if (!covered[i] && !mentioned[i])
			cfg_warning(c, s->ptr, "SHIFT_UNCOVERED",
				    "%s has no days and no coverage override, so it is never staffed", s->code);
	}
}
