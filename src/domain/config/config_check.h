/* config_check.h — internal to src/domain/config: the semantic checks run after the
 * schema. Each check walks the document defensively (a member of the wrong type is
 * skipped: the schema has already reported it) and adds problems to ctx->out. */
#ifndef RS_DOMAIN_CONFIG_CHECK_H
#define RS_DOMAIN_CONFIG_CHECK_H

#include <jansson.h>
#include <stdbool.h>

#include "domain/config/config_problem.h"
#include "domain/config/config_roster.h"

enum { CFG_DAYS = 7 }; /* mon = 0 ... sun = 6 */

struct cfg_shift {
	const char *code;
	const char *ptr;          /* "/shiftTypes/3" */
	const char *subspecialty; /* NULL: a general shift */
	bool timed;
	int start, end;           /* minutes after midnight (timed); end <= start crosses midnight */
	unsigned days;            /* bit d set: runs on weekday d */
};

struct cfg_ctx {
	struct arena *a;
	const json_t *doc;
	const struct config_roster *roster; /* NULL: person checks are skipped */
	struct config_report *out;
	struct cfg_shift *shifts;
	size_t n_shifts;
	const char **subs;
	size_t n_subs;
	const char **equivs;
	size_t n_equivs;
};

void cfg_error(struct cfg_ctx *c, const char *ptr, const char *code, const char *fmt, ...) RS_PRINTF(4, 5);
void cfg_warning(struct cfg_ctx *c, const char *ptr, const char *code, const char *fmt, ...) RS_PRINTF(4, 5);

const char *cfg_ptr(struct cfg_ctx *c, const char *fmt, ...) RS_PRINTF(2, 3);
const struct cfg_shift *cfg_shift_find(const struct cfg_ctx *c, const char *code);
bool cfg_sub_known(const struct cfg_ctx *c, const char *code);
bool cfg_equiv_known(const struct cfg_ctx *c, const char *id);
int cfg_weekday(const char *key); /* "mon" -> 0 ... "sun" -> 6; -1 otherwise */
extern const char *const cfg_weekday_keys[CFG_DAYS];
/* Days since 1970-01-01 for "YYYY-MM-DD", or false when not a date. */
bool cfg_date(const char *s, long *days);

/* code (at ptr) must name a defined shift type / subspecialty (NULL code: no check). */
void cfg_check_shift_ref(struct cfg_ctx *c, const char *code, const char *ptr);
void cfg_check_sub_ref(struct cfg_ctx *c, const char *code, const char *ptr);
/* Each string of arr (at ptr) must name a defined shift type / subspecialty. */
void cfg_check_shift_refs(struct cfg_ctx *c, const json_t *arr, const char *ptr);
void cfg_check_sub_refs(struct cfg_ctx *c, const json_t *arr, const char *ptr);

/* The checks, in document order. cfg_index_build() runs first and fills the tables. */
void cfg_index_build(struct cfg_ctx *c);
void cfg_check_timezone(struct cfg_ctx *c);
void cfg_check_eligibility(struct cfg_ctx *c);
void cfg_check_equivalences(struct cfg_ctx *c);
void cfg_check_coverage(struct cfg_ctx *c);
void cfg_check_rules(struct cfg_ctx *c);
void cfg_check_vacation(struct cfg_ctx *c);
void cfg_check_fairness(struct cfg_ctx *c);
void cfg_check_auth(struct cfg_ctx *c);
void cfg_check_integrations(struct cfg_ctx *c);
void cfg_check_roster(struct cfg_ctx *c);

/* Eligibility as the engine will apply it (see docs/config.md#eligibility). */
enum cfg_fellow_policy { CFG_FELLOW_NEVER, CFG_FELLOW_WITH_ATTENDING, CFG_FELLOW_INDEPENDENT };
enum cfg_fellow_policy cfg_fellow_policy(const struct cfg_ctx *c, const char *shift_code);
/* May p work shift s at all (active, schedulable, listed or of the subspecialty,
 * fellow policy not "never")? *alone is set when p counts towards coverage by
 * themselves (not a fellow who needs an attending). */
bool cfg_person_eligible(const struct cfg_ctx *c, const struct config_person *p, const struct cfg_shift *s,
			 bool *alone);

#endif
