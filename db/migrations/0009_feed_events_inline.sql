-- 0009_feed_events_inline: a feed's events are read by plain SQL in the render statement
-- (src/domain/feeds.c), planned with it, instead of through the PL/pgSQL feed_events(),
-- whose result was materialised and which joined the person's name to every event. Same
-- rows, same order; the cache-miss render reads about half as long (bench/RESULTS.md).
DROP FUNCTION feed_events(uuid, date, date, integer);
