/* --run SPEC: the board data a front end needs to run an image, as
 * makefiles/virtual.mk writes it from the board file (see verdict.h). */
#include "verdict.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int number(const char *v, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 0);
	if (errno || end == v)
		return -1;
	if (*end == 'K' || *end == 'k')
		n *= 1024, end++;
	else if (*end == 'M' || *end == 'm')
		n *= 1024 * 1024, end++;
	if (*end || n > 0xFFFFFFFFull)
		return -1;
	*out = (uint32_t)n;
	return 0;
}

static int range(const char *v, uint32_t *base, uint32_t *size)
{
	char tmp[64];
	const char *colon = strchr(v, ':');
	if (!colon || (size_t)(colon - v) >= sizeof tmp)
		return -1;
	memcpy(tmp, v, (size_t)(colon - v));
	tmp[colon - v] = 0;
	return number(tmp, base) == 0 && number(colon + 1, size) == 0 ? 0 : -1;
}

/* "A5" -> port 0, pin 5; "-" or "" -> none. */
static int pin(const char *v, int *port, int *p)
{
	if (!*v || !strcmp(v, "-")) {
		*port = *p = -1;
		return 0;
	}
	char l = v[0] >= 'a' && v[0] <= 'k' ? (char)(v[0] - 32) : v[0];
	char *end;
	long n = strtol(v + 1, &end, 10);
	if (l < 'A' || l > 'K' || end == v + 1 || n < 0 || n > 15)
		return -1;
	*port = l - 'A';
	*p = (int)n;
	return (*end == 0 || *end == ':') ? 0 : -1;
}

/* The families by BOARD_FAMILY name ("stm32f4", or "f4"). Kept here rather
 * than calling the core's parser, so the spec is testable on its own. */
static int family(const char *v, enum mcu_family *f)
{
	static const struct {
		const char *name;
		enum mcu_family fam;
	} t[] = { { "f2", MCU_F2 }, { "f4", MCU_F4 }, { "f7", MCU_F7 }, { "l4", MCU_L4 },
		  { "g0", MCU_G0 }, { "c0", MCU_C0 }, { "h7", MCU_H7 } };
	if (!strncmp(v, "stm32", 5))
		v += 5;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (!strcmp(v, t[i].name)) {
			*f = t[i].fam;
			return 0;
		}
	return -1;
}

int vboard_spec_parse(struct vboard_spec *s, const char *text, char *msg, size_t msglen)
{
	memset(s, 0, sizeof *s);
	snprintf(s->family, sizeof s->family, "stm32f4");
	s->fam = MCU_F4;
	s->flash_base = s->app = 0x08000000;
	s->flash_size = 512 * 1024;
	s->ram_base = 0x20000000;
	s->ram_size = 96 * 1024;
	s->hz = 16000000;
	s->led_port = s->led_pin = s->tx_port = s->tx_pin = s->tx_af = -1;
	s->ms = 300;
	bool app_set = false;

	char *copy = strdup(text ? text : ""), *save = NULL;
	if (!copy) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	int rc = 0;
	for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq) {
			snprintf(msg, msglen, "--run: '%s' is not KEY=VALUE", kv);
			rc = -1;
			break;
		}
		*eq = 0;
		const char *k = kv, *v = eq + 1;
		uint32_t n;
		int bad = 0;
		if (!strcmp(k, "board"))
			snprintf(s->board, sizeof s->board, "%s", v);
		else if (!strcmp(k, "family")) {
			snprintf(s->family, sizeof s->family, "%s", v);
			bad = family(v, &s->fam);
		} else if (!strcmp(k, "dev"))
			bad = number(v, &s->dev_id);
		else if (!strcmp(k, "flash"))
			bad = range(v, &s->flash_base, &s->flash_size);
		else if (!strcmp(k, "ram"))
			bad = range(v, &s->ram_base, &s->ram_size);
		else if (!strcmp(k, "app"))
			bad = number(v, &s->app), app_set = true;
		else if (!strcmp(k, "bootloader"))
			bad = number(v, &s->bootloader);
		else if (!strcmp(k, "hz"))
			bad = number(v, &s->hz) || s->hz == 0;
		else if (!strcmp(k, "led"))
			bad = pin(v, &s->led_port, &s->led_pin);
		else if (!strcmp(k, "usart"))
			bad = number(v, &n) || (n != 0 && (n < 2 || n > 5)), s->usart = n;
		else if (!strcmp(k, "tx")) {
			bad = pin(v, &s->tx_port, &s->tx_pin);
			const char *c = strchr(v, ':');
			if (!bad && c)
				bad = number(c + 1, &n) || n > 15, s->tx_af = (int)n;
		} else if (!strcmp(k, "ms"))
			bad = number(v, &n), s->ms = n;
		else if (!strcmp(k, "result"))
			snprintf(s->result, sizeof s->result, "%s", v);
		else if (!strcmp(k, "console"))
			snprintf(s->console, sizeof s->console, "%s", v);
		else if (!strcmp(k, "log"))
			snprintf(s->log, sizeof s->log, "%s", v);
		else {
			snprintf(msg, msglen, "--run: unknown key '%s' (board, family, dev, flash, ram, app, "
					      "bootloader, hz, led, usart, tx, ms, result, console, log)", k);
			rc = -1;
			break;
		}
		if (bad) {
			snprintf(msg, msglen, "--run: bad value for %s: '%s'", k, v);
			rc = -1;
			break;
		}
	}
	free(copy);
	if (rc == 0 && !app_set)
		s->app = s->flash_base + s->bootloader;
	if (rc == 0 && !s->board[0])
		snprintf(s->board, sizeof s->board, "%s", s->family);
	return rc;
}
