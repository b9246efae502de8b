#include "ics/ics_lint.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "base/strutil.h"

#define NAME_MAX_OCTETS 64
#define PREFIX_MAX 160 /* enough of a logical line to read "BEGIN:<name>" */

struct lint {
	struct ics_lint_stats st;
	char stack[ICS_LINT_MAX_DEPTH][NAME_MAX_OCTETS + 1];
	int depth;
	bool seen_root;
	char prefix[PREFIX_MAX];
	size_t plen;
	bool have_logical;
};


static bool is_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* Check the logical line collected in l->prefix (started on physical line ln). */
static enum err logical_done(struct lint *l, size_t ln, struct errinfo *ei)
{
	size_t k = 0;
	while (k < l->plen && is_name_char(l->prefix[k]))
		k++;
	if (k == 0 || (k < l->plen && l->prefix[k] != ':' && l->prefix[k] != ';') || (k == l->plen && k < PREFIX_MAX)) {
		l->st.bad_line = ln;
		return err_set(ei, ERR_MALFORMED, "", "line %zu: not a content line (name followed by ';' or ':')", ln);
	}
	bool begin = k == 5 && strncasecmp(l->prefix, "BEGIN", 5) == 0;
	bool end = k == 3 && strncasecmp(l->prefix, "END", 3) == 0;
	if (!l->st.logical_lines && !(begin && l->plen == 15 && strncasecmp(l->prefix + 6, "VCALENDAR", 9) == 0)) {
		l->st.bad_line = ln;
		return err_set(ei, ERR_MALFORMED, "", "line %zu: the first line must be BEGIN:VCALENDAR", ln);
	}
	l->st.logical_lines++;
	if (!begin && !end) {
		if (l->depth == 0) {
			l->st.bad_line = ln;
			return err_set(ei, ERR_MALFORMED, "", "line %zu: property outside any component", ln);
		}
		return ERR_OK;
	}
	if (l->prefix[k] != ':' || l->plen == k + 1 || l->plen - k - 1 > NAME_MAX_OCTETS) {
		l->st.bad_line = ln;
		return err_set(ei, ERR_MALFORMED, "", "line %zu: BEGIN/END needs a component name", ln);
	}
	const char *name = l->prefix + k + 1;
	size_t nlen = l->plen - k - 1;
	if (begin) {
		if (l->depth == 0 && l->seen_root) {
			l->st.bad_line = ln;
			return err_set(ei, ERR_MALFORMED, "", "line %zu: content after END:VCALENDAR", ln);
		}
		if (l->depth == ICS_LINT_MAX_DEPTH) {
			l->st.bad_line = ln;
			return err_set(ei, ERR_MALFORMED, "", "line %zu: components nested deeper than %d", ln,
				       ICS_LINT_MAX_DEPTH);
		}
		memcpy(l->stack[l->depth], name, nlen);
		l->stack[l->depth][nlen] = 0;
		l->depth++;
		l->seen_root = true;
		l->st.components++;
		return ERR_OK;
	}
	if (l->depth == 0 || strlen(l->stack[l->depth - 1]) != nlen ||
	    strncasecmp(l->stack[l->depth - 1], name, nlen) != 0) {
		l->st.bad_line = ln;
		return err_set(ei, ERR_MALFORMED, "", "line %zu: END:%.*s does not close %s", ln, (int)nlen, name,
			       l->depth ? l->stack[l->depth - 1] : "anything");
	}
	l->depth--;
	return ERR_OK;
}

enum err ics_lint_check(const char *data, size_t len, struct ics_lint_stats *st, struct errinfo *ei)
{
	struct lint lint = {0}, *l = &lint;
	enum err e = ERR_OK;
	size_t pos = 0, ln = 0, logical_start = 0;
	if (len == 0) {
		e = err_set(ei, ERR_MALFORMED, "", "empty calendar");
		goto done;
	}
	while (pos < len) {
		ln++;
		const char *p = data + pos;
		size_t rest = len - pos, n = 0;
		while (n < rest && p[n] != '\r' && p[n] != '\n')
			n++;
		if (n == rest || p[n] == '\n' || n + 1 >= rest || p[n + 1] != '\n') {
			l->st.bad_line = ln;
			e = err_set(ei, ERR_MALFORMED, "", "line %zu: %s", ln,
				    n == rest ? "missing CRLF at the end" : p[n] == '\n' ? "bare LF (lines end in CRLF)"
											    : "bare CR (lines end in CRLF)");
			goto done;
		}
		l->st.physical_lines++;
		if (n == 0) {
			l->st.bad_line = ln;
			e = err_set(ei, ERR_MALFORMED, "", "line %zu: empty line", ln);
			goto done;
		}
		if (n > 75) {
			l->st.bad_line = ln;
			e = err_set(ei, ERR_MALFORMED, "", "line %zu: %zu octets (at most 75 before CRLF)", ln, n);
			goto done;
		}
		if (!str_utf8_valid(p, n)) {
			l->st.bad_line = ln;
			e = err_set(ei, ERR_MALFORMED, "", "line %zu: invalid UTF-8 (or a fold inside a character)", ln);
			goto done;
		}
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)p[i];
			if ((c < 0x20 && c != '\t') || c == 0x7F) {
				l->st.bad_line = ln;
				e = err_set(ei, ERR_MALFORMED, "", "line %zu: control character 0x%02X", ln, c);
				goto done;
			}
		}
		bool cont = p[0] == ' ' || p[0] == '\t';
		if (cont && !l->have_logical) {
			l->st.bad_line = ln;
			e = err_set(ei, ERR_MALFORMED, "", "line %zu: continuation line with nothing to continue", ln);
			goto done;
		}
		if (!cont) {
			if (l->have_logical && (e = logical_done(l, logical_start, ei)))
				goto done;
			l->plen = 0;
			l->have_logical = true;
			logical_start = ln;
		}
		const char *body = cont ? p + 1 : p;
		size_t blen = cont ? n - 1 : n;
		size_t take = blen < PREFIX_MAX - l->plen ? blen : PREFIX_MAX - l->plen;
		memcpy(l->prefix + l->plen, body, take);
		l->plen += take;
		pos += n + 2;
	}
	if (l->have_logical && (e = logical_done(l, logical_start, ei)))
		goto done;
	if (l->depth) {
		l->st.bad_line = ln;
		e = err_set(ei, ERR_MALFORMED, "", "line %zu: END:%s missing at the end", ln, l->stack[l->depth - 1]);
	}
done:
	if (st)
		*st = l->st;
	return e;
}
