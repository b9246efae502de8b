/* fake_proc.h — start and stop the local fakes and real peers the integration tests talk to
 * (the .mjs fakes in tests/fakes/ under node, its smtp_ Python scripts under python3), run helper
 * commands, and call the fakes' control endpoints. Header-only (static functions) because the
 * Makefile links only tests/support/ into every test binary.
 *
 * A fake prints {"port":N} as its first stdout line and exits when its stdin closes, so it
 * cannot outlive the test process even when that one is killed by a timeout. */
#ifndef RS_TESTS_FAKE_PROC_H
#define RS_TESTS_FAKE_PROC_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "check_main.h"
#include "http/client.h"

struct fake_proc {
	pid_t pid;
	int stdin_fd;  /* ours: closing it tells the fake to exit */
	int stdout_fd;
	int port;
};

/* Python with aiosmtpd: $RADSCHED_TEST_PYTHON, else Debian's /usr/bin/python3 when present
 * (a pyenv python3 first on PATH may lack python3-aiosmtpd), else python3 from PATH. */
static inline const char *fake_python(void)
{
	const char *p = getenv("RADSCHED_TEST_PYTHON");
	if (p && *p)
		return p;
	return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

static inline char *fake_path(const char *rel)
{
	static char buf[8][1024];
	static int next;
	char *b = buf[next++ % 8];
	snprintf(b, sizeof buf[0], "%s/%s", test_root(), rel);
	return b;
}

/* Start argv (argv[0] looked up on PATH); env is NULL or "NAME=value" strings ending with NULL. */
static inline bool fake_proc_start(struct fake_proc *fp, char *const argv[], char *const env[])
{
	int in[2], out[2];
	memset(fp, 0, sizeof *fp);
	fp->pid = -1;
	if (pipe(in) || pipe(out))
		return false;
	pid_t pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]), close(in[1]), close(out[0]), close(out[1]);
		for (int i = 0; env && env[i]; i++)
			putenv(env[i]);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	fcntl(in[1], F_SETFD, FD_CLOEXEC);
	fcntl(out[0], F_SETFD, FD_CLOEXEC);
	fp->pid = pid;
	fp->stdin_fd = in[1];
	fp->stdout_fd = out[0];
	/* first line: {"port":N}, within 20 s */
	char line[128];
	size_t n = 0;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (n < sizeof line - 1 && !memchr(line, '\n', n)) {
		struct pollfd pfd = {.fd = fp->stdout_fd, .events = POLLIN};
		if (poll(&pfd, 1, 500) < 0 && errno != EINTR)
			break;
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 20)
			break;
		if (!(pfd.revents & (POLLIN | POLLHUP)))
			continue;
		ssize_t r = read(fp->stdout_fd, line + n, sizeof line - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	line[n] = 0;
	if (sscanf(line, "{\"port\":%d", &fp->port) != 1 && sscanf(line, "{\"port\": %d", &fp->port) != 1) {
		fprintf(stderr, "%s did not report its port (got \"%s\")\n", argv[0], line);
		return false;
	}
	return true;
}

static inline void fake_proc_stop(struct fake_proc *fp)
{
	if (fp->pid <= 0)
		return;
	close(fp->stdin_fd);
	kill(fp->pid, SIGTERM);
	for (int i = 0; i < 50; i++) {
		if (waitpid(fp->pid, NULL, WNOHANG) == fp->pid)
			goto done;
		usleep(100 * 1000);
	}
	kill(fp->pid, SIGKILL);
	waitpid(fp->pid, NULL, 0);
done:
	close(fp->stdout_fd);
	fp->pid = -1;
}

/* Run argv to completion (at most timeout_s), stdout+stderr into out (size n); exit status,
 * or -1 when it could not run or was killed. */
static inline int fake_run(char *const argv[], char *out, size_t n, int timeout_s)
{
	int p[2];
	if (pipe(p))
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		dup2(devnull, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]), close(p[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	size_t o = 0;
	time_t end = time(NULL) + timeout_s;
	for (;;) {
		struct pollfd pfd = {.fd = p[0], .events = POLLIN};
		int pr = poll(&pfd, 1, 200);
		if (pr > 0) {
			char tmp[4096];
			ssize_t r = read(p[0], tmp, sizeof tmp);
			if (r <= 0)
				break;
			size_t take = (size_t)r < n - 1 - o ? (size_t)r : n - 1 - o;
			memcpy(out + o, tmp, take);
			o += take;
		}
		if (time(NULL) > end) {
			kill(pid, SIGKILL);
			break;
		}
	}
	out[o] = 0;
	close(p[0]);
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Make a private temporary directory (TMPDIR or /tmp); out has >= 256 bytes. */
static inline void fake_tmpdir(char *out, size_t n)
{
	const char *t = getenv("TMPDIR");
	snprintf(out, n, "%s/radsched-mail-XXXXXX", t && *t ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(out));
}

static inline void fake_rmdir(const char *dir)
{
	char out[256];
	char *argv[] = {"rm", "-rf", (char *)dir, NULL};
	if (dir && *dir)
		fake_run(argv, out, sizeof out, 10);
}

/* Call a fake's control endpoint; returns the body (in arena a) and checks the status. */
static inline const char *fake_call(struct arena *a, int port, const char *method, const char *path, const char *json)
{
	char url[256];
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
	struct http_client_header h[] = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
	struct http_client_request req = {.method = method, .url = url, .headers = h, .nheaders = 2, .body = json,
				   .body_len = json ? strlen(json) : 0, .timeout_ms = 5000, .body_max = 4u << 20};
	struct http_client_response resp;
	struct errinfo ei = {0};
	enum err e = http_client_do(a, &req, &resp, &ei);
	ck_assert_msg(e == ERR_OK, "control call %s failed: %s", path, ei.message);
	ck_assert_msg(resp.status == 200, "control call %s answered %ld", path, resp.status);
	return resp.body;
}

/* Number of non-overlapping occurrences of needle in hay. */
static inline int count_of(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

#endif
