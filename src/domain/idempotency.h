/* idempotency.h — Idempotency-Key for POSTs that create things, per tenant.
 * Inside the transaction that creates the resource: idempotency_claim() first, then the
 * work, then idempotency_store() with the answer. A claimed key is a row in
 * idempotency_keys; a concurrent request with the same key waits on it until the first
 * commits (then replays) or rolls back (then goes ahead). Answers are kept 24 hours. */
#ifndef RS_DOMAIN_IDEMPOTENCY_H
#define RS_DOMAIN_IDEMPOTENCY_H

#include <stdbool.h>

#include "db/db.h"

#define IDEMPOTENCY_KEY_MAX 255

struct idempotency_claim {
	bool replay;          /* true: answer with status/response below, do no work */
	int status;
	const char *response; /* arena string */
};

/* key: 1..255 printable ASCII (else ERR_INVALID at "Idempotency-Key"). request_hash
 * identifies the request (method, path, body, caller). A key already used for another
 * request → ERR_INVALID. */
enum err idempotency_claim(struct db *db, struct arena *a, const char *key, const char *request_hash,
			   struct idempotency_claim *out, struct errinfo *ei) RS_MUST_CHECK;
/* Record the answer for a key claimed in this transaction. */
enum err idempotency_store(struct db *db, struct arena *a, const char *key, int status, const char *response,
			   struct errinfo *ei) RS_MUST_CHECK;
/* true when key is acceptable as an Idempotency-Key value. */
bool idempotency_key_ok(const char *key);

#endif
