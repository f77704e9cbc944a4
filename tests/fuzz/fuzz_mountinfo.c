/* The mount table parser reads a file too: any bytes must give a table or
 * an error, never a crash; and the name helpers must stay in bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drive_find.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mount_table t = { 0 };
	struct fk_err e = { 0 };
	if (mountinfo_parse(&t, (const char *)data, size, &e) == 0) {
		const char *labels[] = { "NODE_F401RE", "NOD_F401RE" };
		for (size_t i = 0; i < t.n; i++) {
			const char *p = strrchr(t.m[i].point, '/');
			label_matches(labels[0], p ? p + 1 : t.m[i].point, true);
			char s[64];
			by_id_serial(t.m[i].source, s, sizeof s);
			udev_unescape(t.m[i].source, s, sizeof s);
		}
		struct drive d[4];
		/* No /dev/disk here: label matching by mount point only. */
		struct drive_query q = { .labels = labels, .nlabels = 2, .dev_disk = "/nonexistent" };
		drive_find(&t, &q, d, 4);
	}
	mount_table_free(&t);
	return 0;
}
