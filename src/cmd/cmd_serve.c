/* dev, serve, worker: the long-running commands. Signals (SIGINT, SIGTERM) are waited for
 * with sigwait in the main thread, then everything stops gracefully in reverse order:
 * HTTP (in-flight requests finish), workers (finish or release their job), database. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "cmd/commands.h"
#include "cmd/jobs.h"
#include "cmd/runtime.h"
#include "cmd/seed.h"
#include "domain/config_store.h"
#include "domain/platform.h"
#include "integrations/mail/outbox.h"
#include "queue/queue_stats.h"
#include "web/app.h"

enum mode { MODE_DEV, MODE_SERVE, MODE_WORKER };

static void block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, set, NULL); /* inherited by every thread started after */
	signal(SIGPIPE, SIG_IGN);
}

static void platform_from(struct runtime *rt, struct platform *pf)
{
	*pf = (struct platform){.pool = rt->pool, .conninfo = rt->app_conninfo, .share_dir = rt->share_dir,
				.data_dir = rt->data_dir, .base_url = rt->base_url, .secret = rt->secret,
				.mail_provider = opt(&rt->opts, OPT_MAIL_PROVIDER),
				.mail_from = opt(&rt->opts, OPT_MAIL_FROM),
				.secure_cookies = strncmp(rt->base_url, "https://", 8) == 0,
				.oidc_issuer = opt(&rt->opts, OPT_OIDC_ISSUER),
				.oidc_client_id = opt(&rt->opts, OPT_OIDC_CLIENT_ID),
				.oidc_client_secret = opt(&rt->opts, OPT_OIDC_CLIENT_SECRET),
				.oidc_jwks_min_refresh_s = opt_int(&rt->opts, OPT_OIDC_JWKS_MIN_REFRESH)};
}

static int start_worker(struct runtime *rt, struct platform *pf, struct queue_worker **out)
{
	struct queue_worker_config wc = {.conninfo = rt->app_conninfo, .concurrency = opt_int(&rt->opts, OPT_CONCURRENCY),
					 .app = pf};
	struct errinfo ei = {0};
	if (queue_worker_new(&wc, out, &ei)) {
		fprintf(stderr, "radsched: %s: %s\n", ei.path, ei.message);
		return 2;
	}
	jobs_register_all(*out);
	if (queue_worker_start(*out, &ei)) {
		fprintf(stderr, "radsched: worker: %s\n", ei.message);
		return 1;
	}
	return 0;
}

static int run(int argc, char **argv, enum mode mode)
{
	sigset_t set;
	block_signals(&set);
	struct runtime rt = {0};
	unsigned long long allowed = mode == MODE_WORKER
		? (OPTS_SERVER & ~((1ull << OPT_LISTEN) | (1ull << OPT_HTTP_THREADS) | (1ull << OPT_NO_WORKER)))
		: OPTS_SERVER;
	int rc = options_parse(argc - 1, argv + 1, allowed, &rt.opts);
	if (rc)
		return rc;
	if (rt.opts.nrest) {
		fprintf(stderr, "radsched: %s: unexpected argument '%s'\n", argv[0], rt.opts.rest[0]);
		return 2;
	}
	const char *iss = opt(&rt.opts, OPT_OIDC_ISSUER);
	if (*iss && (!*opt(&rt.opts, OPT_OIDC_CLIENT_ID) || !*opt(&rt.opts, OPT_OIDC_CLIENT_SECRET))) {
		fprintf(stderr, "radsched: --oidc-client-id: --oidc-issuer needs a client id and secret\n");
		return 2;
	}
	if (*iss && strncmp(iss, "https://", 8) && strncmp(iss, "http://127.0.0.1", 16) && strncmp(iss, "http://localhost", 16)) {
		fprintf(stderr, "radsched: --oidc-issuer: must be an https URL (http only on loopback, for tests)\n");
		return 2;
	}
	rc = runtime_open(&rt, mode == MODE_WORKER ? RUNTIME_DB : RUNTIME_DB_MIGRATE, mode == MODE_DEV);
	if (rc)
		return rc;
	struct platform pf;
	platform_from(&rt, &pf);
	config_store_set_share_dir(pf.share_dir);
	queue_metrics_register(rt.pool);
	struct errinfo oei = {0};
	if (outbox_init(&pf, &oei)) {
		fprintf(stderr, "radsched: %s: %s\n", oei.path[0] ? oei.path : "mail", oei.message);
		rc = 2;
		goto out;
	}

	struct seed_result seeded = {0};
	if (mode == MODE_DEV && (rc = seed_demo(&pf, &seeded)))
		goto out;

	struct queue_worker *worker = NULL;
	bool want_worker = mode == MODE_WORKER || (mode == MODE_DEV) || !rt.opts.given[OPT_NO_WORKER];
	if (want_worker && (rc = start_worker(&rt, &pf, &worker)))
		goto out;

	struct web_app *app = NULL;
	if (mode != MODE_WORKER) {
		struct errinfo ei = {0};
		const char *listen = opt(&rt.opts, OPT_LISTEN);
		const char *colon = strrchr(listen, ':');
		char host[256];
		snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
		struct web_app_config wc = {.host = host, .port = (uint16_t)atoi(colon + 1),
					    .threads = (unsigned)opt_int(&rt.opts, OPT_HTTP_THREADS),
					    .body_max = (size_t)opt_int(&rt.opts, OPT_BODY_LIMIT),
					    .request_timeout_s = (unsigned)opt_int(&rt.opts, OPT_REQUEST_TIMEOUT)};
		if (web_app_new(&pf, &app, &ei) || web_app_listen(app, &wc, &ei)) {
			fprintf(stderr, "radsched: --listen: %s\n", ei.message);
			rc = 1;
			goto stop;
		}
		if (!rt.opts.given[OPT_BASE_URL] && wc.port == 0)
			snprintf(rt.base_url, sizeof rt.base_url, "http://%s:%u", host, web_app_port(app));
		char port[16];
		snprintf(port, sizeof port, "%u", web_app_port(app));
		log_kv(LOG_INFO, "listening", "url", rt.base_url, "port", port, NULL);
		printf("radsched is running at %s/\n", rt.base_url);
		if (mode == MODE_DEV)
			seed_print_welcome(&pf, &seeded, stdout);
		fflush(stdout);
	} else {
		printf("radsched worker running (%d threads)\n", opt_int(&rt.opts, OPT_CONCURRENCY));
		fflush(stdout);
	}

	int sig = 0;
	sigwait(&set, &sig);
	log_kv(LOG_INFO, "stopping", "signal", sig == SIGINT ? "SIGINT" : "SIGTERM", NULL);
stop:
	if (app)
		web_app_stop(app);
	if (worker)
		queue_worker_stop(worker, 10000);
	web_app_free(app);
	queue_worker_free(worker);
out:
	outbox_fini();
	runtime_close(&rt);
	return rc;
}

int cmd_dev(int argc, char **argv) { return run(argc, argv, MODE_DEV); }
int cmd_serve(int argc, char **argv) { return run(argc, argv, MODE_SERVE); }
int cmd_worker(int argc, char **argv) { return run(argc, argv, MODE_WORKER); }
