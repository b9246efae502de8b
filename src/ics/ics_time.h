/* ics_time.h — proleptic Gregorian arithmetic on 64-bit seconds, without libc time zones.
 * "Local seconds" are wall-clock fields counted as if they were UTC (days * 86400 + h:m:s),
 * which is how the tz code compares wall clocks. Pure functions, thread-safe. */
#ifndef RS_ICS_TIME_H
#define RS_ICS_TIME_H

#include <stdbool.h>
#include <stdint.h>

#define ICS_SECS_PER_DAY 86400

/* Days since 1970-01-01 of y-m-d (m 1..12, d 1..31; not range-checked). */
int64_t ics_days_from_civil(int64_t y, int m, int d);
/* Inverse of ics_days_from_civil. */
void ics_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
/* 0 = Sunday … 6 = Saturday. */
int ics_weekday(int64_t days);
bool ics_is_leap(int64_t y);
int ics_days_in_month(int64_t y, int m);
/* Floor division of seconds into days (works for negative instants). */
int64_t ics_floor_days(int64_t secs);

#endif
