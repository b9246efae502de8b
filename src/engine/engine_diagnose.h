/* engine_diagnose.h — dry run: does a schedule meeting every hard rule exist, and if not,
 * who and what is in the way, in sentences a chief understands:
 *   "2026-12-25 IR-CALL needs 1; 3 eligible; Dr A on vacation, Dr B resting after
 *    Overnight, Dr C at max weekends".
 *
 * Method, within the time limit (about 2 s for a department):
 *  1. lock conflicts (locked on a day off, locked to a shift the person may not work);
 *  2. each person alone: can any row meet their own rules with their locks and days off?
 *     If not, relaxing one rule at a time names the rule (and for minimum minutes, the
 *     most the person can reach);
 *  3. each (day, shift) with a hard minimum: which eligible people could work it at all,
 *     and for the others why not (day off, lock, rest after or before a locked shift, or
 *     the rule that forbids it, found by relaxation); too few → infeasible; also the sum
 *     of minimums of a day against the people free that day;
 *  4. otherwise the solver searches for a schedule with every minimum met for the time
 *     left: found → feasible (with the schedule as witness); not found → unknown, with
 *     the rows the best attempt left short explained as in 3.
 * Steps 1–3 are proofs (necessary conditions), so "infeasible" is certain; "unknown"
 * means no proof either way within the time. */
#ifndef RS_ENGINE_DIAGNOSE_H
#define RS_ENGINE_DIAGNOSE_H

#include "engine/engine_model.h"

enum engine_verdict { ENGINE_FEASIBLE, ENGINE_INFEASIBLE, ENGINE_UNKNOWN };

enum engine_diag_kind {
	ENGINE_DIAG_LOCK,    /* a locked cell contradicts the model */
	ENGINE_DIAG_PERSON,  /* a person's own rules cannot all hold */
	ENGINE_DIAG_COVER,   /* a (day, shift) cannot reach its hard minimum */
	ENGINE_DIAG_DAY,     /* a day's minimums need more people than are free */
	ENGINE_DIAG_SEARCH,  /* the best attempt left this (day, shift) short (verdict unknown) */
};

struct engine_diag_item {
	enum engine_diag_kind kind;
	int day, shift, person;  /* -1 when not relevant */
	int need, have;          /* cover: the hard minimum and who could work it */
	char text[600];          /* the sentence */
};

#define ENGINE_DIAG_MAX_ITEMS 200

struct engine_diagnosis {
	enum engine_verdict verdict;
	int nitems;
	struct engine_diag_item *items;  /* [nitems], in the caller's arena */
	struct engine_roster witness;    /* a schedule meeting every hard rule (verdict feasible) */
	double elapsed;
};

const char *engine_verdict_name(enum engine_verdict v);

/* Diagnose m (finalized) within about time_limit seconds (> 0). */
enum err engine_diagnose(const struct engine_model *m, double time_limit, struct arena *a,
			 struct engine_diagnosis *out, struct errinfo *ei) RS_MUST_CHECK;

#endif
