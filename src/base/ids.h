/* ids.h — identifiers from the kernel's CSPRNG (getrandom): UUID v4 text, hex ids for
 * trace/span/request ids. For secret tokens use crypto/crypto_random.h. */
#ifndef RS_BASE_IDS_H
#define RS_BASE_IDS_H

#include <stddef.h>

void ids_random_bytes(void *out, size_t n);
void ids_uuid4(char out[37]);
void ids_hex(char *out, size_t nbytes); /* out has 2*nbytes+1 chars */

#endif
