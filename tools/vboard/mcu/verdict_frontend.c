/* What a front end adds to run what it flashed: one option, one call at the
 * start event, one at exit. See verdict.h. */
#include "verdict.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int vboard_run_option(struct vboard_run_opt *o, const char *spec_text, char *msg, size_t msglen)
{
	memset(o, 0, sizeof *o);
	if (vboard_spec_parse(&o->spec, spec_text, msg, msglen) != 0)
		return -1;
	if (!o->spec.result[0]) {
		snprintf(o->own_result, sizeof o->own_result, "/tmp/vboard-result.%ld", (long)getpid());
		snprintf(o->spec.result, sizeof o->spec.result, "%s", o->own_result);
	}
	unlink(o->spec.result); /* a result left by an earlier run is not this one's */
	o->set = true;
	return 0;
}

int vboard_run_at(struct vboard_run_opt *o, struct vflash *f, uint32_t addr, const char *why,
		  void (*console_out)(void *ctx, uint8_t byte), void *console_ctx)
{
	if (!o->set)
		return -1;
	int k = vboard_boot_and_judge(&o->spec, f, addr, why, console_out, console_ctx, &o->last);
	o->ran = true;
	return k;
}

int vboard_run_finish(struct vboard_run_opt *o, int status, FILE *out)
{
	if (!o->set)
		return status;
	if (!o->ran && vboard_result_load(o->spec.result, &o->last) == 0)
		o->ran = true;
	if (o->own_result[0])
		unlink(o->own_result);
	if (!o->ran)
		return status; /* nothing started the chip: the command's status says why */
	vboard_result_print(out, &o->spec, &o->last);
	return vboard_exit_status(status, &o->last);
}
