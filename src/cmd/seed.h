/* seed.h — the demo department of `radsched dev` (tenant slug `demo`, Lakeside Radiology),
 * created once from config/demo/lakeside.json and config/demo/roster.json. */
#ifndef RS_CMD_SEED_H
#define RS_CMD_SEED_H

#include <stdbool.h>
#include <stdio.h>

#include "domain/platform.h"

struct seed_result {
	bool created;      /* false: it already existed */
	char tenant_id[37];
	char admin_id[37];
};

/* Returns 0 or an exit status after printing why. */
int seed_demo(struct platform *pf, struct seed_result *out);
/* What a person trying radsched needs: who to sign in as, and how. */
void seed_print_welcome(struct platform *pf, const struct seed_result *s, FILE *f);

#endif
