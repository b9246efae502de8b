/* schedule_model_internal.h — pieces shared by the schedule_model*.c files only (the build of
 * the engine model from a department's config); not for other files. The public API and the
 * mapping are in schedule_model.h.
 *
 *   schedule_model.c           sched_model_build(): the steps in order; days; accessors; notes
 *   schedule_model_config.c    the config's tables and rules read into struct sched_model
 *   schedule_model_types.c     engine shift types (base, combined, fellow, history) and cover
 *   schedule_model_people.c    people, eligibility, days off, requests, locks
 *   schedule_model_rules.c     weekends, maxShifts, spreading
 *   schedule_model_fairness.c  fairness per class (period, year to date) and load
 *   schedule_model_roster.c    engine roster ↔ assignments
 *   schedule_model_check.c     the department's rules checked exactly */
#ifndef RS_DOMAIN_SCHEDULE_MODEL_INTERNAL_H
#define RS_DOMAIN_SCHEDULE_MODEL_INTERNAL_H

#include "domain/schedule_model.h"

/* weights of the soft terms (besides SCHED_W_RULE) */
#define W_OVER 5        /* one person beyond the headcount */
#define W_PENDING 300   /* a day of a pending time-off request worked */
#define W_LOAD 5        /* load balance, per hundredth… ×100 per shift */
#define W_SPREAD_WE 40  /* two weekends in a row */
#define W_SPREAD_NIGHT 20
#define FAIR_SCALE 10.0 /* config weights (0.5, 3) → engine integers */

/* The build's working state: the engine types so far and per-person tables. */
struct builder {
	struct sched_model *sm;
	struct arena *a;
	int ntypes;
	struct sched_type types[ENGINE_MAX_SHIFTS];
	int *elig;                  /* [P * nbase]: sched_eligibility() */
	int16_t *hist_cell;         /* [P * L]: history type index or ENGINE_OFF */
	uint64_t *hist_set;         /* [P * L]: base types worked then */
};

static inline int sm_popcount(uint64_t x) { return __builtin_popcountll(x); }

/* Record an approximation made for this department (at most 16; for the run's diagnostics). */
void sm_note(struct sched_model *sm, struct arena *a, const char *fmt, ...) RS_PRINTF(3, 4);

/* ---- schedule_model_config.c -------------------------------------------------------- */

/* Does the JSON array of strings arr hold s? */
bool sm_has_str(const json_t *arr, const char *s);
enum err sm_read_shifts(struct sched_model *sm, struct arena *a, struct errinfo *ei) RS_MUST_CHECK;
/* Config shift types named in a JSON array of codes (unknown codes are skipped). */
uint64_t sm_base_mask(const struct sched_model *sm, const json_t *codes);
void sm_read_classes(struct sched_model *sm, struct arena *a);
void sm_read_rules(struct sched_model *sm, struct arena *a);
int sm_day_count(const struct sched_model *sm, long day, int b, const char **name, bool *holiday);
bool sm_succession(const struct sched_model *sm, int a, int b, int *span);
/* Does working the set `from` one day forbid working the set `to` the next? */
bool sm_forbids_next(const struct sched_model *sm, uint64_t from, uint64_t to);
int sm_lookback_days(struct sched_model *sm);
int sm_engine_max_consec(struct sched_model *sm, struct arena *a);

/* ---- schedule_model_types.c --------------------------------------------------------- */

/* Index of the engine type (k, base), added when new; -1 (ei set) beyond the engine's cap. */
int sm_add_type(struct builder *bd, enum sched_type_kind k, uint64_t base, struct errinfo *ei);
enum err sm_build_combos(struct builder *bd, struct errinfo *ei) RS_MUST_CHECK;
void sm_history_sets(struct builder *bd, int P);
enum err sm_history_types(struct builder *bd, int P, int mc, struct errinfo *ei) RS_MUST_CHECK;
int sm_engine_type_of(const struct builder *bd, enum sched_type_kind k, uint64_t set);
int sm_type_for_set(const struct builder *bd, int p, uint64_t set);
/* The engine shift types (code, label, minutes, parts, forbidden_next) from bd->types. */
void sm_set_shifts(struct builder *bd);
void sm_set_cover(struct builder *bd);

/* ---- schedule_model_people.c -------------------------------------------------------- */

enum err sm_people_index(struct sched_model *sm, struct arena *a, int *np, struct errinfo *ei) RS_MUST_CHECK;
enum err sm_set_people(struct builder *bd, struct errinfo *ei) RS_MUST_CHECK;

/* ---- schedule_model_rules.c --------------------------------------------------------- */

enum err sm_set_weekends(struct builder *bd, int p, struct errinfo *ei) RS_MUST_CHECK;
enum err sm_set_caps(struct builder *bd, struct errinfo *ei) RS_MUST_CHECK;
enum err sm_set_spreads(struct builder *bd, struct errinfo *ei) RS_MUST_CHECK;

/* ---- schedule_model_fairness.c ------------------------------------------------------ */

enum err sm_set_fairness(struct builder *bd, struct errinfo *ei) RS_MUST_CHECK;

#endif
