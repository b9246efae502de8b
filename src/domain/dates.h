/* dates.h — calendar days as numbers (days since 1970-01-01, proleptic Gregorian), for
 * the rule checks that walk neighbouring days. Wall-clock → instant conversion is never
 * done here: PostgreSQL does it with the tz database (shift_instants()). */
#ifndef RS_DOMAIN_DATES_H
#define RS_DOMAIN_DATES_H

#include <stdbool.h>

/* Strict "YYYY-MM-DD" (years 1900..2199, real calendar days) → day number. */
bool date_parse(const char *s, long *day);
/* Day number → "YYYY-MM-DD" in out[11]. */
void date_format(long day, char out[11]);
/* 0 = Monday … 6 = Sunday. */
int date_weekday(long day);
/* Year, month (1..12), day of month of a day number. */
void date_ymd(long day, int *y, int *m, int *d);
long date_from_ymd(int y, int m, int d);
/* "mon" … "sun" → 0 … 6; -1 for anything else. */
int date_weekday_from_key(const char *key);

#endif
