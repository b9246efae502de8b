/* buf.h — a growable byte buffer with a hard cap.
 * buf_append*() return ERR_TOO_LARGE (and leave the buffer unchanged) when the cap
 * would be passed; cap 0 = unlimited. The data is always NUL-terminated. Owner frees
 * with buf_fini(). */
#ifndef RS_BASE_BUF_H
#define RS_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "base/err.h"

struct buf {
	char *data;
	size_t len, cap, max;
};

void buf_init(struct buf *b, size_t max);
void buf_fini(struct buf *b);
void buf_reset(struct buf *b);
enum err buf_append(struct buf *b, const void *p, size_t n) RS_MUST_CHECK;
enum err buf_puts(struct buf *b, const char *s) RS_MUST_CHECK;
enum err buf_putc(struct buf *b, char c) RS_MUST_CHECK;
enum err buf_printf(struct buf *b, const char *fmt, ...) RS_PRINTF(2, 3) RS_MUST_CHECK;
enum err buf_vprintf(struct buf *b, const char *fmt, va_list ap) RS_PRINTF(2, 0) RS_MUST_CHECK;
/* Take ownership of the bytes (caller frees); the buffer is empty afterwards. */
char *buf_steal(struct buf *b, size_t *len);

#endif
