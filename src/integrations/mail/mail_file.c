/* mail_file.c — the `radsched dev` back end: each message becomes <outbox>/<message id>.eml
 * (the same MIME bytes the smtp back end would send), written to a temporary file in the same
 * directory, fsync'ed and renamed into place, so a reader never sees half a message and a
 * resend of the same message id replaces the file instead of adding a second one. Files are
 * 0600: they hold sign-in links. One log line "mail written" names the file, the recipient,
 * the subject and the first http(s) link of the text part, so a person trying radsched can
 * follow a sign-in link without a mail server. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "integrations/mail/mail_mime.h"
#include "integrations/mail/mail_provider_impl.h"

static enum err write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return ERR_IO;
		p += w;
		n -= (size_t)w;
	}
	return ERR_OK;
}

static enum err file_send(const struct mail_provider *p, const struct mail_message *m, const struct mail_checked *c,
			  struct mail_result *r)
{
	const char *dir = p->cfg.outbox_dir;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return mail_result_set(r, MAIL_FAILED, ERR_IO, "cannot create the outbox %s: %s", dir, strerror(errno));
	struct buf mime;
	buf_init(&mime, 0);
	char msgid[MAIL_MIME_MSGID_SIZE];
	struct errinfo ei = {0};
	enum err e = mail_mime_build(m, c, time(NULL), &mime, msgid, sizeof msgid, &ei);
	if (e) {
		buf_fini(&mime);
		return mail_result_set(r, MAIL_FAILED, e, "could not build the MIME message: %s", ei.message);
	}
	size_t plen = strlen(dir) + strlen(c->message_id) + 32;
	char *path = xmalloc(plen), *tmp = xmalloc(plen);
	snprintf(path, plen, "%s/%s.eml", dir, c->message_id);
	snprintf(tmp, plen, "%s/.%s.eml.XXXXXX", dir, c->message_id);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		e = mail_result_set(r, MAIL_RETRY, ERR_IO, "cannot create a file in %s: %s", dir, strerror(errno));
	} else {
		e = write_all(fd, mime.data, mime.len);
		if (!e && fsync(fd) != 0)
			e = ERR_IO;
		if (close(fd) != 0 && !e)
			e = ERR_IO;
		if (!e && rename(tmp, path) != 0)
			e = ERR_IO;
		if (e) {
			int saved = errno;
			unlink(tmp);
			e = mail_result_set(r, MAIL_RETRY, ERR_IO, "cannot write %s: %s", path, strerror(saved));
		}
	}
	buf_fini(&mime);
	if (!e) {
		snprintf(r->provider_id, sizeof r->provider_id, "%s", msgid);
		r->outcome = MAIL_SENT;
		char link[1024];
		mail_first_link(m->text && *m->text ? m->text : m->html, link, sizeof link);
		log_kv(LOG_INFO, "mail written", "path", path, "to", c->to.addr, "subject", m->subject, "link", link, NULL);
	}
	free(path);
	free(tmp);
	return e;
}

const struct mail_provider_ops mail_file_ops = {
	.name = "file",
	.send = file_send,
	.send_batch = NULL,
};
