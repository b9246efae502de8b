#include "check_main.h"

#include <stdio.h>
#include <stdlib.h>

#include "json/json_parse.h"

const char *test_root(void)
{
	const char *r = getenv("RADSCHED_ROOT");
	return r && *r ? r : ".";
}

char *test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *p = malloc((size_t)n + 1);
	if (!p || fread(p, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(p);
		return NULL;
	}
	fclose(f);
	p[n] = 0;
	if (len)
		*len = (size_t)n;
	return p;
}

int main(void)
{
	SRunner *sr = srunner_create(test_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

json_t *test_json_file(const char *rel)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", test_root(), rel);
	size_t len;
	char *text = test_read_file(path, &len);
	ck_assert_msg(text != NULL, "cannot read %s", path);
	json_t *v;
	struct errinfo ei = {0};
	ck_assert_msg(json_parse_strict(text, len, NULL, &v, &ei) == ERR_OK, "%s: %s", rel, ei.message);
	free(text);
	return v;
}
