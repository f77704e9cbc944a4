/* vdfu: the DFU class state machine of the STM32 ROM bootloader (DFU 1.1
 * with ST's DfuSe extensions, ST AN3156), and the DFU runtime interface of
 * the application. Called with vb.lock held, from umockdev's worker thread.
 *
 * As on the chip, a DNLOAD only stores the request; the first GETSTATUS
 * after it starts the work and answers dfuDNBUSY with a poll timeout, and
 * the next GETSTATUS gives the result (dfuDNLOAD_IDLE or dfuERROR). */
#include "vdfu.h"

#include <string.h>

enum { REQ_DETACH, REQ_DNLOAD, REQ_UPLOAD, REQ_GETSTATUS, REQ_CLRSTATUS, REQ_GETSTATE, REQ_ABORT };
enum { CMD_GET = 0x00, CMD_SETADDR = 0x21, CMD_ERASE = 0x41, CMD_UNPROTECT = 0x92 };

static const char *const state_names[] = {
	"appIDLE", "appDETACH", "dfuIDLE", "dfuDNLOAD-SYNC", "dfuDNBUSY", "dfuDNLOAD-IDLE",
	"dfuMANIFEST-SYNC", "dfuMANIFEST", "dfuMANIFEST-WAIT-RESET", "dfuUPLOAD-IDLE", "dfuERROR",
};

void vdfu_dfuse_reset(void)
{
	vb.state = DFU_IDLE;
	vb.status = ST_OK;
	vb.pending_op = false;
	vb.addr = vb.alts[0].base;
}

static void fail(int status)
{
	vb.state = DFU_ERROR;
	vb.status = status;
}

static struct valt *cur_alt(void)
{
	return &vb.alts[vb.alt < vb.nalts ? vb.alt : 0];
}

static bool in_alt(const struct valt *a, uint32_t addr, size_t len)
{
	return addr >= a->base && (uint64_t)addr + len <= (uint64_t)a->base + a->size;
}

/* Page erase. On the STM32F7 in dual-bank mode the ROM works out the sector
 * from the single-bank layout, so from the second sector on it erases the
 * wrong one: what FOME means by "an error with the erasure mechanism".
 * A mass erase first is the cure. */
static int erase_page(uint32_t addr)
{
	int s = vflash_sector_of(&vb.flash, addr);
	if (s < 0)
		return ST_ADDRESS;
	if (vb.dual_bank_erase_bug) {
		struct vflash single;
		char msg[128];
		if (vflash_parse_layout(&single, vb.single_bank_layout, msg, sizeof msg) == 0) {
			single.base = vb.flash.base;
			int ss = vflash_sector_of(&single, addr);
			if (ss >= 0 && (unsigned)ss < vb.flash.nsect)
				s = ss;
		}
	}
	int r = vflash_erase_sector(&vb.flash, (unsigned)s);
	if (r != VF_OK)
		return ST_ERASE;
	vdfu_event("erase 0x%08x", vflash_sector_addr(&vb.flash, (unsigned)s));
	return ST_OK;
}

/* Run the stored DNLOAD. Returns a DFU status. */
static int run_pending(void)
{
	struct valt *a = cur_alt();
	const uint8_t *p = vb.pending;
	size_t n = vb.pending_len;

	if (vb.pending_block == 0) {
		uint8_t cmd = p[0];
		uint32_t arg = n >= 5 ? (uint32_t)p[1] | (uint32_t)p[2] << 8 | (uint32_t)p[3] << 16 |
					    (uint32_t)p[4] << 24
				      : 0;
		if (vb.faults.rdp && cmd != CMD_UNPROTECT)
			return ST_VENDOR; /* read protection: only read-unprotect is served */
		switch (cmd) {
		case CMD_SETADDR:
			if (n != 5)
				return ST_TARGET;
			if (!in_alt(a, arg, 1))
				return ST_ADDRESS;
			vb.addr = arg;
			vb.leave_addr = arg;
			vb.leave_addr_set = true;
			return ST_OK;
		case CMD_ERASE:
			if (!a->is_flash)
				return ST_TARGET;
			if (n == 1) {
				if (vflash_mass_erase(&vb.flash) != VF_OK)
					return ST_ERASE;
				vdfu_event("mass-erase");
				return ST_OK;
			}
			if (n != 5)
				return ST_TARGET;
			return erase_page(arg);
		case CMD_UNPROTECT:
			/* RDP back to level 0: the chip erases itself and resets. */
			vflash_mass_erase(&vb.flash);
			vb.faults.rdp = false;
			vb.flash.read_protected = false;
			vdfu_event("unprotect");
			return ST_OK;
		default:
			return ST_TARGET;
		}
	}
	if (vb.faults.rdp)
		return ST_VENDOR;
	uint32_t addr = vb.addr + (vb.pending_block - 2) * (uint32_t)VDFU_XFER;
	if (!in_alt(a, addr, n))
		return ST_ADDRESS;
	if (a->is_flash) {
		int r = vflash_program(&vb.flash, addr, p, n, false);
		if (r == VF_RANGE)
			return ST_ADDRESS;
		if (r != VF_OK)
			return ST_WRITE;
	} else if (a->writable) {
		memcpy(a->ram + (addr - a->base), p, n);
	} else {
		return ST_TARGET;
	}
	return ST_OK;
}

/* The device leaves DFU: the ROM jumps to the address last set. */
static void leave(struct vdev *d)
{
	uint32_t at = vb.leave_addr_set ? vb.leave_addr : vb.alts[0].base;
	if (vb.faults.no_leave) {
		/* Some boards stay in the bootloader here (FOME, Crazyflie on
		 * USB power): the user has to reset or power-cycle. */
		vdfu_event("leave-ignored 0x%08x", at);
		vb.state = DFU_IDLE;
		return;
	}
	d->usb.gone = true;
	vdfu_schedule_leave(d);
}

static int status_reply(uint8_t *data, unsigned wLength, int status, unsigned poll, int state)
{
	if (wLength < 6)
		return -1;
	data[0] = (uint8_t)status;
	data[1] = (uint8_t)poll;
	data[2] = (uint8_t)(poll >> 8);
	data[3] = (uint8_t)(poll >> 16);
	data[4] = (uint8_t)state;
	data[5] = 0;
	return 6;
}

static int boot_request(struct vdev *d, uint8_t bRequest, uint16_t wValue, uint16_t wLength,
			uint8_t *data)
{
	switch (bRequest) {
	case REQ_DNLOAD:
		if (vb.state != DFU_IDLE && vb.state != DFU_DNLOAD_IDLE) {
			fail(ST_STALLEDPKT);
			return -1;
		}
		if (wLength == 0) {
			vb.state = DFU_MANIFEST_SYNC;
			return 0;
		}
		if (wLength > VDFU_XFER || wValue == 1) {
			fail(ST_STALLEDPKT);
			return -1;
		}
		if (wValue >= 2) {
			unsigned long long from = vb.dl_bytes, to = vb.dl_bytes + wLength;
			vb.dl_bytes = to;
			if (!vb.fault_fired && vb.faults.stall_at >= 0 &&
			    (unsigned long long)vb.faults.stall_at < to &&
			    (unsigned long long)vb.faults.stall_at >= from) {
				vb.fault_fired = true;
				vdfu_event("fault stall at byte %llu", from);
				fail(ST_STALLEDPKT);
				return -1;
			}
			if (!vb.fault_fired && vb.faults.disconnect_at >= 0 &&
			    (unsigned long long)vb.faults.disconnect_at < to &&
			    (unsigned long long)vb.faults.disconnect_at >= from) {
				vb.fault_fired = true;
				vdfu_event("fault disconnect at byte %llu", from);
				d->usb.gone = true;
				vdfu_schedule_unplug(d);
				return -1;
			}
		}
		memcpy(vb.pending, data, wLength);
		vb.pending_len = wLength;
		vb.pending_block = wValue;
		vb.pending_op = true;
		vb.state = DFU_DNLOAD_SYNC;
		return wLength;
	case REQ_UPLOAD: {
		if (vb.state != DFU_IDLE && vb.state != DFU_UPLOAD_IDLE) {
			fail(ST_STALLEDPKT);
			return -1;
		}
		if (wValue == 0) {
			static const uint8_t cmds[] = { CMD_GET, CMD_SETADDR, CMD_ERASE, CMD_UNPROTECT };
			unsigned n = wLength < sizeof cmds ? wLength : sizeof cmds;
			memcpy(data, cmds, n);
			vb.state = DFU_UPLOAD_IDLE;
			return (int)n;
		}
		if (wValue == 1 || vb.faults.rdp) {
			fail(vb.faults.rdp ? ST_VENDOR : ST_STALLEDPKT);
			return -1;
		}
		struct valt *a = cur_alt();
		uint32_t addr = vb.addr + (uint32_t)(wValue - 2) * VDFU_XFER;
		if (!in_alt(a, addr, 1)) {
			fail(ST_ADDRESS);
			return -1;
		}
		uint32_t left = a->base + a->size - addr;
		unsigned n = wLength < left ? wLength : left;
		if (a->is_flash)
			vflash_read(&vb.flash, addr, data, n);
		else
			memcpy(data, a->ram + (addr - a->base), n);
		vb.state = n < wLength ? DFU_IDLE : DFU_UPLOAD_IDLE;
		return (int)n;
	}
	case REQ_GETSTATUS:
		if (vb.state == DFU_DNLOAD_SYNC && vb.pending_op) {
			vb.pending_op = false;
			int st = run_pending();
			bool unprotect = st == ST_OK && vb.pending_block == 0 &&
					 vb.pending[0] == CMD_UNPROTECT;
			if (st == ST_OK)
				vb.state = DFU_DNLOAD_IDLE;
			else
				fail(st);
			if (unprotect) {
				d->usb.gone = true;
				vdfu_schedule_reset_to_boot(d);
			}
			return status_reply(data, wLength, ST_OK, vb.poll_ms, DFU_DNBUSY);
		}
		if (vb.state == DFU_MANIFEST_SYNC) {
			if (vb.faults.leave_no_status && !vb.faults.no_leave) {
				/* The chip jumps to the application at once: the
				 * status request goes unanswered, the bus loses it. */
				vdfu_event("fault leave-no-status");
				leave(d);
				return -1;
			}
			int r = status_reply(data, wLength, ST_OK, 0, DFU_MANIFEST);
			leave(d);
			return r;
		}
		return status_reply(data, wLength, vb.status, 0, vb.state);
	case REQ_CLRSTATUS:
		if (vb.state == DFU_ERROR) {
			vb.state = DFU_IDLE;
			vb.status = ST_OK;
			return 0;
		}
		fail(ST_STALLEDPKT);
		return -1;
	case REQ_GETSTATE:
		if (wLength < 1)
			return -1;
		data[0] = (uint8_t)vb.state;
		return 1;
	case REQ_ABORT:
		if (vb.state == DFU_ERROR)
			return -1;
		vb.state = DFU_IDLE;
		vb.pending_op = false;
		return 0;
	case REQ_DETACH:
		return 0;
	default:
		fail(ST_STALLEDPKT);
		return -1;
	}
}

int vdfu_class_request(struct vdev *d, uint8_t bmRequestType, uint8_t bRequest,
		       uint16_t wValue, uint16_t wLength, uint8_t *data)
{
	(void)bmRequestType; /* the request number says the direction */
	if (d->kind == VDEV_BOOT) {
		int before = vb.state;
		int r = boot_request(d, bRequest, wValue, wLength, data);
		if (vb.verbose && before != vb.state)
			g_printerr("vdfu: req %u: %s -> %s (status %d)\n", bRequest,
				   state_names[before], state_names[vb.state], vb.status);
		return r;
	}
	/* The application's runtime interface, or an unrelated DFU device. */
	switch (bRequest) {
	case REQ_DETACH:
		if (d->kind != VDEV_APP || vb.faults.no_detach) {
			vdfu_event("detach-refused");
			return -1;
		}
		d->usb.gone = true;
		vdfu_schedule_detach(d);
		return 0;
	case REQ_GETSTATUS:
		return status_reply(data, wLength, ST_OK, 0, d->kind == VDEV_APP ? APP_IDLE : DFU_IDLE);
	case REQ_GETSTATE:
		if (wLength < 1)
			return -1;
		data[0] = d->kind == VDEV_APP ? APP_IDLE : DFU_IDLE;
		return 1;
	default:
		return -1;
	}
}
