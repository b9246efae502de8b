/* schedule_model.h — a department's scheduling problem as an engine model (engine_model.h),
 * and the engine's answer back as assignments, checked against the department's own rules.
 *
 * Input (plain structs, no database): the tenant config, the roster, time off, the locked
 * assignments of the period, and assignments outside the period (history: the days just
 * before it, and the rest of the year for per-month/-year limits and year-to-date fairness).
 * engine_run_load() (engine_run_load.c) fills it from the database.
 *
 * Mapping (docs/engine.md "In the product"):
 *  - engine days = a look-back of L days before the period (locked to what was worked then,
 *    so successions, runs, rest and the weekend window see across the boundary) + the period;
 *  - engine shift types = the config's shift types; one combined type per compatible set of
 *    rules.sameDayAllowed (parts = its members' cover rows); one "with attending" variant per
 *    shift type fellows may work only beside an attending (own cover row, never counted
 *    towards the headcount); and "history" types for the look-back cells;
 *  - cover: the headcount of the day (perWeekday, date overrides, holidays) is both the
 *    requirement and the hard minimum; a shift type on a day it does not run costs
 *    SCHED_W_RULE per person;
 *  - people: active and schedulable only; eligibility as docs/config.md#eligibility;
 *    approved time off and days outside employment are days off with a reason; locked
 *    assignments are locked cells;
 *  - rules that the engine holds exactly as hard rules: eligibility, one compatible set per
 *    day, time off, locks, one-day forbidden successions (and cross-midnight overlaps),
 *    maximum consecutive days, single-type per-unit maximums; rules it holds as heavily
 *    weighted soft terms (SCHED_W_RULE): the weekend window, multi-type maximums and
 *    maximums over several units; restAfterRun is held by shortening runs to minRunDays-1
 *    (conservative). Every rule is checked exactly afterwards by sched_check_roster().
 *  - soft goals: fairness per equivalence class in proportion to FTE (period and year to
 *    date), a load balance term, pending time-off requests as off-requests, spreading of
 *    weekends and nights.
 * Everything lives in the arena given to sched_model_build(). */
#ifndef RS_DOMAIN_SCHEDULE_MODEL_H
#define RS_DOMAIN_SCHEDULE_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "engine/engine_eval.h"
#include "engine/engine_model.h"

#define SCHED_MAX_BASE 40          /* config shift types the product maps (engine cap is 63 in all) */
#define SCHED_MAX_LOOKBACK 63
#define SCHED_W_RULE 200000        /* a config rule the engine holds as a soft term */
#define SCHED_NO_DAY (-2147483647L - 1)

struct sched_person {
	const char *id, *email, *name, *short_name;
	double fte;
	bool fellow, active, schedulable;
	const char **subs;
	int nsubs;
	long start_day, end_day; /* employment (day numbers); SCHED_NO_DAY = open */
};

struct sched_timeoff {
	int person;        /* index into people */
	long from, to;     /* inclusive */
	const char *kind;  /* vacation, conference, leave, other */
	bool approved;     /* false: requested (a soft wish for days off) */
};

struct sched_assign {
	int person;
	long day;
	const char *shift_code;
	const char *id;    /* assignment id, may be NULL */
	bool locked;
};

struct sched_input {
	const json_t *config;        /* a valid tenant config */
	long first, last;            /* the period (day numbers, inclusive) */
	struct sched_person *people;
	int npeople;
	struct sched_timeoff *off;
	int noff;
	struct sched_assign *fixed;  /* locked assignments inside the period */
	int nfixed;
	struct sched_assign *history;/* assignments on days outside the period */
	int nhistory;
};

enum sched_type_kind { SCHED_T_BASE, SCHED_T_COMBO, SCHED_T_FELLOW, SCHED_T_HISTORY };

/* One config shift type. */
struct sched_shift {
	const char *code, *name, *subspecialty;
	bool timed;
	int start, end;     /* minutes after midnight; end <= start ends the next day */
	unsigned days;      /* bit w: runs on weekday w (0 = Monday) */
	double points;
	bool night;         /* timed and crosses midnight */
};

/* One engine shift type in config terms. */
struct sched_type {
	enum sched_type_kind kind;
	uint64_t base;      /* config shift types it stands for (history: what was worked) */
};

struct sched_class {
	const char *id, *name;
	uint64_t base;      /* config shift types */
	double weight;      /* fairness.balance, default 1 */
};

/* A maxShifts rule as mapped. */
struct sched_cap {
	uint64_t base;
	int max;
	const char *per;    /* week, month, year, period */
	int rule_index;     /* /rules/maxShifts/N */
};

struct sched_model {
	struct engine_model *m;
	const struct sched_input *in;
	int nbase;
	struct sched_shift *base;    /* [nbase] */
	struct sched_type *type;     /* [m->nshifts] */
	int nclass;
	struct sched_class *cls;
	int ncap;
	struct sched_cap *cap;
	int lookback;                /* engine day d is the date first - lookback + d */
	int nperiod;                 /* days in the period */
	int *person_of;              /* [m->npeople] → index into in->people */
	int *engine_of;              /* [in->npeople] → engine person or -1 */
	int *count;                  /* [d * nbase + b]: required attendings (engine days) */
	bool *runs;                  /* [d * nbase + b]: the shift type may be worked that day */
	const char **day_name;       /* [ndays]: override name ("Christmas Day") or NULL */
	bool *holiday;               /* [ndays] */
	/* rules, as read from the config */
	int max_consec;              /* 0 = none */
	int engine_max_consec;       /* what the engine holds (restAfterRun may shorten it) */
	int rest_min_run, rest_min_off;
	int weekend_max, weekend_weeks; /* 0 = none */
	int week_start;              /* 0 = Monday */
	/* fairness targets (hundredths of a shift) of the period, per class and engine person;
	 * -1 = not in the class */
	int *due_centi;              /* [c * npeople + p] */
	int *ytd_count;              /* [c * npeople + p]: worked this year before the period */
	int *ytd_due_centi;          /* [c * npeople + p]: fair share of the year so far incl. the period */
	int notes_n;
	const char *notes[16];       /* approximations made for this department (for the run's diagnostics) */
};

/* Build the engine model (finalized). ERR_INVALID when the config cannot be mapped (too many
 * shift types, a period longer than the engine's horizon), ERR_NOT_FOUND when nobody can be
 * scheduled. */
enum err sched_model_build(const struct sched_input *in, struct arena *a, struct sched_model **out,
			   struct errinfo *ei) RS_MUST_CHECK;

/* Index of a config shift type by code, or -1. */
int sched_base_find(const struct sched_model *sm, const char *code);
/* The engine day of a date, or -1 outside the horizon. */
int sched_day_of(const struct sched_model *sm, long day);
/* "YYYY-MM-DD" of an engine day (static per model). */
const char *sched_day_label(const struct sched_model *sm, int d);

/* May input person `person` work config shift type b: 0 no, 1 yes (counts towards the
 * headcount), 2 only beside an attending (a fellow under "withAttending"). */
int sched_eligibility(const struct sched_model *sm, int person, int b);
/* The calendar unit ("week" from department.weekStart, "month", "year") around day; false
 * for "period". */
bool sched_unit_of(const struct sched_model *sm, const char *per, long day, long *from, long *to);

/* The cells of r within the period as assignments (one per config shift type worked). */
struct sched_cell {
	int person;          /* index into in->people */
	long day;
	int base;            /* config shift type */
	bool fellow_variant; /* a fellow beside an attending */
	bool locked;
};
int sched_roster_cells(const struct sched_model *sm, const struct engine_roster *r, struct arena *a,
		       struct sched_cell **out);

/* A roster from assignments (cells whose set matches no engine type take the first one that
 * contains the most of them). Unknown people or shift types are skipped. */
void sched_roster_from(const struct sched_model *sm, const struct sched_assign *v, int n, struct arena *a,
		       struct engine_roster *out);

/* ---- checking against the department's rules -------------------------------------------- */

enum sched_family {
	SCHED_F_COVERAGE,      /* headcounts; nobody on closed days */
	SCHED_F_ELIGIBILITY,   /* eligibility and fellows beside an attending */
	SCHED_F_ONE_PER_DAY,   /* one compatible set of shifts per day */
	SCHED_F_TIME_OFF,      /* approved time off, employment dates */
	SCHED_F_LOCKED,        /* locked assignments kept */
	SCHED_F_SUCCESSION,    /* forbidden successions, overlapping shifts */
	SCHED_F_CONSECUTIVE,   /* max consecutive working days */
	SCHED_F_REST,          /* rest after a run */
	SCHED_F_WEEKENDS,      /* weekends in any window */
	SCHED_F_MAX_SHIFTS,    /* per-type maximums */
	SCHED_F__COUNT
};

#define SCHED_CHECK_LISTED 50

struct sched_check {
	int instances[SCHED_F__COUNT];
	int violations[SCHED_F__COUNT];
	int total_violations;
	int nlisted;
	struct {
		enum sched_family family;
		int person;      /* index into the input's people, -1 for a day's coverage */
		char text[300];
	} listed[SCHED_CHECK_LISTED];
};

/* Stable camelCase family names for JSON and metrics labels. */
const char *sched_family_name(enum sched_family f);
/* Check the period's part of r (with the look-back as history) against every rule. */
void sched_check_roster(const struct sched_model *sm, const struct engine_roster *r, struct arena *a,
			struct sched_check *out);
/* Ratio of satisfied instances of a family (1 when it has none). */
double sched_check_ratio(const struct sched_check *c, enum sched_family f);

/* A person's label for sentences ("Dr. Grace Kim" → name; else short name, else email). */
const char *sched_person_label(const struct sched_person *p);

#endif
