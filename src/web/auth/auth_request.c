/* What sign-in code needs to know about a request: same origin, who and what is asking. */
#include <string.h>
#include <strings.h>

#include "web/auth/auth.h"

/* Length of the origin part ("https://host:port") of url. */
static size_t origin_len(const char *url)
{
	const char *p = strstr(url, "://");
	if (!p)
		return 0;
	const char *slash = strchr(p + 3, '/');
	return slash ? (size_t)(slash - url) : strlen(url);
}

bool auth_same_origin(const struct platform *pf, const struct http_request *req)
{
	size_t n = origin_len(pf->base_url);
	const char *origin = http_header_get(req, "Origin");
	if (origin)
		return n && strlen(origin) == n && !strncasecmp(origin, pf->base_url, n);
	const char *ref = http_header_get(req, "Referer");
	if (ref)
		return n && !strncasecmp(ref, pf->base_url, n) && (ref[n] == '/' || ref[n] == 0 || ref[n] == '?');
	return true;
}

const char *auth_client_ip(const struct http_request *req) { return req->remote_addr; }

const char *auth_user_agent(struct http_request *req)
{
	const char *ua = http_header_get(req, "User-Agent");
	char out[301];
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)(ua ? ua : ""); *p && n < sizeof out - 1; p++)
		if (*p >= 0x20 && *p < 0x7f)
			out[n++] = (char)*p;
	out[n] = 0;
	return arena_strdup(req->arena, out);
}
