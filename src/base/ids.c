#include "base/ids.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

#include "base/strutil.h"

void ids_random_bytes(void *out, size_t n)
{
	unsigned char *p = out;
	while (n) {
		ssize_t r = getrandom(p, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			abort();
		}
		p += r;
		n -= (size_t)r;
	}
}

void ids_uuid4(char out[37])
{
	unsigned char b[16];
	ids_random_bytes(b, sizeof b);
	b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

void ids_hex(char *out, size_t nbytes)
{
	unsigned char b[64];
	if (nbytes > sizeof b)
		nbytes = sizeof b;
	ids_random_bytes(b, nbytes);
	str_hex(out, b, nbytes);
}
