/* The virtual ST-LINK's command decoder (tools/vboard/stlink/vstlink_proto.c)
 * against a fake mcu: what OpenOCD 0.12's stlink_usb.c sends and expects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../tools/vboard/stlink/vstlink_proto.c"

/* A fake mcu: 4 KiB of RAM at 0x20000000, DHCSR, registers, run state. */
struct mcu {
	uint8_t ram[4096];
	uint32_t regs[96];
	bool halted;
	unsigned resets;
	uint64_t ran;
};

static int ram_at(uint32_t addr, uint32_t len)
{
	return addr >= 0x20000000u && addr + len <= 0x20000000u + 4096 ? (int)(addr - 0x20000000u) : -1;
}

int mcu_mem_read(struct mcu *m, uint32_t addr, uint8_t *buf, uint32_t len, unsigned width)
{
	(void)width;
	int o = ram_at(addr, len);
	if (o < 0)
		return MCU_FAULT;
	memcpy(buf, m->ram + o, len);
	return MCU_OK;
}

int mcu_mem_write(struct mcu *m, uint32_t addr, const uint8_t *buf, uint32_t len, unsigned width)
{
	(void)width;
	int o = ram_at(addr, len);
	if (o < 0)
		return MCU_FAULT;
	memcpy(m->ram + o, buf, len);
	return MCU_OK;
}

int mcu_read32(struct mcu *m, uint32_t addr, uint32_t *v)
{
	if (addr == 0xE000EDF0u) {
		*v = 1u | (m->halted ? 0x20000u : 0);
		return MCU_OK;
	}
	uint8_t b[4];
	int r = mcu_mem_read(m, addr, b, 4, 4);
	*v = get32(b);
	return r;
}

int mcu_write32(struct mcu *m, uint32_t addr, uint32_t v)
{
	if (addr == 0xE000EDF0u) {
		m->halted = (v & 2) != 0;
		return MCU_OK;
	}
	uint8_t b[4];
	put32(b, v);
	return mcu_mem_write(m, addr, b, 4, 4);
}

int mcu_reg_read(struct mcu *m, unsigned regsel, uint32_t *v)
{
	if (regsel >= 96 || !m->halted)
		return MCU_FAULT;
	*v = m->regs[regsel];
	return MCU_OK;
}

int mcu_reg_write(struct mcu *m, unsigned regsel, uint32_t v)
{
	if (regsel >= 96 || !m->halted)
		return MCU_FAULT;
	m->regs[regsel] = v;
	return MCU_OK;
}

void mcu_halt(struct mcu *m) { m->halted = true; }
void mcu_resume(struct mcu *m) { m->halted = false; }
int mcu_step(struct mcu *m) { (void)m; return MCU_OK; }
bool mcu_halted(const struct mcu *m) { return m->halted; }
void mcu_reset(struct mcu *m) { m->resets++; }
uint64_t mcu_run(struct mcu *m, uint64_t n)
{
	if (m->halted)
		return 0;
	m->ran += n;
	return n;
}

static struct mcu fake;
static struct vstlink probe;
static uint8_t in[STL_DATA_SIZE + 16];

static void cmd(const uint8_t *c, unsigned n)
{
	uint8_t block[STL_CMD_SIZE] = { 0 };
	memcpy(block, c, n);
	assert_int_equal(vstlink_out(&probe, block, sizeof block), 0);
}

static int answer(unsigned len)
{
	memset(in, 0xAA, sizeof in);
	return vstlink_in(&probe, in, len);
}

static void start(const struct vstlink_cfg *cfg)
{
	memset(&fake, 0, sizeof fake);
	struct vstlink_cfg c;
	vstlink_default_cfg(&c);
	vstlink_init(&probe, cfg ? cfg : &c, &fake, NULL);
}

/* OpenOCD's open sequence: version, mode, leave DFU, voltage, speed, enter SWD. */
static void connect(void)
{
	cmd((uint8_t[]){ 0xf1 }, 1);
	assert_int_equal(answer(6), 6);
	cmd((uint8_t[]){ 0xf5 }, 1);
	assert_int_equal(answer(2), 2);
	cmd((uint8_t[]){ 0xf3, 0x07 }, 2);
	assert_int_equal(answer(2), -1); /* DFU_EXIT has no reply */
	cmd((uint8_t[]){ 0xf2, 0x30, 0xa3 }, 3);
	assert_int_equal(answer(2), 2);
	assert_int_equal(in[0], STL_OK);
}

static void version_of_a_nucleo_v2_1(void **state)
{
	(void)state;
	start(NULL);
	cmd((uint8_t[]){ 0xf1 }, 1);
	assert_int_equal(answer(6), 6);
	/* big-endian V:4 J:6 M:6 = 2, 37, 26; then VID, PID little-endian */
	assert_int_equal(in[0] << 8 | in[1], 2 << 12 | 37 << 6 | 26);
	assert_int_equal(in[2] | in[3] << 8, 0x0483);
	assert_int_equal(in[4] | in[5] << 8, 0x374b);
	assert_int_equal(answer(6), -1); /* one reply per command */
}

static void v3_needs_version_ex(void **state)
{
	(void)state;
	struct vstlink_cfg c;
	vstlink_default_cfg(&c);
	assert_int_equal(vstlink_parse_version(&c, "V3J7M2B3S1"), 0);
	c.pid = 0x374e;
	start(&c);
	cmd((uint8_t[]){ 0xf1 }, 1);
	answer(6);
	assert_int_equal(in[0] << 8 | in[1], 3 << 12); /* J and M zero: ask GET_VERSION_EX */
	cmd((uint8_t[]){ 0xfb }, 1);
	assert_int_equal(answer(12), 12);
	assert_int_equal(in[0], 3);
	assert_int_equal(in[1], 1); /* swim */
	assert_int_equal(in[2], 7); /* jtag */
	assert_int_equal(in[3], 2); /* msd */
	assert_int_equal(in[4], 3); /* bridge */
	assert_int_equal(in[10] | in[11] << 8, 0x374e);
}

static void version_strings(void **state)
{
	(void)state;
	struct vstlink_cfg c;
	char s[32];
	vstlink_default_cfg(&c);
	vstlink_version_string(&c, s, sizeof s);
	assert_string_equal(s, "V2J37M26");
	assert_int_equal(vstlink_parse_version(&c, "V2J17S4"), 0);
	vstlink_version_string(&c, s, sizeof s);
	assert_string_equal(s, "V2J17S4");
	assert_int_equal(vstlink_parse_version(&c, "J37"), -1);
	assert_int_equal(vstlink_parse_version(&c, "V2M26"), -1);
	assert_int_equal(vstlink_parse_version(&c, "V2J99"), -1);
}

static void voltage_and_modes(void **state)
{
	(void)state;
	start(NULL);
	cmd((uint8_t[]){ 0xf5 }, 1);
	answer(2);
	assert_int_equal(in[0], STL_MODE_DFU);
	cmd((uint8_t[]){ 0xf3, 0x07 }, 2);
	cmd((uint8_t[]){ 0xf5 }, 1);
	answer(2);
	assert_int_equal(in[0], STL_MODE_MASS);
	cmd((uint8_t[]){ 0xf7 }, 1);
	assert_int_equal(answer(8), 8);
	double v = 2.0 * get32(in + 4) * 1.2 / get32(in);
	assert_true(v > 3.2 && v < 3.3);
	cmd((uint8_t[]){ 0xf2, 0x30, 0xa3 }, 3);
	answer(2);
	assert_int_equal(in[0], STL_OK);
	cmd((uint8_t[]){ 0xf5 }, 1);
	answer(2);
	assert_int_equal(in[0], STL_MODE_DEBUG);
	cmd((uint8_t[]){ 0xf2, 0x31 }, 2);
	assert_int_equal(answer(12), 12);
	assert_int_equal(in[0], STL_OK);
	assert_int_equal(get32(in + 4), 0x2ba01477);
}

static void no_power_no_answer(void **state)
{
	(void)state;
	struct vstlink_cfg c;
	vstlink_default_cfg(&c);
	c.voltage = 0;
	start(&c);
	cmd((uint8_t[]){ 0xf7 }, 1);
	answer(8);
	assert_int_equal(get32(in + 4), 0);
	cmd((uint8_t[]){ 0xf2, 0x30, 0xa3 }, 3);
	answer(2);
	assert_int_equal(in[0], STL_GET_IDCODE_ERROR);
	cmd((uint8_t[]){ 0xf2, 0x36, 0xf0, 0xed, 0x00, 0xe0 }, 6);
	answer(8);
	assert_int_not_equal(in[0], STL_OK);
}

static void memory_write_then_read(void **state)
{
	(void)state;
	start(NULL);
	connect();
	/* WRITEMEM_32BIT 0x20000010, 8 bytes, then its data phase */
	cmd((uint8_t[]){ 0xf2, 0x08, 0x10, 0x00, 0x00, 0x20, 8, 0 }, 8);
	assert_int_equal(answer(2), -1);
	const uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	assert_int_equal(vstlink_out(&probe, data, 4), 0); /* in two pieces */
	assert_int_equal(vstlink_out(&probe, data + 4, 4), 0);
	assert_memory_equal(fake.ram + 0x10, data, 8);
	cmd((uint8_t[]){ 0xf2, 0x3e }, 2);
	assert_int_equal(answer(12), 12);
	assert_int_equal(in[0], STL_OK);
	/* READMEM_16BIT */
	cmd((uint8_t[]){ 0xf2, 0x47, 0x12, 0x00, 0x00, 0x20, 4, 0 }, 8);
	assert_int_equal(answer(4), 4);
	assert_memory_equal(in, data + 2, 4);
	/* READMEM_8BIT of one byte answers two */
	cmd((uint8_t[]){ 0xf2, 0x0c, 0x13, 0x00, 0x00, 0x20, 1, 0 }, 8);
	assert_int_equal(answer(2), 2);
	assert_int_equal(in[0], 4);
	assert_int_equal(probe.bytes_written, 8);
}

static void fault_reported_by_rw_status(void **state)
{
	(void)state;
	start(NULL);
	connect();
	cmd((uint8_t[]){ 0xf2, 0x07, 0x00, 0x00, 0x00, 0x30, 4, 0 }, 8);
	assert_int_equal(answer(4), 4);
	cmd((uint8_t[]){ 0xf2, 0x3e }, 2);
	answer(12);
	assert_int_equal(in[0], STL_SWD_AP_FAULT);
	assert_int_equal(get32(in + 4), 0x30000000);
	cmd((uint8_t[]){ 0xf2, 0x3b }, 2); /* cleared once read */
	answer(2);
	assert_int_equal(in[0], STL_OK);
}

static void run_control_and_registers(void **state)
{
	(void)state;
	start(NULL);
	connect();
	/* halt through DHCSR (WRITEDEBUGREG), as OpenOCD's hla does */
	cmd((uint8_t[]){ 0xf2, 0x35, 0xf0, 0xed, 0x00, 0xe0, 0x03, 0x00, 0x5f, 0xa0 }, 10);
	answer(2);
	assert_int_equal(in[0], STL_OK);
	assert_true(fake.halted);
	cmd((uint8_t[]){ 0xf2, 0x36, 0xf0, 0xed, 0x00, 0xe0 }, 6);
	answer(8);
	assert_int_equal(get32(in + 4) & 0x20000, 0x20000); /* S_HALT */
	cmd((uint8_t[]){ 0xf2, 0x34, 15, 0x01, 0x02, 0x00, 0x08 }, 7); /* pc */
	answer(2);
	assert_int_equal(in[0], STL_OK);
	cmd((uint8_t[]){ 0xf2, 0x33, 15 }, 3);
	answer(8);
	assert_int_equal(get32(in + 4), 0x08000201);
	cmd((uint8_t[]){ 0xf2, 0x3a }, 2);
	assert_int_equal(answer(88), 88);
	assert_int_equal(get32(in + 4 + 15 * 4), 0x08000201);
	cmd((uint8_t[]){ 0xf2, 0x32 }, 2);
	answer(2);
	assert_int_equal(fake.resets, 1);
	/* the core runs between commands only when it is not halted */
	uint64_t before = fake.ran;
	cmd((uint8_t[]){ 0xf5 }, 1);
	assert_int_equal(fake.ran, before);
	fake.halted = false;
	cmd((uint8_t[]){ 0xf5 }, 1);
	assert_int_equal(fake.ran, before + probe.cfg.slice);
}

static void swd_speed_divisors(void **state)
{
	(void)state;
	start(NULL);
	cmd((uint8_t[]){ 0xf2, 0x43, 7, 0 }, 4);
	answer(2);
	assert_int_equal(probe.swd_khz, 480);
	cmd((uint8_t[]){ 0xf2, 0x43, 0, 0 }, 4);
	answer(2);
	assert_int_equal(probe.swd_khz, 4000);
}

static void unreliable_clone_fails_part_way(void **state)
{
	(void)state;
	struct vstlink_cfg c;
	vstlink_default_cfg(&c);
	c.unreliable_after = 8;
	c.unreliable_khz = 480;
	start(&c);
	connect();
	const uint8_t w[8] = { 0 };
	for (int i = 0; i < 2; i++) {
		cmd((uint8_t[]){ 0xf2, 0x08, 0x00, 0x00, 0x00, 0x20, 8, 0 }, 8);
		vstlink_out(&probe, w, 8);
		cmd((uint8_t[]){ 0xf2, 0x3e }, 2);
		answer(12);
		assert_int_equal(in[0], i == 0 ? STL_OK : STL_SWD_AP_ERROR);
	}
	/* everything fails for the rest of the session */
	cmd((uint8_t[]){ 0xf2, 0x36, 0xf0, 0xed, 0x00, 0xe0 }, 6);
	answer(8);
	assert_int_not_equal(in[0], STL_OK);
	/* reconnected slower: it holds */
	cmd((uint8_t[]){ 0xf2, 0x43, 7, 0 }, 4);
	answer(2);
	cmd((uint8_t[]){ 0xf2, 0x30, 0xa3 }, 3);
	answer(2);
	for (int i = 0; i < 2; i++) {
		cmd((uint8_t[]){ 0xf2, 0x08, 0x00, 0x00, 0x00, 0x20, 8, 0 }, 8);
		vstlink_out(&probe, w, 8);
	}
	cmd((uint8_t[]){ 0xf2, 0x08, 0x00, 0x00, 0x00, 0x20, 8, 0 }, 8);
	vstlink_out(&probe, w, 8);
	cmd((uint8_t[]){ 0xf2, 0x3e }, 2);
	answer(12);
	assert_int_equal(in[0], STL_OK);
}

static void old_firmware_cannot_connect(void **state)
{
	(void)state;
	struct vstlink_cfg c;
	vstlink_default_cfg(&c);
	vstlink_parse_version(&c, "V2J17M4");
	c.old_firmware = true;
	start(&c);
	cmd((uint8_t[]){ 0xf1 }, 1);
	answer(6);
	assert_int_equal((in[0] << 8 | in[1]) >> 6 & 0x3f, 17);
	cmd((uint8_t[]){ 0xf2, 0x30, 0xa3 }, 3);
	answer(2);
	assert_int_equal(in[0], STL_GET_IDCODE_ERROR);
}

static void nrst_ap_dp_and_v1_status(void **state)
{
	(void)state;
	start(NULL);
	connect();
	/* DRIVE_NRST low holds the core (no slices), high resets it */
	cmd((uint8_t[]){ 0xf2, 0x3c, 0 }, 3);
	answer(2);
	assert_int_equal(in[0], STL_OK);
	uint64_t before = fake.ran;
	cmd((uint8_t[]){ 0xf5 }, 1);
	assert_int_equal(fake.ran, before);
	cmd((uint8_t[]){ 0xf2, 0x3c, 1 }, 3);
	answer(2);
	assert_int_equal(fake.resets, 1);
	cmd((uint8_t[]){ 0xf2, 0x3c, 2 }, 3); /* pulse */
	answer(2);
	assert_int_equal(fake.resets, 2);
	/* INIT_AP, then the DP's DPIDR through READ_DAP_REG (port 0xffff) */
	cmd((uint8_t[]){ 0xf2, 0x4b, 0 }, 3);
	answer(2);
	assert_int_equal(in[0], STL_OK);
	cmd((uint8_t[]){ 0xf2, 0x45, 0xff, 0xff, 0, 0 }, 6);
	assert_int_equal(answer(8), 8);
	assert_int_equal(get32(in + 4), 0x2ba01477);
	/* API v1 GETSTATUS: 0x80 running, 0x81 halted */
	fake.halted = false;
	cmd((uint8_t[]){ 0xf2, 0x01 }, 2);
	answer(2);
	assert_int_equal(in[0], 0x80);
	cmd((uint8_t[]){ 0xf2, 0x02 }, 2); /* FORCEDEBUG */
	answer(2);
	cmd((uint8_t[]){ 0xf2, 0x01 }, 2);
	answer(2);
	assert_int_equal(in[0], 0x81);
	/* no SWO trace: nothing captured */
	cmd((uint8_t[]){ 0xf2, 0x42 }, 2);
	assert_int_equal(answer(2), 2);
	assert_int_equal(in[0] | in[1] << 8, 0);
}

static void v3_frequencies(void **state)
{
	(void)state;
	start(NULL);
	cmd((uint8_t[]){ 0xf2, 0x62, 0 }, 3); /* GET_COM_FREQ, SWD */
	assert_int_equal(answer(52), 52);
	assert_int_equal(in[0], STL_OK);
	assert_true(in[8] > 0 && in[8] <= 10);
	assert_int_equal(get32(in + 12), 24000);
	cmd((uint8_t[]){ 0xf2, 0x61, 0, 0, 0xe8, 0x03, 0, 0 }, 8); /* SET_COM_FREQ 1000 kHz */
	assert_int_equal(answer(8), 8);
	assert_int_equal(probe.swd_khz, 1000);
}

static void unknown_and_malformed(void **state)
{
	(void)state;
	start(NULL);
	cmd((uint8_t[]){ 0xf2, 0x7f }, 2);
	answer(2);
	assert_int_equal(in[0], STL_FAULT);
	assert_int_equal(vstlink_out(&probe, (uint8_t[]){ 0xf2 }, 1), -1);
	/* a write longer than the probe's buffer */
	uint8_t big[STL_CMD_SIZE] = { 0xf2, 0x08, 0, 0, 0, 0x20, 0x01, 0x20 };
	assert_int_equal(vstlink_out(&probe, big, sizeof big), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(version_of_a_nucleo_v2_1),
		cmocka_unit_test(v3_needs_version_ex),
		cmocka_unit_test(version_strings),
		cmocka_unit_test(voltage_and_modes),
		cmocka_unit_test(no_power_no_answer),
		cmocka_unit_test(memory_write_then_read),
		cmocka_unit_test(fault_reported_by_rw_status),
		cmocka_unit_test(run_control_and_registers),
		cmocka_unit_test(swd_speed_divisors),
		cmocka_unit_test(unreliable_clone_fails_part_way),
		cmocka_unit_test(old_firmware_cannot_connect),
		cmocka_unit_test(nrst_ap_dp_and_v1_status),
		cmocka_unit_test(v3_frequencies),
		cmocka_unit_test(unknown_and_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
