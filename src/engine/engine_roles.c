/* engine_roles.c — what each solver slot does during an epoch (see engine_driver.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/engine_driver.h"

#define POLISH_TICKS (30LL * 1000 * 1000)  /* local search after each dive */
#define SUB_TICKS (200LL * 1000 * 1000)    /* a spell of sub-problems between dives */
#define STEP_TICKS 64                      /* floor on the work of a search step */
#define ENRICH_ROUNDS 60                    /* shaken pricing rounds before each master IP */
#define ENRICH_NOISE 1.5                   /* largest shake of a dual, in objective units */
#define ENRICH_PRICINGS 2000               /* people × rounds at most */

double engine_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int64_t engine_slot_ticks(const struct engine_slot *sl)
{
	return engine_rowdp_work(sl->w.dp) + sl->extra_ticks + (sl->cg ? engine_colgen_work(sl->cg) : 0);
}

void engine_slot_note_best(struct engine_slot *sl)
{
	int64_t t = engine_state_total(&sl->w.cur);
	if (t < sl->best_total) {
		sl->best_total = t;
		engine_state_copy(&sl->best, &sl->w.cur);
		sl->best_time = engine_now() - sl->sh->t0;
		sl->stale = 0;
	}
}

void engine_slot_start(struct engine_slot *sl)
{
	struct engine_shared *sh = sl->sh;
	struct engine_worker *w = &sl->w;
	const struct engine_solve_opts *o = sh->o;
	if (o->start) {
		engine_state_load(&w->cur, o->start->cell);
		for (int p = 0; p < sh->st->P; p++)
			if (!engine_row_feasible(sh->st, p, w->cur.cell + (size_t)p * (size_t)sh->st->H)) {
				int one[1] = {p};
				if (engine_move_rebuild(w, one, 1, ENGINE_INF - 1) == ENGINE_INF)
					sl->bad_rows++;
			}
	} else {
		sl->bad_rows = engine_construct(w);
	}
	engine_slot_note_best(sl);
}

static void pick_people(struct engine_worker *w, int *people, int k)
{
	const int P = w->st->P;
	for (int i = 0; i < k; i++) {
		int p;
		bool dup;
		do {
			p = engine_rng_int(&w->rng, P);
			dup = false;
			for (int j = 0; j < i; j++)
				dup |= people[j] == p;
		} while (dup);
		people[i] = p;
	}
}

/* A random person and the k-1 people most alike (shared eligible shift types, working on
 * the same days), with noise so that repeated picks differ. */
static void pick_related(struct engine_worker *w, int *people, int k)
{
	const struct engine_static *st = w->st;
	const int P = st->P, H = st->H;
	const struct engine_model *m = st->m;
	int seed = engine_rng_int(&w->rng, P);
	double *score = xmalloc(sizeof *score * (size_t)P);
	const int16_t *rs = w->cur.cell + (size_t)seed * (size_t)H;
	for (int q = 0; q < P; q++) {
		const int16_t *rq = w->cur.cell + (size_t)q * (size_t)H;
		double sc = __builtin_popcountll(m->people[seed].eligible & m->people[q].eligible);
		int both = 0;
		for (int d = 0; d < H; d++)
			both += (rs[d] >= 0) != (rq[d] >= 0);
		sc += 2.0 * both / H + 3.0 * engine_rng_unit(&w->rng);
		score[q] = q == seed ? 1e9 : sc;
	}
	for (int i = 0; i < k; i++) {
		int bq = 0;
		for (int q = 1; q < P; q++)
			if (score[q] > score[bq])
				bq = q;
		people[i] = bq;
		score[bq] = -1e18;
	}
	free(score);
}

/* One local-search step: a move chosen at random, kept unless it worsens. */
static void ls_step(struct engine_slot *sl)
{
	struct engine_worker *w = &sl->w;
	const struct engine_static *st = w->st;
	const int P = st->P, H = st->H;
	double r = engine_rng_unit(&w->rng);
	sl->extra_ticks += STEP_TICKS;
	if (r < 0.45) {
		int p = engine_rng_int(&w->rng, P);
		int len = H <= 56 ? H : 28 + engine_rng_int(&w->rng, 29);
		if (engine_rng_unit(&w->rng) < 0.3 && H > 7)
			len = 7 + engine_rng_int(&w->rng, H - 6 < 22 ? H - 6 : 22);
		if (len > H)
			len = H;
		int a = engine_rng_int(&w->rng, H - len + 1);
		(void)engine_move_row(w, p, a, a + len - 1, 0);
	} else if (r < 0.9 && P > 1) {
		int p = engine_rng_int(&w->rng, P), q = engine_rng_int(&w->rng, P - 1);
		if (q >= p)
			q++;
		int len = 1 + engine_rng_int(&w->rng, H < 14 ? H : 14);
		int a = engine_rng_int(&w->rng, H - len + 1);
		sl->extra_ticks += 4 * H;
		(void)engine_move_swap(w, p, q, a, a + len - 1, 0);
	} else {
		int k = 2 + engine_rng_int(&w->rng, 3);
		if (k > P)
			k = P;
		int people[8];
		pick_people(w, people, k);
		(void)engine_move_rebuild(w, people, k, 0);
	}
	w->steps++;
}

/* Time left before the time limit (0 = none): a bound for long external calls. */
static double seconds_left(const struct engine_slot *sl)
{
	const struct engine_solve_opts *o = sl->sh->o;
	if (o->time_limit <= 0)
		return 0;
	double left = o->time_limit - (engine_now() - sl->sh->t0);
	return left > 0.01 ? left : 0.01;
}

/* One step of the column-generation slot. */
static void cg_step(struct engine_slot *sl)
{
	struct engine_worker *w = &sl->w;
	const struct engine_static *st = w->st;
	const int P = st->P, H = st->H;
	sl->extra_ticks += STEP_TICKS;
	switch (sl->phase) {
	case CG_START:
		if (sl->full_master) {
			engine_colgen_seed(sl->cg, w->cur.cell);
			sl->phase = CG_ROOT;
		} else {
			sl->phase = CG_SUB;
			sl->phase_end = engine_slot_ticks(sl) + SUB_TICKS;
		}
		break;
	case CG_ROOT:
		if (engine_colgen_root(sl->cg, 1)) {
			sl->phase = CG_DIVE;
			if (sl->sh->o->verbose)
				fprintf(stderr, "t=%.2f slot %d: root bound %.3f\n", engine_now() - sl->sh->t0, sl->id,
					engine_colgen_bound(sl->cg));
		}
		break;
	case CG_DIVE: {
		if (!engine_colgen_diving(sl->cg)) {
			if (sl->inc_new) {
				engine_colgen_seed(sl->cg, sl->inc_cells);
				sl->inc_new = false;
			}
			const int16_t *from = sl->incumbent < sl->best_total ? sl->inc_cells : sl->best.cell;
			int64_t inc = sl->incumbent < sl->best_total ? sl->incumbent : sl->best_total;
			memcpy(sl->dive_cells, from, sizeof *sl->dive_cells * (size_t)P * (size_t)H);
			engine_colgen_dive_begin(sl->cg, inc, sl->dive_cells, seconds_left(sl), &w->rng);
		}
		int r = engine_colgen_dive_step(sl->cg, &w->rng, sl->buf);
		if (r == 1) {
			engine_state_load(&w->cur, sl->buf);
			if (sl->sh->o->verbose)
				fprintf(stderr, "t=%.2f slot %d: dive %lld\n", engine_now() - sl->sh->t0, sl->id,
					(long long)engine_state_total(&w->cur));
			sl->phase = CG_POLISH;
			sl->after_polish = CG_DIVE;
			sl->phase_end = engine_slot_ticks(sl) + POLISH_TICKS;
			sl->dive_fail = 0;
		} else if (r == 2 && ++sl->dive_fail >= 2) {
			sl->phase = CG_MIP;
			sl->dive_fail = 0;
		}
		break;
	}
	case CG_MIP: {
		/* Cbc over every column found so far, from the best schedule known */
		const int16_t *from = sl->incumbent < sl->best_total ? sl->inc_cells : sl->best.cell;
		memcpy(sl->buf, from, sizeof *sl->buf * (size_t)P * (size_t)H);
		double c0 = engine_now();
		int rounds = ENRICH_PRICINGS / P;
		rounds = rounds < 5 ? 5 : rounds > ENRICH_ROUNDS ? ENRICH_ROUNDS : rounds;
		engine_colgen_enrich(sl->cg, rounds, ENRICH_NOISE, &w->rng);
		int64_t v = engine_colgen_master_ip(sl->cg, sl->buf, sl->mip_nodes, seconds_left(sl));
		if (sl->sh->o->verbose)
			fprintf(stderr, "t=%.2f slot %d: master IP %lld in %.2fs\n", engine_now() - sl->sh->t0, sl->id, (long long)v,
				engine_now() - c0);
		engine_state_load(&w->cur, sl->buf);
		sl->phase = CG_POLISH;
		sl->after_polish = CG_SUB;
		sl->phase_end = engine_slot_ticks(sl) + POLISH_TICKS;
		break;
	}
	case CG_POLISH:
		ls_step(sl);
		if (engine_slot_ticks(sl) >= sl->phase_end) {
			engine_colgen_seed(sl->cg, w->cur.cell);
			sl->phase = sl->after_polish;
			sl->phase_end = engine_slot_ticks(sl) + SUB_TICKS;
		}
		break;
	case CG_SUB: {
		/* alternately: a few alike people over the whole horizon, or everybody over a
		 * window of days */
		int k, a = 0, b = H - 1;
		bool window = (sl->sub_count++ & 1) && P > sl->sub_k;
		if (window) {
			k = P;
			for (int i = 0; i < P; i++)
				sl->people[i] = i;
			int len = 5 + engine_rng_int(&w->rng, 6);
			if (len > H)
				len = H;
			a = engine_rng_int(&w->rng, H - len + 1);
			b = a + len - 1;
		} else {
			k = sl->sub_k < P ? sl->sub_k : P;
			pick_related(w, sl->people, k);
		}
		int *people = sl->people;
		memcpy(sl->buf, w->cur.cell, sizeof *sl->buf * (size_t)P * (size_t)H);
		struct engine_subresult res;
		engine_colgen_improve(sl->cg, sl->buf, people, k, a, b, 40, 100, seconds_left(sl), &res);
		if (res.after < res.before)
			engine_state_load(&w->cur, sl->buf);
		if (engine_slot_ticks(sl) >= sl->phase_end && sl->full_master)
			sl->phase = CG_DIVE;
		else if (engine_slot_ticks(sl) >= sl->phase_end)
			sl->phase_end = engine_slot_ticks(sl) + SUB_TICKS;
		break;
	}
	}
}

void engine_slot_epoch(struct engine_slot *sl)
{
	struct engine_shared *sh = sl->sh;
	const struct engine_solve_opts *o = sh->o;
	while (engine_slot_ticks(sl) < sl->epoch_end) {
		if (o->stop_at_feasible && sl->bad_rows == 0 && sl->best_total < ENGINE_HARD_WEIGHT)
			break;
		if (o->time_limit > 0 && engine_now() - sh->t0 >= o->time_limit) {
			sl->timed_out = true;
			break;
		}
		if (sl->role == ENGINE_ROLE_CG)
			cg_step(sl);
		else
			ls_step(sl);
		engine_slot_note_best(sl);
	}
}
