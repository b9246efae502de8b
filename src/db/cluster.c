#include "db/cluster.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/log.h"
#include "db/db.h"

#define SOCK_PATH_MAX 100 /* sun_path is 108 bytes incl. "/.s.PGSQL.5432" */

/* Highest installed PostgreSQL server bindir, or RADSCHED_PG_BINDIR. */
static int find_bindir(char *out, size_t n)
{
	const char *env = getenv("RADSCHED_PG_BINDIR");
	if (env && *env) {
		snprintf(out, n, "%s", env);
		return 0;
	}
	DIR *d = opendir("/usr/lib/postgresql");
	int best = 0;
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			int v = atoi(de->d_name);
			char p[300];
			snprintf(p, sizeof p, "/usr/lib/postgresql/%s/bin/initdb", de->d_name);
			if (v > best && access(p, X_OK) == 0)
				best = v;
		}
		closedir(d);
	}
	if (!best)
		return -1;
	snprintf(out, n, "/usr/lib/postgresql/%d/bin", best);
	return 0;
}

/* Run argv as user (when root) with stdout/stderr appended to logpath; returns exit status,
 * 126 when the user cannot enter cwd. */
static int run_as(const struct passwd *pw, const char *cwd, char *const argv[], const char *logpath)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		if (pw) {
			if (setgroups(0, NULL) || setgid(pw->pw_gid) || setuid(pw->pw_uid))
				_exit(125);
		}
		if (chdir(cwd))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static enum err mkdir_owned(const char *path, const struct passwd *pw, struct errinfo *ei)
{
	if (mkdir(path, 0700) && errno != EEXIST)
		return err_set(ei, ERR_IO, "--data-dir", "cannot create %s: %s", path, strerror(errno));
	if (pw && chown(path, pw->pw_uid, pw->pw_gid))
		return err_set(ei, ERR_IO, "--data-dir", "cannot give %s to user %s: %s", path, pw->pw_name, strerror(errno));
	return ERR_OK;
}

static enum err ensure_roles(struct db_cluster *c, struct errinfo *ei)
{
	char conninfo[800];
	snprintf(conninfo, sizeof conninfo, "host=%s dbname=postgres user=postgres", c->sock_dir);
	struct db *db;
	enum err e = db_connect(conninfo, &db, ei);
	if (e)
		return e;
	struct arena *a = arena_new(0);
	e = db_exec_script(db,
			   "DO $$ BEGIN"
			   " IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'radsched_owner') THEN"
			   "   CREATE ROLE radsched_owner NOLOGIN BYPASSRLS; END IF;"
			   " IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'radsched_app') THEN"
			   "   CREATE ROLE radsched_app LOGIN NOBYPASSRLS NOSUPERUSER NOCREATEDB NOCREATEROLE; END IF;"
			   " END $$",
			   ei);
	struct db_res *r = NULL;
	if (!e)
		e = DB_EXEC0(db, a, &r, ei, "SELECT 1 FROM pg_database WHERE datname = 'radsched'");
	if (!e && db_res_rows(r) == 0)
		e = db_exec_script(db, "CREATE DATABASE radsched OWNER radsched_owner", ei);
	arena_free(a);
	db_close(db);
	return e;
}

enum err db_cluster_start(const char *data_dir, struct db_cluster *c, struct errinfo *ei)
{
	memset(c, 0, sizeof *c);
	char abs[512];
	if (mkdir(data_dir, 0755) && errno != EEXIST)
		return err_set(ei, ERR_IO, "--data-dir", "cannot create data directory %s: %s", data_dir, strerror(errno));
	if (!realpath(data_dir, abs))
		return err_set(ei, ERR_IO, "--data-dir", "cannot resolve data directory %s: %s", data_dir, strerror(errno));
	if (strchr(abs, '\'') || strchr(abs, '"') || strchr(abs, ' '))
		return err_set(ei, ERR_INVALID, "--data-dir", "data directory path must not contain quotes or spaces: %s", abs);
	snprintf(c->data_dir, sizeof c->data_dir, "%s", abs);
	snprintf(c->pg_dir, sizeof c->pg_dir, "%s/pg", abs);
	snprintf(c->sock_dir, sizeof c->sock_dir, "%s/run", abs);
	if (strlen(c->sock_dir) > SOCK_PATH_MAX - 16)
		return err_set(ei, ERR_INVALID, "--data-dir",
			       "data directory path is too long for a Unix socket (%zu characters, at most %d): use a shorter --data-dir",
			       strlen(abs), SOCK_PATH_MAX - 20);
	if (find_bindir(c->bindir, sizeof c->bindir))
		return err_set(ei, ERR_IO, "RADSCHED_PG_BINDIR",
			       "no PostgreSQL server found under /usr/lib/postgresql (install the postgresql package or set RADSCHED_PG_BINDIR)");

	struct passwd *pw = NULL;
	if (geteuid() == 0) {
		const char *user = getenv("RADSCHED_PG_USER");
		user = user && *user ? user : "postgres";
		pw = getpwnam(user);
		if (!pw)
			return err_set(ei, ERR_INVALID, "RADSCHED_PG_USER",
				       "running as root, PostgreSQL needs an unprivileged user and '%s' does not exist "
				       "(run scripts/bootstrap.sh or set RADSCHED_PG_USER)", user);
	}
	enum err e = mkdir_owned(c->pg_dir, pw, ei);
	if (!e)
		e = mkdir_owned(c->sock_dir, pw, ei);
	if (e)
		return e;
	char logpath[700], initlog[700], version[700];
	snprintf(logpath, sizeof logpath, "%s/postgres.log", abs);
	snprintf(initlog, sizeof initlog, "%s/initdb.log", abs);
	snprintf(version, sizeof version, "%s/PG_VERSION", c->pg_dir);
	/* the server writes its log as the pg user: create it with the right owner */
	int lfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (lfd >= 0) {
		if (pw && fchown(lfd, pw->pw_uid, pw->pw_gid)) {
		}
		close(lfd);
	}

	char exe[600];
	if (access(version, F_OK) != 0) {
		snprintf(exe, sizeof exe, "%s/initdb", c->bindir);
		char *argv[] = {exe, "-D", c->pg_dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8",
				"--no-instructions", NULL};
		log_kv(LOG_INFO, "creating embedded PostgreSQL cluster", "dir", c->pg_dir, NULL);
		int rc = run_as(pw, c->pg_dir, argv, pw ? logpath : initlog);
		if (rc == 126)
			return err_set(ei, ERR_IO, "--data-dir",
				       "user %s cannot enter %s (a parent directory is not searchable); use a --data-dir it can reach, e.g. under /var/tmp",
				       pw ? pw->pw_name : "?", c->pg_dir);
		if (rc != 0)
			return err_set(ei, ERR_IO, "--data-dir", "initdb failed (exit %d); see %s", rc, pw ? logpath : initlog);
	}

	snprintf(exe, sizeof exe, "%s/pg_ctl", c->bindir);
	char *status_argv[] = {exe, "-D", c->pg_dir, "status", NULL};
	if (run_as(pw, c->pg_dir, status_argv, logpath) == 0) {
		log_kv(LOG_INFO, "embedded PostgreSQL already running; reusing it", "dir", c->pg_dir, NULL);
	} else {
		char opts[1400];
		snprintf(opts, sizeof opts,
			 "-c listen_addresses='' -c unix_socket_directories='%s' -c unix_socket_permissions=0700 "
			 "-c max_connections=100 -c shared_buffers=128MB",
			 c->sock_dir);
		char *argv[] = {exe, "-D", c->pg_dir, "-l", logpath, "-w", "-t", "60", "-o", opts, "start", NULL};
		int rc = run_as(pw, c->pg_dir, argv, logpath);
		if (rc != 0)
			return err_set(ei, ERR_IO, "--data-dir", "PostgreSQL did not start (pg_ctl exit %d); see %s", rc, logpath);
		c->started_here = 1;
	}
	e = ensure_roles(c, ei);
	if (e) {
		db_cluster_stop(c);
		return e;
	}
	snprintf(c->owner_conninfo, sizeof c->owner_conninfo, "host=%s dbname=radsched user=postgres", c->sock_dir);
	snprintf(c->app_conninfo, sizeof c->app_conninfo, "host=%s dbname=radsched user=radsched_app", c->sock_dir);
	return ERR_OK;
}

void db_cluster_stop(struct db_cluster *c)
{
	if (!c->started_here)
		return;
	struct passwd *pw = geteuid() == 0 ? getpwnam(getenv("RADSCHED_PG_USER") && *getenv("RADSCHED_PG_USER")
							      ? getenv("RADSCHED_PG_USER")
							      : "postgres")
					   : NULL;
	char exe[600], logpath[700];
	snprintf(exe, sizeof exe, "%s/pg_ctl", c->bindir);
	snprintf(logpath, sizeof logpath, "%s/postgres.log", c->data_dir);
	char *argv[] = {exe, "-D", c->pg_dir, "-m", "fast", "-w", "stop", NULL};
	if (run_as(pw, c->pg_dir, argv, logpath) == 0)
		log_kv(LOG_INFO, "embedded PostgreSQL stopped", "dir", c->pg_dir, NULL);
	c->started_here = 0;
}
