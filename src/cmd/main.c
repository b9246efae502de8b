/* radsched — one binary, subcommands. See `radsched help`. */
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/options.h"

#ifndef RADSCHED_VERSION
#define RADSCHED_VERSION "0.1.0"
#endif

struct command {
	const char *name;
	int (*fn)(int, char **);
	const char *usage;
};

static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
	{"dev", cmd_dev, "dev [options]            embedded PostgreSQL + demo department + HTTP + workers"},
	{"serve", cmd_serve, "serve [options]          HTTP server (runs workers in-process unless --no-worker)"},
	{"worker", cmd_worker, "worker [--concurrency N] job workers only"},
	{"migrate", cmd_migrate, "migrate [options]        apply database migrations and exit"},
	{"mail-preview", cmd_mail_preview, "mail-preview TEMPLATE     render an email template with sample data"},
	{"mail-replay", cmd_mail_replay, "mail-replay --status failed|sending|queued [--since T] [--template N] [--older-than MIN] [--dry-run]"},
	{"roster-eval", cmd_roster_eval, "roster-eval INSTANCE.txt ROSTER.tsv   score a benchmark roster (objective=N hard_violations=M)"},
	{"roster-bench", cmd_roster_bench, "roster-bench INSTANCE.txt --time-limit S [--seed N] [--out ROSTER.tsv]  solve a benchmark instance"},
	{"bench-queue", cmd_bench_queue, "bench-queue --jobs N [--concurrency W]  queue throughput benchmark (no-op jobs)"},
	{"token", cmd_token, "token create|revoke|list --tenant SLUG [--user EMAIL] [--name N] [--id UUID] [--scope api,mcp]  API tokens"},
	{"routes", cmd_routes, "routes [--json]          every route and its minimum role (the permission matrix)"},
	{"config", cmd_config, "config validate FILE [--roster FILE] | config show --tenant SLUG [--version N]"},
	{"ics-url", cmd_ics_url, "ics-url --tenant SLUG (--user EMAIL | --master) [--webcal]  print a calendar feed URL"},
	{"ics-rotate", cmd_ics_rotate, "ics-rotate --tenant SLUG (--user EMAIL | --master | --all)  new feed URL; the old one answers 404"},
	{"ics-lint", cmd_ics_lint, "ics-lint FILE [--events]  check an iCalendar file (line rules and libical)"},
	{"ics-bench", cmd_ics_bench, "ics-bench --tenant SLUG (--user EMAIL | --master) [--runs N]  feed render timings"},
	{"version", cmd_version, "version                  print the version"},
	{"help", cmd_help, "help                     this text, with every option and its default"},
};

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("radsched %s\n", RADSCHED_VERSION);
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("radsched %s — radiology scheduling platform\n\nUsage: radsched COMMAND [options]\n\nCommands:\n",
	       RADSCHED_VERSION);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		printf("  %s\n", commands[i].usage);
	printf("\n");
	options_print_help();
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		cmd_help(0, NULL);
		return 2;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h"))
		name = "help";
	if (!strcmp(name, "--version"))
		name = "version";
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(commands[i].name, name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "radsched: unknown command '%s' (see radsched help)\n", argv[1]);
	return 2;
}
