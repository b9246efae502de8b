/* engine_curtois.h — the staff-scheduling benchmark format (Curtois & Qu 2014) on the
 * engine model, and the roster TSV used for its solutions.
 *
 * Mapping: day 0 is a Monday; shift types keep their IDs and minutes; a per-type maximum of
 * 0 makes the person ineligible for it; days off, per-type maximums, minutes, consecutive
 * rules and weekends are hard; cover is soft with the file's weights (hard_min = 0); on/off
 * requests are soft with their weights. Missing cover lines mean "no requirement, no cost";
 * a shift type missing from a staff line's maximums means 0.
 *
 * Readers are strict: any malformed line is ERR_INVALID with "name:line: what" in
 * ei->message; sizes are capped (ENGINE_MAX_*, ENGINE_CURTOIS_MAX_BYTES). */
#ifndef RS_ENGINE_CURTOIS_H
#define RS_ENGINE_CURTOIS_H

#include <stddef.h>

#include "base/buf.h"
#include "engine/engine_model.h"

#define ENGINE_CURTOIS_MAX_BYTES (64u << 20)
#define ENGINE_CURTOIS_MAX_LINE 65536

/* Parse an instance text into a finalized model allocated in a. */
enum err engine_curtois_parse(const char *name, const char *text, size_t len, struct arena *a,
			      struct engine_model **out, struct errinfo *ei) RS_MUST_CHECK;
enum err engine_curtois_load(const char *path, struct arena *a, struct engine_model **out,
			     struct errinfo *ei) RS_MUST_CHECK;

/* Roster TSV: one line per person in model order, ndays tab-separated cells, each a shift
 * code or empty (off). Unknown codes, wrong counts of lines or cells are ERR_INVALID. */
enum err engine_roster_parse_tsv(const struct engine_model *m, const char *name, const char *text, size_t len,
				 struct arena *a, struct engine_roster *out, struct errinfo *ei) RS_MUST_CHECK;
enum err engine_roster_load_tsv(const struct engine_model *m, const char *path, struct arena *a,
				struct engine_roster *out, struct errinfo *ei) RS_MUST_CHECK;
enum err engine_roster_format_tsv(const struct engine_model *m, const struct engine_roster *r,
				  struct buf *out) RS_MUST_CHECK;

/* Read a whole file (at most max bytes) into the arena, NUL-terminated. */
enum err engine_file_read(const char *path, size_t max, struct arena *a, char **text, size_t *len,
			  struct errinfo *ei) RS_MUST_CHECK;

#endif
