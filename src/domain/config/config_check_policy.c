/* config_check_policy.c — time zone, vacation policy, fairness, sign-in and
 * integrations, plus roster-wide warnings. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "domain/config/config_check.h"
#include "domain/config/config_tz.h"
#include "json/json_value.h"

void cfg_check_timezone(struct cfg_ctx *c)
{
	const char *tz = json_string_value(json_object_get(c->doc, "timezone"));
	if (!tz || !config_timezone_name_ok(tz))
		return; /* the schema reports a missing or malformed name */
	struct errinfo ei;
	enum err e = config_timezone_check(tz, &ei);
	if (e == ERR_UNSUPPORTED)
		cfg_warning(c, "/timezone", "TIMEZONE_UNCHECKED", "%s", ei.message);
	else if (e != ERR_OK)
		cfg_error(c, "/timezone", "INVALID_TIMEZONE", "\"%s\" is not an IANA time zone (for example America/Toronto)",
			  tz);
}

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Both dates parse and a > b. */
static bool after(const char *a, const char *b)
{
	long da, db;
	return cfg_date(a, &da) && cfg_date(b, &db) && da > db;
}

static void check_windows(struct cfg_ctx *c, const json_t *ws)
{
	for (size_t i = 0; i < json_array_size(ws); i++) {
		const json_t *w = json_array_get(ws, i);
		const char *ptr = cfg_ptr(c, "/vacationPolicy/requestWindows/%zu", i);
		if (after(str(w, "opens"), str(w, "closes")))
			cfg_error(c, cfg_ptr(c, "%s/closes", ptr), "DATE_RANGE_REVERSED", "closes %s is before opens %s",
				  str(w, "closes"), str(w, "opens"));
		if (after(str(w, "coversFrom"), str(w, "coversTo")))
			cfg_error(c, cfg_ptr(c, "%s/coversTo", ptr), "DATE_RANGE_REVERSED", "coversTo %s is before coversFrom %s",
				  str(w, "coversTo"), str(w, "coversFrom"));
		else if (!after(str(w, "coversFrom"), str(w, "closes")) && str(w, "closes") && str(w, "coversFrom") &&
			 !after(str(w, "opens"), str(w, "closes")))
			cfg_warning(c, cfg_ptr(c, "%s/closes", ptr), "WINDOW_AFTER_PERIOD",
				    "requests close on %s, but the period they cover starts on %s", str(w, "closes"),
				    str(w, "coversFrom"));
	}
}

static void check_caps(struct cfg_ctx *c, const json_t *caps)
{
	const json_t *by = json_object_get(caps, "bySubspecialty");
	const json_t *total = json_object_get(caps, "total");
	for (size_t i = 0; i < json_array_size(by); i++) {
		const json_t *e = json_array_get(by, i);
		const char *ptr = cfg_ptr(c, "/vacationPolicy/maxOffPerWeek/bySubspecialty/%zu", i);
		const char *sub = str(e, "subspecialty");
		cfg_check_sub_ref(c, sub, cfg_ptr(c, "%s/subspecialty", ptr));
		for (size_t k = 0; sub && k < i; k++)
			if (json_equal(json_object_get(json_array_get(by, k), "subspecialty"), json_object_get(e, "subspecialty"))) {
				cfg_error(c, cfg_ptr(c, "%s/subspecialty", ptr), "CONFLICTING_DEFINITION",
					  "%s already has a cap at /vacationPolicy/maxOffPerWeek/bySubspecialty/%zu", sub, k);
				break;
			}
		const json_t *max = json_object_get(e, "max");
		if (json_is_number(total) && json_is_number(max) && json_number_value(max) > json_number_value(total))
			cfg_warning(c, cfg_ptr(c, "%s/max", ptr), "RULE_NEVER_APPLIES",
				    "a cap of %.0f for %s never binds: at most %.0f people may be off in any week",
				    json_number_value(max), sub ? sub : "?", json_number_value(total));
	}
}

static void check_blackouts(struct cfg_ctx *c, const json_t *bs)
{
	for (size_t i = 0; i < json_array_size(bs); i++) {
		const json_t *b = json_array_get(bs, i);
		const char *ptr = cfg_ptr(c, "/vacationPolicy/blackoutDates/%zu", i);
		long f, t;
		if (!cfg_date(str(b, "from"), &f) || !cfg_date(str(b, "to"), &t))
			continue;
		if (f > t) {
			cfg_error(c, cfg_ptr(c, "%s/to", ptr), "DATE_RANGE_REVERSED", "to %s is before from %s", str(b, "to"),
				  str(b, "from"));
			continue;
		}
		for (size_t k = 0; k < i; k++) {
			const json_t *o = json_array_get(bs, k);
			long of, ot;
			if (cfg_date(str(o, "from"), &of) && cfg_date(str(o, "to"), &ot) && of <= ot && f <= ot && of <= t) {
				cfg_warning(c, ptr, "OVERLAPPING_DATES", "%s..%s overlaps /vacationPolicy/blackoutDates/%zu (%s..%s)",
					    str(b, "from"), str(b, "to"), k, str(o, "from"), str(o, "to"));
				break;
			}
		}
	}
}

static void check_rounds(struct cfg_ctx *c, const json_t *vp)
{
	const json_t *rounds = json_object_get(vp, "rounds");
	double sum = 0;
	for (size_t i = 0; i < json_array_size(rounds); i++) {
		const json_t *r = json_array_get(rounds, i);
		sum += json_is_number(json_object_get(r, "maxWeeks")) ? json_number_value(json_object_get(r, "maxWeeks")) : 0;
		for (size_t k = 0; str(r, "name") && k < i; k++)
			if (json_equal(json_object_get(json_array_get(rounds, k), "name"), json_object_get(r, "name"))) {
				cfg_warning(c, cfg_ptr(c, "/vacationPolicy/rounds/%zu/name", i), "DUPLICATE_NAME",
					    "round %zu is also named \"%s\"", k + 1, str(r, "name"));
				break;
			}
	}
	const json_t *allow = json_object_get(vp, "weeksPerYearFullTime");
	if (json_is_number(allow) && sum > json_number_value(allow))
		cfg_warning(c, "/vacationPolicy/rounds", "ROUNDS_EXCEED_ALLOWANCE",
			    "the rounds offer up to %.15g weeks but a full-time allowance is %.15g weeks a year", sum,
			    json_number_value(allow));
}

void cfg_check_vacation(struct cfg_ctx *c)
{
	const json_t *vp = json_object_get(c->doc, "vacationPolicy");
	check_windows(c, json_object_get(vp, "requestWindows"));
	check_caps(c, json_object_get(vp, "maxOffPerWeek"));
	check_blackouts(c, json_object_get(vp, "blackoutDates"));
	check_rounds(c, vp);
}

void cfg_check_fairness(struct cfg_ctx *c)
{
	const json_t *f = json_object_get(c->doc, "fairness");
	const json_t *bal = json_object_get(f, "balance");
	for (size_t i = 0; i < json_array_size(bal); i++) {
		const json_t *b = json_array_get(bal, i);
		const char *id = str(b, "equivalence");
		const char *ptr = cfg_ptr(c, "/fairness/balance/%zu/equivalence", i);
		if (id && !cfg_equiv_known(c, id)) {
			cfg_error(c, ptr, "UNKNOWN_EQUIVALENCE", "\"%s\" is not an equivalence class defined in /equivalences", id);
			continue;
		}
		for (size_t k = 0; id && k < i; k++)
			if (json_equal(json_object_get(json_array_get(bal, k), "equivalence"), json_object_get(b, "equivalence"))) {
				cfg_error(c, ptr, "CONFLICTING_DEFINITION", "\"%s\" is already balanced at /fairness/balance/%zu", id, k);
				break;
			}
	}
	const json_t *pw = json_object_get(f, "periodWeight"), *yw = json_object_get(f, "yearToDateWeight");
	if (json_is_number(pw) && json_is_number(yw) && json_number_value(pw) == 0 && json_number_value(yw) == 0)
		cfg_warning(c, "/fairness", "FAIRNESS_DISABLED",
			    "periodWeight and yearToDateWeight are both 0: the schedule will not be balanced");
}

void cfg_check_auth(struct cfg_ctx *c)
{
	const json_t *auth = json_object_get(c->doc, "auth");
	const json_t *domains = json_object_get(auth, "allowedDomains");
	if (!json_is_true(json_object_get(auth, "domainRestrictedSignup")) || !json_is_array(domains))
		return;
	if (json_array_size(domains) == 0) {
		cfg_error(c, "/auth/allowedDomains", "AUTH_NO_DOMAINS",
			  "domainRestrictedSignup is on but no domain is allowed: nobody could sign up");
		return;
	}
	size_t outside = 0;
	char names[300] = "";
	for (size_t i = 0; c->roster && i < c->roster->n; i++) {
		const struct config_person *p = &c->roster->people[i];
		const char *dom = strrchr(p->email, '@');
		bool ok = false;
		for (size_t k = 0; dom && k < json_array_size(domains) && !ok; k++) {
			const char *d = json_string_value(json_array_get(domains, k));
			ok = d && !strcasecmp(dom + 1, d);
		}
		if (ok || !p->active)
			continue;
		size_t l = strlen(names);
		if (outside < 4)
			snprintf(names + l, sizeof names - l, "%s%s", outside ? ", " : "", p->email);
		else if (outside == 4)
			snprintf(names + l, sizeof names - l, ", ...");
		outside++;
	}
	if (outside)
		cfg_warning(c, "/auth/allowedDomains", "PERSON_DOMAIN_NOT_ALLOWED",
			    "%zu %s in the roster %s not in an allowed domain and cannot sign up: %s", outside,
			    outside == 1 ? "person" : "people", outside == 1 ? "is" : "are", names);
}

void cfg_check_integrations(struct cfg_ctx *c)
{
	static const char *const known[] = {"SHIFT_CODE", "SHIFT_NAME", "SUBSPECIALTY", "USER", "USER_SHORT"};
	const char *fmt = str(json_object_get(json_object_get(c->doc, "integrations"), "calendar"), "eventSummaryFormat");
	for (const char *p = fmt ? strchr(fmt, '{') : NULL; p; p = strchr(p + 1, '{')) {
		const char *e = strchr(p, '}');
		if (!e) {
			cfg_error(c, "/integrations/calendar/eventSummaryFormat", "UNKNOWN_PLACEHOLDER",
				  "a \"{\" is never closed; placeholders look like {SHIFT_CODE}");
			return;
		}
		size_t n = (size_t)(e - p - 1);
		bool ok = false;
		for (size_t k = 0; k < sizeof known / sizeof *known && !ok; k++)
			ok = strlen(known[k]) == n && !strncmp(p + 1, known[k], n);
		if (!ok)
			cfg_error(c, "/integrations/calendar/eventSummaryFormat", "UNKNOWN_PLACEHOLDER",
				  "{%.*s} is not a placeholder (use {SHIFT_CODE}, {SHIFT_NAME}, {SUBSPECIALTY}, {USER}, {USER_SHORT})",
				  (int)(n > 40 ? 40 : n), p + 1);
	}
}

void cfg_check_roster(struct cfg_ctx *c)
{
	for (size_t i = 0; c->roster && i < c->roster->n; i++) {
		const struct config_person *p = &c->roster->people[i];
		for (size_t k = 0; p->active && k < p->n_subspecialties; k++)
			if (!cfg_sub_known(c, p->subspecialties[k]))
				cfg_warning(c, "/subspecialties", "ROSTER_UNKNOWN_SUBSPECIALTY",
					    "%s has subspecialty %s in the roster, which this config does not define", p->email,
					    p->subspecialties[k]);
	}
}
