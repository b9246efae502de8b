/* feeds_cache.c — the process cache of rendered feeds and its LISTEN/NOTIFY invalidation. */
#include "domain/feeds_cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/log.h"
#include "base/metrics.h"
#include "crypto/crypto_hash.h"
#include "db/db.h"

#define NBUCKETS 4096
#define LISTEN_POLL_MS 200
#define CHANNEL "radsched_feeds"

struct node {
	struct feed_entry e; /* first: a feed_entry pointer is a node pointer */
	_Atomic uint64_t checked;
	atomic_int refs;
	bool in_table;
	size_t cost;
	struct node *hnext, *prev, *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct node *buckets[NBUCKETS];
static struct node lru = {.prev = &lru, .next = &lru}; /* most recent after the sentinel */
static size_t bytes, entries, max_bytes = FEEDS_CACHE_DEFAULT_BYTES;
static _Atomic uint64_t epoch = 1;
static atomic_bool listening;

static size_t bucket_of(const unsigned char key[32])
{
	size_t h;
	memcpy(&h, key, sizeof h); /* the key is a SHA-256: any 8 bytes are uniform */
	return h % NBUCKETS;
}

static void node_free(struct node *n)
{
	free((void *)n->e.body);
	free(n);
}

static void unref(struct node *n)
{
	if (atomic_fetch_sub(&n->refs, 1) == 1)
		node_free(n);
}

/* Under mu. */
static void lru_unlink(struct node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = n;
}

static void lru_front(struct node *n)
{
	n->next = lru.next;
	n->prev = &lru;
	lru.next->prev = n;
	lru.next = n;
}

static struct node *find(const unsigned char key[32])
{
	for (struct node *n = buckets[bucket_of(key)]; n; n = n->hnext)
		if (crypto_ct_equal(n->e.key, 32, key, 32))
			return n;
	return NULL;
}

/* Take n out of the table (under mu) and drop the table's reference. */
static void evict(struct node *n)
{
	struct node **pp = &buckets[bucket_of(n->e.key)];
	while (*pp && *pp != n)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = n->hnext;
	lru_unlink(n);
	n->in_table = false;
	bytes -= n->cost;
	entries--;
	unref(n);
}

static void shrink(void)
{
	while (bytes > max_bytes && lru.prev != &lru)
		evict(lru.prev);
}

void feeds_cache_set_max(size_t max)
{
	pthread_mutex_lock(&mu);
	max_bytes = max ? max : FEEDS_CACHE_DEFAULT_BYTES;
	shrink();
	pthread_mutex_unlock(&mu);
}

const struct feed_entry *feeds_cache_get(const unsigned char key[32], int64_t now, bool *fresh)
{
	*fresh = false;
	pthread_mutex_lock(&mu);
	struct node *n = find(key);
	if (n) {
		atomic_fetch_add(&n->refs, 1);
		lru_unlink(n);
		lru_front(n);
	}
	pthread_mutex_unlock(&mu);
	if (!n)
		return NULL;
	*fresh = atomic_load(&listening) && atomic_load(&n->checked) == atomic_load(&epoch) &&
		 (n->e.expires_at == 0 || now < n->e.expires_at);
	return &n->e;
}

uint64_t feeds_cache_epoch(void) { return atomic_load(&epoch); }

void feeds_cache_checked(const struct feed_entry *e, uint64_t ep)
{
	struct node *n = (struct node *)(void *)e;
	uint64_t cur = atomic_load(&n->checked);
	/* only forward: a slow revalidation must not undo a newer one */
	while (cur < ep && !atomic_compare_exchange_weak(&n->checked, &cur, ep))
		;
}

const struct feed_entry *feeds_cache_put(const unsigned char key[32], const struct feed_ref *ref, int64_t last_modified,
					 int64_t expires_at, const char *body, size_t len, uint64_t ep)
{
	struct node *n = xcalloc(1, sizeof *n);
	memcpy(n->e.key, key, 32);
	n->e.ref = *ref;
	n->e.last_modified = last_modified;
	n->e.expires_at = expires_at;
	char *copy = xmalloc(len + 1);
	memcpy(copy, body, len);
	copy[len] = 0;
	n->e.body = copy;
	n->e.len = len;
	unsigned char h[CRYPTO_SHA256_LEN];
	crypto_sha256(body, len, h);
	n->e.etag[0] = '"';
	crypto_b64url_encode(n->e.etag + 1, h, 16); /* 22 characters */
	strcat(n->e.etag, "\"");
	atomic_init(&n->checked, ep);
	atomic_init(&n->refs, 1); /* the caller's */
	n->cost = len + sizeof *n;
	n->prev = n->next = n;
	pthread_mutex_lock(&mu);
	struct node *old = find(key);
	if (old)
		evict(old);
	if (n->cost <= max_bytes / 4) {
		atomic_fetch_add(&n->refs, 1); /* the table's */
		size_t b = bucket_of(key);
		n->hnext = buckets[b];
		buckets[b] = n;
		n->in_table = true;
		lru_front(n);
		bytes += n->cost;
		entries++;
		shrink();
	}
	pthread_mutex_unlock(&mu);
	return &n->e;
}

void feeds_cache_remove(const unsigned char key[32])
{
	pthread_mutex_lock(&mu);
	struct node *n = find(key);
	if (n)
		evict(n);
	pthread_mutex_unlock(&mu);
}

void feeds_cache_release(const struct feed_entry *e)
{
	if (e)
		unref((struct node *)(void *)e);
}

void feeds_cache_invalidate(void) { atomic_fetch_add(&epoch, 1); }

void feeds_cache_clear(void)
{
	pthread_mutex_lock(&mu);
	while (lru.next != &lru)
		evict(lru.next);
	pthread_mutex_unlock(&mu);
	atomic_fetch_add(&epoch, 1);
}

void feeds_cache_stats(struct feeds_cache_stats *out)
{
	pthread_mutex_lock(&mu);
	out->entries = entries;
	out->bytes = bytes;
	out->max_bytes = max_bytes;
	pthread_mutex_unlock(&mu);
	out->epoch = atomic_load(&epoch);
	out->listening = atomic_load(&listening);
}

void feeds_cache_set_listening(bool on)
{
	if (on)
		atomic_fetch_add(&epoch, 1);
	atomic_store(&listening, on);
}

/* ---- the listener -------------------------------------------------------------------- */

static pthread_mutex_t listen_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_t listen_thread;
static atomic_bool listen_started; /* read without the lock on every poll */
static atomic_bool listen_stop;
static char *listen_conninfo;

static void nap_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void *listen_main(void *arg)
{
	(void)arg;
	struct db *db = NULL;
	bool warned = false;
	while (!atomic_load(&listen_stop)) {
		struct errinfo ei = {0};
		if (!db) {
			if (db_connect(listen_conninfo, &db, &ei) || db_exec_script(db, "LISTEN " CHANNEL, &ei)) {
				if (db)
					db_close(db);
				db = NULL;
				if (!warned)
					log_kv(LOG_WARN, "feed cache listener cannot connect; feeds revalidate every poll",
					       "error", ei.message, NULL);
				warned = true;
				for (int i = 0; i < 5 && !atomic_load(&listen_stop); i++)
					nap_ms(200);
				continue;
			}
			/* notifications may have been missed while disconnected */
			atomic_fetch_add(&epoch, 1);
			atomic_store(&listening, true);
			if (warned)
				log_kv(LOG_INFO, "feed cache listener connected again", NULL);
			warned = false;
		}
		bool got = false;
		if (db_wait_notify(db, LISTEN_POLL_MS, &got, NULL, 0, &ei)) {
			atomic_store(&listening, false);
			db_close(db);
			db = NULL;
			if (!atomic_load(&listen_stop))
				log_kv(LOG_WARN, "feed cache listener lost its connection; feeds revalidate every poll",
				       "error", ei.message, NULL);
			warned = true;
			continue;
		}
		if (got)
			atomic_fetch_add(&epoch, 1);
	}
	atomic_store(&listening, false);
	if (db)
		db_close(db);
	return NULL;
}

static void collect(void *arg)
{
	(void)arg;
	struct feeds_cache_stats st;
	feeds_cache_stats(&st);
	metrics_gauge_set("radsched_ics_cache_bytes", "", (double)st.bytes);
	metrics_gauge_set("radsched_ics_cache_entries", "", (double)st.entries);
	metrics_gauge_set("radsched_ics_cache_listening", "", st.listening ? 1 : 0);
}

static void at_exit_stop(void) { feeds_cache_listen_stop(); }

void feeds_cache_listen(const char *conninfo)
{
	static bool registered;
	if (atomic_load(&listen_started))
		return;
	pthread_mutex_lock(&listen_mu);
	if (!atomic_load(&listen_started) && conninfo && *conninfo) {
		free(listen_conninfo);
		listen_conninfo = xstrdup(conninfo);
		atomic_store(&listen_stop, false);
		if (pthread_create(&listen_thread, NULL, listen_main, NULL) == 0) {
			atomic_store(&listen_started, true);
			if (!registered) {
				registered = true;
				atexit(at_exit_stop);
				metrics_declare("radsched_ics_cache_bytes", METRIC_GAUGE, "Bytes of rendered ICS feeds kept in memory.");
				metrics_declare("radsched_ics_cache_entries", METRIC_GAUGE, "Rendered ICS feeds kept in memory.");
				metrics_declare("radsched_ics_cache_listening", METRIC_GAUGE,
						"1 while the feed cache receives change notifications.");
				metrics_add_collector(collect, NULL);
			}
		} else {
			log_kv(LOG_WARN, "feed cache listener thread could not start; feeds revalidate every poll", NULL);
		}
	}
	pthread_mutex_unlock(&listen_mu);
}

void feeds_cache_listen_stop(void)
{
	pthread_mutex_lock(&listen_mu);
	if (atomic_load(&listen_started)) {
		atomic_store(&listen_stop, true);
		pthread_join(listen_thread, NULL);
		atomic_store(&listen_started, false);
	}
	free(listen_conninfo);
	listen_conninfo = NULL;
	atomic_store(&listening, false);
	pthread_mutex_unlock(&listen_mu);
}
