/* engine_model.h — the scheduling model shared by the product and the benchmark.
 *
 * A model is a horizon of days, a set of shift types, people with hard work rules, cover
 * per (day, shift type), requests, locked cells and optional soft terms (fairness, spread).
 * A roster gives each person, each day, one shift type or ENGINE_OFF. A shift type may
 * stand for a compatible set of duties worked together (its `parts`); a person never holds
 * two shift types on the same day.
 *
 * Hard rules (a roster breaking one is infeasible): eligibility and per-type maximums,
 * days off, locked cells, forbidden successions (day d → d+1), total minutes within
 * [min,max], maximal runs of worked days ≤ max_consec, runs of worked days ≥ min_consec and
 * runs of days off ≥ min_consec_off (runs touching the first or last day are exempt), worked
 * weekends ≤ max_weekends, and cover hard minimums.
 * Soft goals (minimised, weighted, integer): cover under/over the requirement, on/off
 * requests, fairness terms and spread terms. engine_eval.h computes both from scratch.
 *
 * Lifetime: everything hangs off the arena given to engine_model_new(); fill the arrays
 * directly (defaults are set), add requests and terms with the helpers, then call
 * engine_model_finalize() once before evaluating or solving. */
#ifndef RS_ENGINE_MODEL_H
#define RS_ENGINE_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

#define ENGINE_MAX_DAYS 1096       /* three years */
#define ENGINE_MAX_SHIFTS 63       /* shift types and "off" fit in one 64-bit mask */
#define ENGINE_MAX_PEOPLE 4000
#define ENGINE_MAX_REQUESTS 2000000
#define ENGINE_MAX_TERMS 256       /* fairness + spread terms */
#define ENGINE_MAX_WEIGHT 1000000  /* every weight is in [0, this] */

#define ENGINE_OFF (-1)            /* roster cell: day off */
#define ENGINE_UNLOCKED (-2)       /* lock cell: free */
#define ENGINE_ANY (-3)            /* request shift: any shift that day */
#define ENGINE_NO_LIMIT (1 << 30)  /* "no maximum" for counts and minutes */

typedef uint64_t engine_mask; /* set of shift types: bit s = shift type s */

struct engine_day {
	const char *label; /* "2026-12-25" or "day 3" */
	int weekday;       /* 0 = Monday … 6 = Sunday */
};

struct engine_shift {
	const char *code;           /* unique, e.g. "IR-CALL" */
	const char *label;          /* for people; defaults to code */
	int minutes;                /* counted against min/max total minutes */
	engine_mask forbidden_next; /* shift types that may not be worked the next day */
	engine_mask parts;          /* cover rows this shift fills; default: itself */
};

struct engine_person {
	const char *code, *label;
	double fte;                        /* 1.0 = full time; fairness targets use it */
	engine_mask eligible;              /* shift types the person may work */
	int max_count[ENGINE_MAX_SHIFTS];  /* per shift type over the horizon */
	int min_minutes, max_minutes;      /* total over the horizon */
	int max_consec;                    /* 0 = no rule */
	int min_consec, min_consec_off;    /* 0 or 1 = no rule */
	int max_weekends;                  /* ENGINE_NO_LIMIT = no rule */
};

struct engine_cover {
	int req;           /* wanted number of people on that exact shift type */
	int hard_min;      /* fewer than this is a hard violation (product); 0 = none */
	int w_under;       /* cost per person short of req */
	int w_over;        /* cost per person beyond req */
};

struct engine_request {
	int person, day;
	int shift;  /* a shift type or ENGINE_ANY */
	int weight;
	bool on;    /* true: wants to work it (missed when anything else is worked or off);
		     * false: wants not to work it (ENGINE_ANY: wants the day off) */
};

/* Fairness: weight × |100·count − target_centi[p]| summed over people, where count is the
 * number of days the person works a shift of `shifts` (only Saturdays/Sundays when
 * weekend_only). The product computes targets in hundredths of a shift from FTE, the
 * period and year-to-date history; people with target < 0 are left out. */
struct engine_fair {
	engine_mask shifts;
	bool weekend_only;
	int weight;
	int *target_centi; /* [npeople] */
};

enum engine_spread_kind {
	ENGINE_SPREAD_SHIFTS,   /* days worked on `shifts` within any `window` consecutive days */
	ENGINE_SPREAD_WEEKENDS, /* worked weekends within any `window` consecutive weekends */
};

/* Spread: for every person and every window, weight × max(0, count − max). */
struct engine_spread {
	enum engine_spread_kind kind;
	engine_mask shifts;
	int window, max, weight;
};

struct engine_model {
	struct arena *arena;
	int ndays, nshifts, npeople;
	struct engine_day *days;       /* [ndays] */
	struct engine_shift *shifts;   /* [nshifts] */
	struct engine_person *people;  /* [npeople] */
	uint8_t *day_off;              /* [p*ndays+d]: 0 = available, else index in off_reasons */
	const char *off_reasons[16];   /* words for a chief: [1] = "on leave" by default */
	int noff_reasons;
	int16_t *lock;                 /* [p*ndays+d]: ENGINE_UNLOCKED, ENGINE_OFF or a shift */
	struct engine_cover *cover;    /* [d*nshifts+s] */
	struct engine_request *requests;
	int nrequests, requests_cap;
	struct engine_fair *fair;
	int nfair;
	struct engine_spread *spread;
	int nspread;
	/* Derived by engine_model_finalize(). */
	bool finalized;
	int *weekend_of;               /* [ndays]: weekend index of a Saturday/Sunday, else -1 */
	int nweekends;
};

/* A roster: cell[p*ndays+d] is a shift type or ENGINE_OFF. */
struct engine_roster {
	int npeople, ndays;
	int16_t *cell;
};

/* A model with ndays days (labelled "day N", weekday = N mod 7), nshifts shift types
 * (code "S<i>", 0 minutes), npeople people (eligible everywhere, no limits), no cover
 * requirement, nothing locked. Sizes must be within the caps (ERR_TOO_LARGE). */
enum err engine_model_new(struct arena *a, int ndays, int nshifts, int npeople, struct engine_model **out,
			  struct errinfo *ei) RS_MUST_CHECK;
enum err engine_model_add_request(struct engine_model *m, const struct engine_request *r,
				  struct errinfo *ei) RS_MUST_CHECK;
/* Register a reason for days off ("on vacation"); returns its index for day_off cells. */
enum err engine_model_add_off_reason(struct engine_model *m, const char *words, int *index,
				     struct errinfo *ei) RS_MUST_CHECK;
/* Terms are copied (target_centi too). */
enum err engine_model_add_fair(struct engine_model *m, const struct engine_fair *f,
			       struct errinfo *ei) RS_MUST_CHECK;
enum err engine_model_add_spread(struct engine_model *m, const struct engine_spread *s,
				 struct errinfo *ei) RS_MUST_CHECK;
/* Check every field (ERR_INVALID naming the first bad one) and compute derived data. */
enum err engine_model_finalize(struct engine_model *m, struct errinfo *ei) RS_MUST_CHECK;

/* Index of a shift / person by code, or -1. Linear scan: for readers, not inner loops. */
int engine_model_shift_find(const struct engine_model *m, const char *code);
int engine_model_person_find(const struct engine_model *m, const char *code);

/* A roster of the model's size with every cell off, allocated in a. */
void engine_roster_init(struct engine_roster *r, const struct engine_model *m, struct arena *a);
void engine_roster_copy(struct engine_roster *dst, const struct engine_roster *src);

#endif
