/* config_check_rules.c — equivalence classes and work rules: references, shift types
 * in two classes, same-day combinations whose times overlap, rules that never bite. */
#include <stdio.h>
#include <string.h>

#include "domain/config/config_check.h"
#include "json/json_pointer.h"
#include "json/json_value.h"

void cfg_check_equivalences(struct cfg_ctx *c)
{
	const json_t *eqs = json_object_get(c->doc, "equivalences");
	for (size_t i = 0; i < json_array_size(eqs); i++) {
		const json_t *codes = json_object_get(json_array_get(eqs, i), "shiftTypes");
		const char *ptr = cfg_ptr(c, "/equivalences/%zu/shiftTypes", i);
		cfg_check_shift_refs(c, codes, ptr);
		for (size_t j = 0; j < json_array_size(codes); j++) {
			const json_t *code = json_array_get(codes, j);
			for (size_t k = 0; json_is_string(code) && k < i; k++) {
				const json_t *other = json_array_get(eqs, k);
				const json_t *oc = json_object_get(other, "shiftTypes");
				bool found = false;
				for (size_t m = 0; m < json_array_size(oc) && !found; m++)
					found = json_equal(json_array_get(oc, m), code);
				if (!found)
					continue;
				const char *oid = json_string_value(json_object_get(other, "id"));
				cfg_warning(c, json_pointer_join_index(c->a, ptr, j), "OVERLAPPING_EQUIVALENCE",
					    "%s is also in class \"%s\" (/equivalences/%zu); it will count towards both",
					    json_string_value(code), oid ? oid : "?", k);
				break;
			}
		}
	}
}

static const char *hhmm(struct cfg_ctx *c, int m)
{
	return arena_sprintf(c->a, "%02d:%02d", (m / 60) % 24, m % 60);
}

static bool times_overlap(const struct cfg_shift *a, const struct cfg_shift *b)
{
	int ae = a->end <= a->start ? a->end + 1440 : a->end;
	int be = b->end <= b->start ? b->end + 1440 : b->end;
	return a->start < be && b->start < ae;
}

static void check_same_day(struct cfg_ctx *c, const json_t *group, const char *ptr)
{
	cfg_check_shift_refs(c, group, ptr);
	for (size_t j = 1; j < json_array_size(group); j++) {
		const struct cfg_shift *b = cfg_shift_find(c, json_string_value(json_array_get(group, j)));
		for (size_t i = 0; b && b->timed && i < j; i++) {
			const struct cfg_shift *a = cfg_shift_find(c, json_string_value(json_array_get(group, i)));
			if (!a || !a->timed || a == b || !times_overlap(a, b))
				continue;
			cfg_error(c, json_pointer_join_index(c->a, ptr, j), "SAME_DAY_OVERLAP",
				  "%s (%s-%s) and %s (%s-%s) overlap in time: one person cannot work both on one day", a->code,
				  hhmm(c, a->start), hhmm(c, a->end), b->code, hhmm(c, b->start), hhmm(c, b->end));
			break;
		}
	}
}

void cfg_check_rules(struct cfg_ctx *c)
{
	const json_t *rules = json_object_get(c->doc, "rules");
	const json_t *fs = json_object_get(rules, "forbiddenSuccessions");
	for (size_t i = 0; i < json_array_size(fs); i++) {
		const json_t *r = json_array_get(fs, i);
		cfg_check_shift_refs(c, json_object_get(r, "after"), cfg_ptr(c, "/rules/forbiddenSuccessions/%zu/after", i));
		cfg_check_shift_refs(c, json_object_get(r, "forbid"), cfg_ptr(c, "/rules/forbiddenSuccessions/%zu/forbid", i));
	}
	const json_t *ms = json_object_get(rules, "maxShifts");
	for (size_t i = 0; i < json_array_size(ms); i++)
		cfg_check_shift_refs(c, json_object_get(json_array_get(ms, i), "shiftTypes"),
				     cfg_ptr(c, "/rules/maxShifts/%zu/shiftTypes", i));
	const json_t *sd = json_object_get(rules, "sameDayAllowed");
	for (size_t i = 0; i < json_array_size(sd); i++)
		check_same_day(c, json_object_get(json_array_get(sd, i), "shiftTypes"),
			       cfg_ptr(c, "/rules/sameDayAllowed/%zu/shiftTypes", i));
	const json_t *maxrun = json_object_get(rules, "maxConsecutiveWorkingDays");
	const json_t *minrun = json_object_get(json_object_get(rules, "restAfterRun"), "minRunDays");
	if (json_value_is_integral(maxrun) && json_value_is_integral(minrun) &&
	    json_number_value(minrun) > json_number_value(maxrun))
		cfg_warning(c, "/rules/restAfterRun/minRunDays", "RULE_NEVER_APPLIES",
			    "a run of %.0f days can never happen when maxConsecutiveWorkingDays is %.0f", json_number_value(minrun),
			    json_number_value(maxrun));
	const json_t *wk = json_object_get(rules, "weekends");
	const json_t *wmax = json_object_get(wk, "max"), *wper = json_object_get(wk, "periodWeeks");
	if (json_value_is_integral(wmax) && json_value_is_integral(wper) && json_number_value(wmax) >= json_number_value(wper))
		cfg_warning(c, "/rules/weekends/max", "RULE_NEVER_APPLIES",
			    "%.0f weekends in %.0f weeks limits nobody: there are only %.0f weekends in the period",
			    json_number_value(wmax), json_number_value(wper), json_number_value(wper));
}
