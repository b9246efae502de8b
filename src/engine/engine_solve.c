/* engine_solve.c — solver driver: slots, threads, epochs and meetings, stopping, and the
 * final check by the independent evaluator (see engine_solve.h, engine_driver.h). */
#include "engine/engine_solve.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_driver.h"

/* Models up to this size get the whole column-generation master; bigger ones only
 * sub-problems (the master LP would eat the time). */
#define FULL_MASTER_ROWS 1500
#define FULL_MASTER_CELLS 40000
#define LS_STALL_EPOCHS 20

static uint64_t mix_seed(uint64_t seed, int id)
{
	uint64_t s = seed ^ (0x5851F42D4C957F2Dull * (uint64_t)(id + 1));
	return engine_rng_next(&s);
}

static bool cg_suits(const struct engine_model *m);
static bool full_master_suits(const struct engine_model *m);
static void slot_become_cg(struct engine_shared *sh, struct engine_slot *sl);

static int64_t total_ticks(const struct engine_shared *sh)
{
	int64_t t = 0;
	for (int i = 0; i < sh->nslots; i++)
		t += engine_slot_ticks(&sh->slot[i]);
	return t;
}

/* A slot's best becomes the shared best when strictly better (so ties keep the earlier). */
static void publish(struct engine_shared *sh, struct engine_slot *sl)
{
	if (sl->best_total < sh->best_total) {
		engine_state_copy(&sh->best, &sl->best);
		sh->best_total = sl->best_total;
		sh->best_time = sl->best_time;
		sh->best_bad_rows = sl->bad_rows;
	}
	if (sl->cg && !sh->st->soft_terms) {
		double lb = engine_colgen_bound(sl->cg);
		if (lb > sh->lower_bound)
			sh->lower_bound = lb;
	}
}

/* A slot takes what the others found: local search continues from a better shared best;
 * column generation uses it as incumbent (and as columns). A local search that has
 * stalled on a model the whole master suits becomes a second column-generation search. */
static void adopt(struct engine_shared *sh, struct engine_slot *sl)
{
	const struct engine_static *st = sh->st;
	if (sl->role == ENGINE_ROLE_LS && sl->stale >= LS_STALL_EPOCHS && cg_suits(st->m) && full_master_suits(st->m))
		slot_become_cg(sh, sl);
	if (sl->role == ENGINE_ROLE_LS && sh->best_total < sl->best_total) {
		engine_state_copy(&sl->w.cur, &sh->best);
		engine_state_copy(&sl->best, &sh->best);
		sl->best_total = sh->best_total;
		sl->best_time = sh->best_time;
		sl->bad_rows = sh->best_bad_rows;
	}
	if (sl->role == ENGINE_ROLE_CG && sh->best_total < sl->incumbent) {
		sl->incumbent = sh->best_total;
		memcpy(sl->inc_cells, sh->best.cell, sizeof *sl->inc_cells * (size_t)st->P * (size_t)st->H);
		sl->inc_new = true;
	}
	sl->epoch_end = engine_slot_ticks(sl) + ENGINE_EPOCH_TICKS;
}

/* Whether to stop: proven optimal, time, work, dry-run goal, or the caller says so. */
static void decide(struct engine_shared *sh, bool timed, int64_t ticks)
{
	const struct engine_solve_opts *o = sh->o;
	if (sh->lower_bound > -HUGE_VAL && sh->best_bad_rows == 0 && ceil(sh->lower_bound - 1e-6) >= (double)sh->best_total) {
		sh->proven = true;
		sh->stop = true;
	}
	if (timed || (o->work_limit > 0 && ticks >= o->work_limit * 1000000))
		sh->stop = true;
	if (o->stop_at_feasible && sh->best_bad_rows == 0 && sh->best_total < ENGINE_HARD_WEIGHT)
		sh->stop = true;
	if (o->progress && !o->progress(o->progress_arg, engine_now() - sh->t0, sh->best_total))
		sh->stop = true;
}

/* Deterministic meeting: every slot has finished the epoch. Depends only on the slots'
 * states (and the clock, for the time limit). */
static void meet(struct engine_shared *sh)
{
	sh->epochs++;
	bool timed = false;
	for (int i = 0; i < sh->nslots; i++) {
		struct engine_slot *sl = &sh->slot[i];
		timed |= sl->timed_out;
		sl->stale++;
		publish(sh, sl);
	}
	decide(sh, timed, total_ticks(sh));
	for (int i = 0; i < sh->nslots; i++)
		adopt(sh, &sh->slot[i]);
	if (sh->o->verbose)
		fprintf(stderr, "epoch %lld t=%.2f best=%lld bound=%.2f ticks=%lldM\n", (long long)sh->epochs,
			engine_now() - sh->t0, (long long)sh->best_total, sh->lower_bound, (long long)(total_ticks(sh) / 1000000));
}

/* Free-running exchange after one slot's epoch (threads > 1, not deterministic). */
static bool exchange(struct engine_shared *sh, struct engine_slot *sl)
{
	pthread_mutex_lock(&sh->mu);
	int64_t t = engine_slot_ticks(sl);
	sh->ticks_done += t - sl->ticks_reported;
	sl->ticks_reported = t;
	sl->stale++;
	publish(sh, sl);
	decide(sh, sl->timed_out, sh->ticks_done);
	adopt(sh, sl);
	if (sh->o->verbose && sl->id == 0)
		fprintf(stderr, "t=%.2f best=%lld bound=%.2f ticks=%lldM\n", engine_now() - sh->t0, (long long)sh->best_total,
			sh->lower_bound, (long long)(sh->ticks_done / 1000000));
	bool stop = sh->stop;
	pthread_mutex_unlock(&sh->mu);
	return stop;
}

/* Barrier: the last thread to arrive holds the meeting. Returns whether to stop. */
static bool barrier(struct engine_shared *sh)
{
	pthread_mutex_lock(&sh->mu);
	unsigned gen = sh->generation;
	if (++sh->arrived == sh->nthreads) {
		sh->arrived = 0;
		meet(sh);
		sh->generation++;
		pthread_cond_broadcast(&sh->cv);
	} else {
		while (gen == sh->generation)
			pthread_cond_wait(&sh->cv, &sh->mu);
	}
	bool stop = sh->stop;
	pthread_mutex_unlock(&sh->mu);
	return stop;
}

struct thread_arg {
	struct engine_shared *sh;
	int tid;
};

/* A thread runs slots tid, tid + nthreads, … one after the other, epoch by epoch, meeting
 * the others after each (or exchanging on its own when free-running). */
static void *thread_main(void *arg)
{
	struct thread_arg *ta = arg;
	struct engine_shared *sh = ta->sh;
	for (int i = ta->tid; i < sh->nslots; i += sh->nthreads)
		engine_slot_start(&sh->slot[i]);
	if (sh->free_running) {
		bool stop = false;
		for (int i = ta->tid; i < sh->nslots; i += sh->nthreads)
			stop |= exchange(sh, &sh->slot[i]);
		while (!stop)
			for (int i = ta->tid; i < sh->nslots && !stop; i += sh->nthreads) {
				engine_slot_epoch(&sh->slot[i]);
				stop = exchange(sh, &sh->slot[i]);
			}
		return NULL;
	}
	if (barrier(sh))
		return NULL;
	for (;;) {
		for (int i = ta->tid; i < sh->nslots; i += sh->nthreads)
			engine_slot_epoch(&sh->slot[i]);
		if (barrier(sh))
			return NULL;
	}
}

static bool cg_suits(const struct engine_model *m)
{
	return m->ndays <= 84;
}

static bool full_master_suits(const struct engine_model *m)
{
	int rows = m->npeople + m->ndays * m->nshifts;
	return rows <= FULL_MASTER_ROWS && m->npeople * m->ndays <= FULL_MASTER_CELLS;
}

/* Give a slot the column-generation role (at start, or when its local search stalls). */
static void slot_become_cg(struct engine_shared *sh, struct engine_slot *sl)
{
	const struct engine_static *st = sh->st;
	const struct engine_model *m = st->m;
	sl->role = ENGINE_ROLE_CG;
	sl->phase = CG_START;
	sl->cg = engine_colgen_new(st);
	if (sh->o->time_limit > 0)
		engine_colgen_deadline(sl->cg, sh->t0 + sh->o->time_limit);
	sl->full_master = full_master_suits(m);
	sl->buf = xmalloc(sizeof *sl->buf * (size_t)st->P * (size_t)st->H);
	sl->inc_cells = xmalloc(sizeof *sl->inc_cells * (size_t)st->P * (size_t)st->H);
	sl->people = xmalloc(sizeof *sl->people * (size_t)st->P);
	sl->dive_cells = xmalloc(sizeof *sl->dive_cells * (size_t)st->P * (size_t)st->H);
	sl->sub_k = st->P < 8 ? st->P : 8;
	sl->mip_nodes = m->npeople + m->ndays * m->nshifts <= 200 ? 2000 : 500;
	sl->inc_new = false;
	sl->incumbent = ENGINE_INF;
}

static void slot_init(struct engine_shared *sh, int i, const struct engine_model *m)
{
	const struct engine_static *st = sh->st;
	struct engine_slot *sl = &sh->slot[i];
	sl->sh = sh;
	sl->id = i;
	/* column generation prices whole rows: only for horizons a row DP handles at once */
	sl->role = i == 1 && cg_suits(m) ? ENGINE_ROLE_CG : ENGINE_ROLE_LS;
	engine_worker_init(&sl->w, st, mix_seed(sh->o->seed, i));
	engine_state_init(&sl->best, st);
	sl->best_total = ENGINE_INF;
	sl->incumbent = ENGINE_INF;
	if (sl->role == ENGINE_ROLE_CG)
		slot_become_cg(sh, sl);
}

static void slot_fini(struct engine_slot *sl)
{
	engine_worker_fini(&sl->w);
	engine_state_fini(&sl->best);
	engine_colgen_free(sl->cg);
	free(sl->buf);
	free(sl->inc_cells);
	free(sl->people);
	free(sl->dive_cells);
}

enum err engine_solve(const struct engine_model *m, const struct engine_solve_opts *o, struct arena *a,
		      struct engine_solve_result *out, struct errinfo *ei)
{
	memset(out, 0, sizeof *out);
	if (!m->finalized)
		return err_set(ei, ERR_INTERNAL, "", "model not finalized");
	if (o->time_limit <= 0 && o->work_limit <= 0)
		return err_set(ei, ERR_INVALID, "timeLimit", "a time limit or a work limit is required");
	if (o->threads < 0 || o->threads > ENGINE_MAX_SLOTS)
		return err_set(ei, ERR_INVALID, "threads", "threads must be within 1..%d", ENGINE_MAX_SLOTS);
	if (o->start && (o->start->npeople != m->npeople || o->start->ndays != m->ndays))
		return err_set(ei, ERR_INVALID, "start", "warm-start roster has the wrong size");
	struct engine_static *st = arena_alloc(a, sizeof *st);
	engine_static_init(st, m, a);
	struct engine_shared *sh = xcalloc(1, sizeof *sh);
	sh->st = st;
	sh->o = o;
	sh->nthreads = o->threads > 1 ? o->threads : 1;
	sh->nslots = sh->nthreads > 2 ? sh->nthreads : 2;
	sh->free_running = sh->nthreads > 1 && !o->deterministic;
	sh->t0 = engine_now();
	sh->lower_bound = -HUGE_VAL;
	engine_state_init(&sh->best, st);
	sh->best_total = ENGINE_INF;
	pthread_mutex_init(&sh->mu, NULL);
	pthread_cond_init(&sh->cv, NULL);
	for (int i = 0; i < sh->nslots; i++)
		slot_init(sh, i, m);
	pthread_t th[ENGINE_MAX_SLOTS];
	struct thread_arg ta[ENGINE_MAX_SLOTS];
	for (int t = 0; t < sh->nthreads; t++)
		ta[t] = (struct thread_arg){sh, t};
	for (int t = 1; t < sh->nthreads; t++)
		if (pthread_create(&th[t], NULL, thread_main, &ta[t]) != 0)
			abort();
	thread_main(&ta[0]);
	for (int t = 1; t < sh->nthreads; t++)
		pthread_join(th[t], NULL);
	/* slots may hold a better best than the last exchange saw (time ran out mid-epoch) */
	for (int i = 0; i < sh->nslots; i++)
		publish(sh, &sh->slot[i]);
	for (int i = 0; i < sh->nslots; i++)
		out->steps += sh->slot[i].w.steps;
	out->ticks = total_ticks(sh);
	engine_roster_init(&out->roster, m, a);
	memcpy(out->roster.cell, sh->best.cell, sizeof *out->roster.cell * (size_t)m->npeople * (size_t)m->ndays);
	out->time_to_best = sh->best_time;
	out->elapsed = engine_now() - sh->t0;
	out->lower_bound = sh->lower_bound;
	out->proven_optimal = sh->proven;
	bool consistent = engine_state_check(&sh->best);
	int64_t total = sh->best_total;
	for (int i = 0; i < sh->nslots; i++)
		slot_fini(&sh->slot[i]);
	engine_state_fini(&sh->best);
	pthread_mutex_destroy(&sh->mu);
	pthread_cond_destroy(&sh->cv);
	free(sh);
	enum err e = engine_eval_roster(m, &out->roster, a, &out->eval, ei);
	if (e)
		return e;
	out->feasible = out->eval.nhard == 0;
	/* The evaluator is the judge: the search's own total must agree with it. */
	int64_t hard_cover = 0;
	for (int i = 0; i < out->eval.nlisted; i++)
		if (out->eval.hard[i].rule == ENGINE_RULE_COVER_MIN)
			hard_cover += out->eval.hard[i].limit - out->eval.hard[i].value;
	if (!consistent || (out->eval.nlisted == out->eval.nhard &&
			    out->eval.objective + hard_cover * ENGINE_HARD_WEIGHT != total))
		return err_set(ei, ERR_INTERNAL, "", "solver bookkeeping %lld disagrees with evaluator %lld",
			       (long long)total, (long long)out->eval.objective);
	if (out->proven_optimal && out->feasible && (double)out->eval.objective > ceil(out->lower_bound - 1e-6))
		out->proven_optimal = false;
	return ERR_OK;
}
