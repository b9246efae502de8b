/* config_check_eligibility.c — who may work what: the eligibility lists, fellow
 * policies, and the rule the engine applies (cfg_person_eligible). */
#include <string.h>
#include <strings.h>

#include "domain/config/config_check.h"
#include "json/json_pointer.h"

static bool array_has(const json_t *arr, const char *s, bool nocase)
{
	for (size_t i = 0; s && i < json_array_size(arr); i++) {
		const char *v = json_string_value(json_array_get(arr, i));
		if (v && (nocase ? !strcasecmp(v, s) : !strcmp(v, s)))
			return true;
	}
	return false;
}

static enum cfg_fellow_policy policy_from(const char *s, enum cfg_fellow_policy dflt)
{
	if (!s)
		return dflt;
	if (!strcmp(s, "never"))
		return CFG_FELLOW_NEVER;
	if (!strcmp(s, "independent"))
		return CFG_FELLOW_INDEPENDENT;
	if (!strcmp(s, "withAttending"))
		return CFG_FELLOW_WITH_ATTENDING;
	return dflt;
}

enum cfg_fellow_policy cfg_fellow_policy(const struct cfg_ctx *c, const char *shift_code)
{
	const json_t *f = json_object_get(json_object_get(c->doc, "eligibility"), "fellows");
	const json_t *ov = json_object_get(f, "overrides");
	for (size_t i = 0; i < json_array_size(ov); i++) {
		const json_t *o = json_array_get(ov, i);
		if (array_has(json_object_get(o, "shiftTypes"), shift_code, false))
			return policy_from(json_string_value(json_object_get(o, "policy")), CFG_FELLOW_WITH_ATTENDING);
	}
	return policy_from(json_string_value(json_object_get(f, "default")), CFG_FELLOW_WITH_ATTENDING);
}

bool cfg_person_eligible(const struct cfg_ctx *c, const struct config_person *p, const struct cfg_shift *s,
			 bool *alone)
{
	*alone = false;
	if (!p->active || !p->schedulable)
		return false;
	const json_t *elig = json_object_get(c->doc, "eligibility");
	const json_t *lists = json_object_get(elig, "lists");
	bool governed = false, member = false;
	/* lists naming the shift type win; then lists naming its subspecialty */
	for (int pass = 0; pass < 2 && !governed; pass++) {
		for (size_t i = 0; i < json_array_size(lists); i++) {
			const json_t *l = json_array_get(lists, i);
			bool hits = pass == 0 ? array_has(json_object_get(l, "shiftTypes"), s->code, false)
					      : array_has(json_object_get(l, "subspecialties"), s->subspecialty, false);
			if (!hits)
				continue;
			governed = true;
			member = member || array_has(json_object_get(l, "people"), p->email, true);
		}
	}
	bool ok;
	if (governed) {
		ok = member;
	} else {
		const char *dflt = json_string_value(json_object_get(elig, "default"));
		ok = (dflt && !strcmp(dflt, "everyone")) || !s->subspecialty ||
		     config_person_has_subspecialty(p, s->subspecialty);
	}
	if (!ok)
		return false;
	if (!p->fellow) {
		*alone = true;
		return true;
	}
	enum cfg_fellow_policy pol = cfg_fellow_policy(c, s->code);
	*alone = pol == CFG_FELLOW_INDEPENDENT;
	return pol != CFG_FELLOW_NEVER;
}

static void check_people(struct cfg_ctx *c, const json_t *list, const char *lptr)
{
	const json_t *people = json_object_get(list, "people");
	const char *pptr = cfg_ptr(c, "%s/people", lptr);
	size_t usable = 0;
	for (size_t j = 0; j < json_array_size(people); j++) {
		const char *email = json_string_value(json_array_get(people, j));
		if (!email)
			continue;
		const char *ptr = json_pointer_join_index(c->a, pptr, j);
		const struct config_person *p = config_roster_find(c->roster, email);
		if (!p)
			cfg_error(c, ptr, "UNKNOWN_PERSON", "%s is not in the department's roster", email);
		else if (!p->active)
			cfg_warning(c, ptr, "INACTIVE_PERSON", "%s is not active and will not be scheduled", email);
		else if (!p->schedulable)
			cfg_warning(c, ptr, "NOT_SCHEDULABLE", "%s does not take shifts (not schedulable)", email);
		else
			usable++;
	}
	if (usable == 0 && json_array_size(people) > 0) {
		const char *name = json_string_value(json_object_get(list, "name"));
		cfg_error(c, pptr, "ELIGIBILITY_EMPTY",
			  "nobody on \"%s\" is an active, schedulable person: what it governs could never be staffed",
			  name ? name : "this list");
	}
}

void cfg_check_eligibility(struct cfg_ctx *c)
{
	const json_t *elig = json_object_get(c->doc, "eligibility");
	const json_t *lists = json_object_get(elig, "lists");
	for (size_t i = 0; i < json_array_size(lists); i++) {
		const json_t *l = json_array_get(lists, i);
		const char *lptr = cfg_ptr(c, "/eligibility/lists/%zu", i);
		const char *name = json_string_value(json_object_get(l, "name"));
		for (size_t k = 0; name && k < i; k++)
			if (json_equal(json_object_get(json_array_get(lists, k), "name"), json_object_get(l, "name"))) {
				cfg_warning(c, cfg_ptr(c, "%s/name", lptr), "DUPLICATE_NAME",
					    "another list is also named \"%s\" (/eligibility/lists/%zu); their people are combined",
					    name, k);
				break;
			}
		cfg_check_shift_refs(c, json_object_get(l, "shiftTypes"), cfg_ptr(c, "%s/shiftTypes", lptr));
		cfg_check_sub_refs(c, json_object_get(l, "subspecialties"), cfg_ptr(c, "%s/subspecialties", lptr));
		if (c->roster)
			check_people(c, l, lptr);
	}
	const json_t *ov = json_object_get(json_object_get(elig, "fellows"), "overrides");
	for (size_t i = 0; i < json_array_size(ov); i++) {
		const json_t *codes = json_object_get(json_array_get(ov, i), "shiftTypes");
		const char *optr = cfg_ptr(c, "/eligibility/fellows/overrides/%zu/shiftTypes", i);
		cfg_check_shift_refs(c, codes, optr);
		for (size_t j = 0; j < json_array_size(codes); j++) {
			const char *code = json_string_value(json_array_get(codes, j));
			for (size_t k = 0; code && k < i; k++)
				if (array_has(json_object_get(json_array_get(ov, k), "shiftTypes"), code, false)) {
					cfg_error(c, json_pointer_join_index(c->a, optr, j), "CONFLICTING_DEFINITION",
						  "%s already has a fellow policy in /eligibility/fellows/overrides/%zu", code, k);
					break;
				}
		}
	}
}
