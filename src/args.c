#include "args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool parse_u64(const char *s, uint64_t *out)
{
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	if (*end == 'K' || *end == 'k') {
		v *= 1024;
		end++;
	} else if (*end == 'M' || *end == 'm') {
		v *= 1024 * 1024;
		end++;
	}
	if (*end)
		return false;
	if (v > 0x100000000ull)
		return false;
	*out = v;
	return true;
}

bool parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	if (!parse_u64(s, &v) || v > 0xFFFFFFFFull)
		return false;
	*out = (uint32_t)v;
	return true;
}

bool parse_range(const char *s, uint32_t *base, uint64_t *size)
{
	const char *colon = s;
	while (*colon && *colon != ':')
		colon++;
	if (*colon != ':')
		return false;
	char buf[64];
	size_t n = (size_t)(colon - s);
	if (n == 0 || n >= sizeof buf)
		return false;
	for (size_t i = 0; i < n; i++)
		buf[i] = s[i];
	buf[n] = 0;
	uint64_t b, z;
	if (!parse_u64(buf, &b) || b > 0xFFFFFFFFull || !parse_u64(colon + 1, &z) || z == 0 ||
	    b + z > 0x100000000ull)
		return false;
	*base = (uint32_t)b;
	*size = z;
	return true;
}

int bad_value(struct fk_err *e, const char *cmd, const char *opt, const char *val,
	      const char *expect)
{
	return fk_fail(e, FK_EUSAGE, "%s: bad value '%s' for %s: expected %s (see 'flashkit %s --help')",
		       cmd, val ? val : "", opt, expect, cmd);
}

int arg_value(int argc, char **argv, int *i, const char *const *opts, int n,
	      const char *cmd, const char **val, struct fk_err *e)
{
	const char *a = argv[*i];
	for (int k = 0; k < n; k++) {
		size_t len = strlen(opts[k]);
		bool is_long = opts[k][0] == '-' && opts[k][1] == '-';
		if (strncmp(a, opts[k], len) != 0 || (a[len] != 0 && !(a[len] == '=' && is_long)))
			continue;
		if (a[len] == '=') {
			*val = a + len + 1;
		} else if (*i + 1 < argc) {
			*val = argv[++*i];
		} else {
			fk_fail(e, FK_EUSAGE, "%s: %s needs a value (see 'flashkit %s --help')", cmd, a, cmd);
			return -2;
		}
		return k;
	}
	return -1;
}
