/* engine_driver.h — the solver's workers ("slots") and what they share (internal to
 * engine_solve.c and engine_roles.c).
 *
 * Slot 0 does local search, slot 1 column generation (root bound, dives, sub-problems),
 * further slots local search with other seeds. Every slot runs in epochs measured in ticks
 * (deterministic units of work, about 5 ns each); after each epoch all slots meet and
 * exchange the best schedule. One thread may run several slots one after the other: the
 * schedule of epochs, hence the result for a given work limit, is the same whatever the
 * number of threads. With several threads and no request for determinism, slots exchange
 * after their own epochs without waiting for the others (a long Cbc call in one slot
 * does not idle the other core), and results may vary from run to run. */
#ifndef RS_ENGINE_DRIVER_H
#define RS_ENGINE_DRIVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/engine_colgen.h"
#include "engine/engine_search.h"
#include "engine/engine_solve.h"

#define ENGINE_EPOCH_TICKS (20LL * 1000 * 1000)
#define ENGINE_MAX_SLOTS 16

enum engine_role { ENGINE_ROLE_LS, ENGINE_ROLE_CG };
enum engine_cg_phase { CG_START, CG_ROOT, CG_DIVE, CG_MIP, CG_POLISH, CG_SUB };

struct engine_shared;

struct engine_slot {
	struct engine_shared *sh;
	int id;
	enum engine_role role;
	struct engine_worker w;      /* search state (the CG slot polishes and explores in it) */
	struct engine_state best;    /* best state this slot has seen */
	int64_t best_total;
	double best_time;
	int bad_rows;                /* rows with no feasible pattern */
	int64_t extra_ticks;         /* work not counted by the DP */
	int64_t epoch_end;
	bool timed_out;
	int64_t stale;               /* epochs since this slot last improved its best */
	int64_t ticks_reported;      /* free-running: ticks already added to ticks_done */
	/* column generation slot */
	struct engine_colgen *cg;
	enum engine_cg_phase phase;
	bool full_master;            /* model small enough for the whole master */
	int16_t *buf;
	int64_t phase_end;           /* tick at which a polish / sub-problem phase ends */
	int sub_k, sub_count;
	int *people;                 /* [P] scratch */
	int dive_fail;
	enum engine_cg_phase after_polish;
	int mip_nodes;               /* node limit of Cbc on the whole master */
	int64_t incumbent;           /* best total known at the last meeting */
	int16_t *inc_cells;
	int16_t *dive_cells;         /* incumbent handed to the current dive */
	bool inc_new;
};

struct engine_shared {
	const struct engine_static *st;
	const struct engine_solve_opts *o;
	struct engine_slot slot[ENGINE_MAX_SLOTS];
	int nslots, nthreads;
	double t0;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int arrived;
	unsigned generation;
	bool stop;
	bool free_running;           /* threads exchange without waiting (not deterministic) */
	int64_t epochs;
	int64_t ticks_done;          /* free-running: work reported so far */
	struct engine_state best;    /* the best schedule any slot has shared */
	int64_t best_total;
	double best_time;
	int best_bad_rows;
	double lower_bound;          /* best proven bound (-inf when none) */
	bool proven;
};

double engine_now(void);
int64_t engine_slot_ticks(const struct engine_slot *sl);
/* Run one epoch of a slot (until its ticks reach epoch_end or time is up). */
void engine_slot_epoch(struct engine_slot *sl);
/* First solution of a slot (construction or warm start). */
void engine_slot_start(struct engine_slot *sl);
void engine_slot_note_best(struct engine_slot *sl);

#endif
