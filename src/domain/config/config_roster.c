#include "domain/config/config_roster.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "json/json_value.h"

static const char *const person_keys[] = {"id", "email", "name", "shortName", "role", "fte", "fellow", "active",
					  "schedulable", "subspecialties", "startDate", "endDate"};

static bool known_key(const char *k)
{
	for (size_t i = 0; i < sizeof person_keys / sizeof *person_keys; i++)
		if (!strcmp(k, person_keys[i]))
			return true;
	return false;
}

static enum err opt_bool(const json_t *o, const char *k, bool dflt, bool *out, const char *ptr, struct errinfo *ei)
{
	json_t *v = json_object_get(o, k);
	*out = dflt;
	if (!v)
		return ERR_OK;
	if (!json_is_boolean(v))
		return err_set(ei, ERR_INVALID, ptr, "\"%s\" must be true or false", k);
	*out = json_is_true(v);
	return ERR_OK;
}

static enum err opt_str(struct arena *a, const json_t *o, const char *k, const char **out, const char *ptr,
			struct errinfo *ei)
{
	json_t *v = json_object_get(o, k);
	*out = NULL;
	if (!v)
		return ERR_OK;
	if (!json_is_string(v))
		return err_set(ei, ERR_INVALID, ptr, "\"%s\" must be a string", k);
	*out = arena_strdup(a, json_string_value(v));
	return ERR_OK;
}

static enum err read_person(const json_t *pj, struct arena *a, struct config_person *p, const char *ptr,
			    struct errinfo *ei)
{
	if (!json_is_object(pj))
		return err_set(ei, ERR_INVALID, ptr, "a person must be an object");
	const char *k;
	json_t *v;
	JSON_OBJECT_EACH(pj, k, v)
	{
		if (!known_key(k))
			return err_set(ei, ERR_UNKNOWN_FIELD, ptr, "unknown member \"%s\"", k);
	}
	enum err e;
	if ((e = opt_str(a, pj, "email", &p->email, ptr, ei)) || (e = opt_str(a, pj, "id", &p->id, ptr, ei)) ||
	    (e = opt_str(a, pj, "name", &p->name, ptr, ei)) || (e = opt_str(a, pj, "role", &p->role, ptr, ei)) ||
	    (e = opt_bool(pj, "fellow", false, &p->fellow, ptr, ei)) ||
	    (e = opt_bool(pj, "active", true, &p->active, ptr, ei)) ||
	    (e = opt_bool(pj, "schedulable", true, &p->schedulable, ptr, ei)))
		return e;
	if (!p->email || !strchr(p->email, '@'))
		return err_set(ei, ERR_INVALID, ptr, "\"email\" is required and must be an email address");
	json_t *fte = json_object_get(pj, "fte");
	p->fte = 1.0;
	if (fte) {
		if (!json_is_number(fte) || json_number_value(fte) < 0 || json_number_value(fte) > 1)
			return err_set(ei, ERR_INVALID, ptr, "\"fte\" must be a number from 0 to 1");
		p->fte = json_number_value(fte);
	}
	json_t *subs = json_object_get(pj, "subspecialties");
	if (subs && !json_is_array(subs))
		return err_set(ei, ERR_INVALID, ptr, "\"subspecialties\" must be an array of codes");
	p->n_subspecialties = json_array_size(subs);
	p->subspecialties = arena_alloc(a, (p->n_subspecialties + 1) * sizeof *p->subspecialties);
	for (size_t i = 0; i < p->n_subspecialties; i++) {
		const char *s = json_string_value(json_array_get(subs, i));
		if (!s)
			return err_set(ei, ERR_INVALID, ptr, "\"subspecialties\" must be an array of codes");
		p->subspecialties[i] = arena_strdup(a, s);
	}
	return ERR_OK;
}

enum err config_roster_from_json(const json_t *j, struct arena *a, struct config_roster *out, struct errinfo *ei)
{
	memset(out, 0, sizeof *out);
	const char *k;
	json_t *v;
	if (!json_is_object(j))
		return err_set(ei, ERR_INVALID, "", "a roster must be an object with \"people\"");
	JSON_OBJECT_EACH(j, k, v)
	{
		if (strcmp(k, "people") && strcmp(k, "department"))
			return err_set(ei, ERR_UNKNOWN_FIELD, "", "unknown member \"%s\"", k);
	}
	json_t *people = json_object_get(j, "people");
	if (!json_is_array(people))
		return err_set(ei, ERR_INVALID, "/people", "\"people\" must be an array");
	size_t n = json_array_size(people);
	out->people = arena_alloc(a, (n + 1) * sizeof *out->people);
	for (size_t i = 0; i < n; i++) {
		char ptr[48];
		snprintf(ptr, sizeof ptr, "/people/%zu", i);
		enum err e = read_person(json_array_get(people, i), a, &out->people[i], ptr, ei);
		if (e != ERR_OK)
			return e;
		for (size_t j2 = 0; j2 < i; j2++)
			if (!strcasecmp(out->people[j2].email, out->people[i].email))
				return err_set(ei, ERR_INVALID, ptr, "%s is listed twice", out->people[i].email);
		out->n = i + 1;
	}
	return ERR_OK;
}

const struct config_person *config_roster_find(const struct config_roster *r, const char *email)
{
	for (size_t i = 0; r && email && i < r->n; i++)
		if (!strcasecmp(r->people[i].email, email))
			return &r->people[i];
	return NULL;
}

bool config_person_has_subspecialty(const struct config_person *p, const char *code)
{
	for (size_t i = 0; code && i < p->n_subspecialties; i++)
		if (!strcmp(p->subspecialties[i], code))
			return true;
	return false;
}
