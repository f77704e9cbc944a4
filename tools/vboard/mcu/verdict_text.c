/* The verdict line from what a run showed. One line, the most important fact
 * first: no application, a fault (with the link address when that is the
 * cause), or running with the LED and the console. */
#include "verdict.h"

#include <string.h>

/* The first console line, without CR/LF, control characters shown as '.'. */
static void first_line(const char *text, char *out, size_t outlen, unsigned *more)
{
	size_t o = 0;
	const char *p = text;
	while (*p == '\r' || *p == '\n')
		p++;
	for (; *p && *p != '\r' && *p != '\n' && o + 1 < outlen; p++)
		out[o++] = (*p >= 0x20 && *p < 0x7F) ? *p : '.';
	out[o] = 0;
	if (o + 1 >= outlen && o >= 4)
		memcpy(out + o - 3, "...", 4);
	*more = 0;
	for (; *p; p++)
		if (*p == '\n' && p[1] && p[1] != '\r' && p[1] != '\n')
			(*more)++;
}

static void console_part(const struct vboard_facts *f, char *out, size_t outlen)
{
	char line[72];
	unsigned more;
	first_line(f->console ? f->console : "", line, sizeof line, &more);
	if (line[0]) {
		if (more)
			snprintf(out, outlen, "console: '%s' (+%u more line%s)", line, more, more > 1 ? "s" : "");
		else
			snprintf(out, outlen, "console: '%s'", line);
	} else if (f->lost && f->lost_why && *f->lost_why) {
		snprintf(out, outlen, "console: nothing (%llu byte%s written, but %s)",
			 (unsigned long long)f->lost, f->lost == 1 ? "" : "s", f->lost_why);
	} else {
		snprintf(out, outlen, "console: nothing");
	}
}

static void led_part(const struct vboard_facts *f, char *out, size_t outlen)
{
	char other[64] = "";
	if (f->other_port >= 0 && f->other_toggles)
		snprintf(other, sizeof other, " (P%c%d toggled %u times)", 'A' + f->other_port, f->other_pin,
			 f->other_toggles);
	if (f->led_port < 0)
		snprintf(out, outlen, "no LED on this board%s", other);
	else if (f->led_toggles)
		snprintf(out, outlen, "LED P%c%d toggled %u time%s in %u ms", 'A' + f->led_port, f->led_pin,
			 f->led_toggles, f->led_toggles == 1 ? "" : "s", f->ms);
	else if (f->led_level >= 0)
		snprintf(out, outlen, "LED P%c%d stayed %s for %u ms%s", 'A' + f->led_port, f->led_pin,
			 f->led_level ? "high" : "low", f->ms, other);
	else
		snprintf(out, outlen, "LED P%c%d never driven in %u ms%s", 'A' + f->led_port, f->led_pin,
			 f->ms, other);
}

void vboard_verdict_text(const struct vboard_facts *f, struct vboard_result *r)
{
	r->instructions = f->instructions;
	r->toggles = f->led_toggles;
	if (f->erased) {
		r->kind = VB_NO_APP;
		snprintf(r->verdict, sizeof r->verdict, "no application: the flash at 0x%08x is erased",
			 f->boot_at);
		return;
	}
	if (f->faulted) {
		r->kind = VB_FAULT;
		char why[200];
		if (f->linked_at != f->boot_at)
			snprintf(why, sizeof why, "the image is linked for 0x%08x but runs at 0x%08x",
				 f->linked_at, f->boot_at);
		else
			snprintf(why, sizeof why, "%s", f->fault_what && *f->fault_what ? f->fault_what
											 : "the core stopped");
		snprintf(r->verdict, sizeof r->verdict, "HardFault at 0x%08x after %llu instruction%s: %s",
			 f->fault_pc, (unsigned long long)f->instructions, f->instructions == 1 ? "" : "s",
			 why);
		return;
	}
	char led[128], con[160];
	led_part(f, led, sizeof led);
	console_part(f, con, sizeof con);
	r->kind = VB_RUNNING;
	if (f->halted)
		snprintf(r->verdict, sizeof r->verdict, "halted at 0x%08x (breakpoint): %s, %s", f->halt_pc,
			 led, con);
	else
		snprintf(r->verdict, sizeof r->verdict, "running: %s, %s", led, con);
}
