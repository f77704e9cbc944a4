/* A run's result as a file (the drive's watcher runs the image in another
 * process than the one that reports), and as the front end's last lines. */
#include "verdict.h"

#include <stdlib.h>
#include <string.h>

int vboard_result_save(const char *path, const struct vboard_result *r)
{
	char tmp[600];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "kind=%d\ninstructions=%llu\ntoggles=%u\nverdict=%s\n%s", (int)r->kind,
		(unsigned long long)r->instructions, r->toggles, r->verdict, r->console);
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}

int vboard_result_load(const char *path, struct vboard_result *r)
{
	memset(r, 0, sizeof *r);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int kind = -1;
	unsigned long long ins = 0;
	char line[sizeof r->verdict + 16];
	int ok = fscanf(f, "kind=%d\ninstructions=%llu\ntoggles=%u\n", &kind, &ins, &r->toggles) == 3 &&
		 fgets(line, sizeof line, f) && !strncmp(line, "verdict=", 8);
	if (ok) {
		line[strcspn(line, "\n")] = 0;
		line[8 + sizeof r->verdict - 1] = 0;
		memcpy(r->verdict, line + 8, strlen(line + 8) + 1);
		size_t n = fread(r->console, 1, sizeof r->console - 1, f);
		r->console[n] = 0;
		r->kind = (enum vboard_kind)kind;
		r->instructions = ins;
	}
	fclose(f);
	return ok && kind >= VB_RUNNING && kind <= VB_ERROR ? 0 : -1;
}

void vboard_result_print(FILE *out, const struct vboard_spec *s, const struct vboard_result *r)
{
	fprintf(out, "  RUN     %s (virtual, %u ms): %s\n", s->board, s->ms, r->verdict);
	/* The console as lines, CR dropped, so a person sees what a terminal shows. */
	const char *p = r->console;
	while (*p) {
		size_t n = strcspn(p, "\n");
		char line[256];
		size_t o = 0;
		for (size_t i = 0; i < n && o + 1 < sizeof line; i++)
			if (p[i] != '\r')
				line[o++] = (p[i] >= 0x20 && p[i] < 0x7F) || p[i] == '\t' ? p[i] : '.';
		line[o] = 0;
		if (o)
			fprintf(out, "  CONSOLE %s\n", line);
		p += n + (p[n] == '\n');
	}
	fflush(out);
}

int vboard_exit_status(int command_status, const struct vboard_result *r)
{
	if (command_status != 0)
		return command_status;
	/* 65: the data (the image) is bad for this board, in the project's codes;
	 * 70: the model itself failed. */
	if (!r || r->kind == VB_RUNNING)
		return 0;
	return r->kind == VB_ERROR ? 70 : 65;
}
