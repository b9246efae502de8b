/* engine_eval.h — the independent evaluator: feasibility and objective of a roster,
 * recomputed from scratch with plain code that shares nothing with the solver's
 * incremental bookkeeping. Every schedule the engine returns has been through it. */
#ifndef RS_ENGINE_EVAL_H
#define RS_ENGINE_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "engine/engine_model.h"

enum engine_term {
	ENGINE_TERM_COVER_UNDER,   /* Σ w_under · max(0, req − n) */
	ENGINE_TERM_COVER_OVER,    /* Σ w_over · max(0, n − req) */
	ENGINE_TERM_ON_REQUESTS,   /* weights of on-requests not met */
	ENGINE_TERM_OFF_REQUESTS,  /* weights of off-requests violated */
	ENGINE_TERM_FAIRNESS,      /* fairness terms */
	ENGINE_TERM_SPREAD,        /* spread terms (weekends, nights) */
	ENGINE_TERM__COUNT
};

enum engine_rule {
	ENGINE_RULE_BAD_CELL,       /* cell value is not a shift type or off */
	ENGINE_RULE_ELIGIBILITY,    /* person may not work that shift type */
	ENGINE_RULE_DAY_OFF,        /* works on a day off */
	ENGINE_RULE_LOCKED,         /* differs from a locked cell */
	ENGINE_RULE_SUCCESSION,     /* shift on day d forbids the shift on day d+1 */
	ENGINE_RULE_MAX_COUNT,      /* more of a shift type than allowed */
	ENGINE_RULE_MAX_MINUTES,
	ENGINE_RULE_MIN_MINUTES,
	ENGINE_RULE_MAX_CONSEC,     /* run of worked days too long */
	ENGINE_RULE_MIN_CONSEC,     /* inner run of worked days too short */
	ENGINE_RULE_MIN_CONSEC_OFF, /* inner run of days off too short */
	ENGINE_RULE_MAX_WEEKENDS,
	ENGINE_RULE_COVER_MIN,      /* fewer people than the hard minimum */
	ENGINE_RULE__COUNT
};

/* One broken hard rule. person/day/shift are -1 when not relevant; day is the first day
 * of a run; value is what the roster has, limit what the rule allows. */
struct engine_violation {
	enum engine_rule rule;
	int person, day, shift;
	int value, limit;
};

#define ENGINE_EVAL_LISTED 256

struct engine_eval {
	int64_t objective;                  /* Σ term[] */
	int64_t term[ENGINE_TERM__COUNT];
	int nhard;                          /* every broken hard rule instance */
	int nlisted;                        /* the first ENGINE_EVAL_LISTED of them */
	struct engine_violation hard[ENGINE_EVAL_LISTED];
};

/* Evaluate r against m (finalized). The roster must have the model's dimensions
 * (ERR_INVALID otherwise); out-of-range cells are reported as violations, not errors.
 * Temporary memory comes from a. */
enum err engine_eval_roster(const struct engine_model *m, const struct engine_roster *r, struct arena *a,
			    struct engine_eval *out, struct errinfo *ei) RS_MUST_CHECK;

/* Stable snake_case names for logs and JSON. */
const char *engine_term_name(enum engine_term t);
const char *engine_rule_name(enum engine_rule r);

/* One sentence for a chief ("Dr A works 6 days in a row from 2026-12-21 (max 5)"). */
void engine_violation_describe(const struct engine_model *m, const struct engine_violation *v, char *out,
			       size_t outsz);

#endif
