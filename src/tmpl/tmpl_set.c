/* tmpl_set.c — named compiled templates (partials, parents, mail parts), loaded on demand. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "tmpl/tmpl.h"

struct entry {
	char *name;
	struct tmpl *t; /* NULL: the loader said there is no such template */
};

struct tmpl_set {
	pthread_mutex_t mu;
	struct entry *v;
	size_t n, cap;
	tmpl_load_fn load;
	void *load_arg;
};

struct tmpl_set *tmpl_set_new(tmpl_load_fn load, void *load_arg)
{
	struct tmpl_set *s = xcalloc(1, sizeof *s);
	pthread_mutex_init(&s->mu, NULL);
	s->load = load;
	s->load_arg = load_arg;
	return s;
}

void tmpl_set_free(struct tmpl_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		tmpl_free(s->v[i].t);
	}
	free(s->v);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static struct entry *find_locked(struct tmpl_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}

static void append_locked(struct tmpl_set *s, const char *name, struct tmpl *t)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = (struct entry){xstrdup(name), t};
}

enum err tmpl_set_add(struct tmpl_set *s, const char *name, const char *src, size_t len, struct errinfo *ei)
{
	struct tmpl *t;
	enum err e = tmpl_compile(name, src, len, &t, ei);
	if (e)
		return e;
	pthread_mutex_lock(&s->mu);
	if (find_locked(s, name)) {
		pthread_mutex_unlock(&s->mu);
		tmpl_free(t);
		return err_set(ei, ERR_CONFLICT, "", "template %s is already in the set", name);
	}
	append_locked(s, name, t);
	pthread_mutex_unlock(&s->mu);
	return ERR_OK;
}

enum err tmpl_set_get(struct tmpl_set *s, const char *name, const struct tmpl **out, struct errinfo *ei)
{
	enum err e = ERR_OK;
	*out = NULL;
	pthread_mutex_lock(&s->mu);
	struct entry *en = find_locked(s, name);
	if (en) {
		*out = en->t;
	} else if (s->load) {
		/* Loading under the lock keeps one compile per name; loads are rare (first use). */
		char *src = NULL;
		size_t len = 0;
		struct tmpl *t = NULL;
		e = s->load(s->load_arg, name, &src, &len, ei);
		if (!e)
			e = tmpl_compile(name, src, len, &t, ei);
		free(src);
		if (!e || e == ERR_NOT_FOUND)
			append_locked(s, name, t);
		*out = t;
	}
	pthread_mutex_unlock(&s->mu);
	if (!e && !*out)
		e = err_set(ei, ERR_NOT_FOUND, "", "no template named %s", name);
	return e;
}

enum err tmpl_set_partial(void *set, const char *name, const struct tmpl **out, struct errinfo *ei)
{
	enum err e = tmpl_set_get(set, name, out, ei);
	if (e == ERR_NOT_FOUND) {
		err_clear(ei);
		return ERR_OK; /* a missing partial renders as nothing */
	}
	return e;
}
