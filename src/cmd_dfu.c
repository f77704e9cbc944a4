/* flashkit dfu IN... -o OUT.dfu: build a DfuSe file (ST UM0391) from any
 * inputs flashkit reads, one target per alt setting, one element per
 * contiguous run of data, and the 0x011A suffix dfu-util needs to download it
 * without -s. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "dfu_suffix.h"
#include "err.h"
#include "fileio.h"
#include "formats.h"
#include "image.h"

static void help(FILE *f)
{
	fprintf(f,
		"usage: flashkit dfu IN... -o OUT.dfu [--vid V] [--pid P] [--device D]\n"
		"                 [--alt N] [--name NAME] [--address A]\n"
		"\n"
		"Write a DfuSe file (ST UM0391) with the DfuSe DFU suffix (bcdDFU 0x011A), as\n"
		"`dfu-util -d 0483:df11 -a 0 -D OUT.dfu` (no -s) downloads it: each element is\n"
		"written at its own address, on the alt setting of its target.\n"
		"\n"
		"Inputs: %s (detected from content, then extension). A raw .bin\n"
		"carries no address, so it needs --address; a .dfu input keeps its own alt\n"
		"settings and target names. Each contiguous run of data becomes one element;\n"
		"overlapping data within one alt setting is an error.\n"
		"\n"
		"  -o, --output OUT  the .dfu file to write (atomically; '-' = stdout)\n"
		"  --address A       where a raw .bin input starts (e.g. 0x08004000)\n"
		"  --alt N           the alt setting (DfuSe target) for the inputs, 0-255\n"
		"                    (default 0; on STM32 ROM bootloaders 0 is internal flash,\n"
		"                    1 option bytes)\n"
		"  --name NAME       target name for that alt setting (default: \"Internal\n"
		"                    Flash\" for alt 0, \"Option Bytes\" for 1, \"OTP Memory\" for\n"
		"                    2, \"Device Feature\" for 3, else \"ST...\")\n"
		"  --vid V           suffix idVendor, hex (default 0483, ST)\n"
		"  --pid P           suffix idProduct, hex (default df11, STM32 ROM DFU)\n"
		"  --device D        suffix bcdDevice, hex (default ffff = any release)\n"
		"\n"
		"--address, --alt and --name given once apply to every input, wherever they\n"
		"stand. Given several times, each applies to the inputs that follow it, so\n"
		"several alt settings and places go in one file:\n"
		"  flashkit dfu --address 0x08000000 boot.bin --address 0x08004000 app.bin -o all.dfu\n"
		"  flashkit dfu --alt 0 app.elf --alt 1 --name \"Option Bytes\" opt.bin --address 0x1fffc000 -o x.dfu\n"
		"  (in the second line --address is given once, so it places opt.bin)\n"
		"\n"
		"dfu-util 0.11 refuses a file whose suffix idVendor:idProduct does not match the\n"
		"device (\"File ID ... does not match device\"); ffff matches any.\n"
		"Exit: 0 ok, 64 usage, 65 bad input data, 66 input missing, 74 I/O error.\n",
		format_names());
}

/* A positional setting: its value and the argv index where it was given. */
struct setting {
	int pos;
	uint32_t val;
	const char *str;
};

struct settings {
	struct setting *v;
	int n;
};

static int push(struct settings *s, int pos, uint32_t val, const char *str)
{
	struct setting *p = realloc(s->v, (size_t)(s->n + 1) * sizeof *p);
	if (!p)
		return -1;
	s->v = p;
	s->v[s->n++] = (struct setting){ pos, val, str };
	return 0;
}

/* The setting in force at argv index pos: the only one if given once,
 * else the last one before pos; NULL if none applies. */
static const struct setting *at(const struct settings *s, int pos)
{
	if (s->n == 1)
		return &s->v[0];
	const struct setting *r = NULL;
	for (int i = 0; i < s->n && s->v[i].pos < pos; i++)
		r = &s->v[i];
	return r;
}

/* The input's format from its first bytes, to catch a .bin without an
 * address before reading it whole. */
static const struct format *peek_format(const char *path)
{
	uint8_t buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, buf, sizeof buf);
	close(fd);
	return n > 0 ? format_detect(buf, (size_t)n, path) : NULL;
}

/* The common case, one raw binary: map it instead of reading and copying
 * it, so a 64 MiB image costs one pass for the CRC and one write. The image
 * then holds a segment that points into the mapping (not malloc'd): the
 * caller must clear it before image_free. Returns 1 when not applicable. */
static int map_bin(struct image *img, const char *path, uint32_t addr, uint8_t alt,
		   void **map, size_t *maplen, struct fk_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		if (fd >= 0)
			close(fd);
		return 1; /* let image_load report it */
	}
	size_t len = (size_t)st.st_size;
	void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return 1;
	*map = p;
	*maplen = len;
	/* a plain suffix (dfu-suffix -a) is checked and left out, as image_load does */
	struct dfu_suffix s;
	switch (dfu_suffix_parse(p, len, &s)) {
	case SUFFIX_OK:
		len -= DFU_SUFFIX_LEN;
		break;
	case SUFFIX_BAD_CRC:
		return fk_fail(e, FK_EDATA,
			       "%s: DFU suffix CRC is 0x%08x, data gives 0x%08x (file damaged? re-create it with 'flashkit suffix add')",
			       path, s.crc, dfu_crc(p, len - 4));
	default:
		break;
	}
	if ((uint64_t)addr + len > FK_ADDR_LIMIT)
		return fk_fail(e, FK_EDATA,
			       "%s: data placed at 0x%08x runs past the 4 GiB address space (check --address)",
			       path, addr);
	img->seg = malloc(sizeof *img->seg);
	if (!img->seg)
		return fk_fail(e, FK_EINTERNAL, "out of memory");
	img->seg[0] = (struct segment){ .addr = addr, .len = len, .data = p, .cap = len, .alt = alt };
	img->nseg = img->cap = 1;
	return 0;
}

int cmd_dfu(int argc, char **argv)
{
	void *map = NULL;
	size_t maplen = 0;
	struct fk_err e = { 0 };
	struct settings addr = { 0 }, alt = { 0 }, name = { 0 };
	int *inputs = calloc((size_t)argc, sizeof *inputs);
	int ninputs = 0;
	const char *out = NULL;
	uint16_t vid = DFUSE_DEFAULT_VID, pid = DFUSE_DEFAULT_PID, dev = DFUSE_DEFAULT_DEVICE;
	struct image img;
	image_init(&img);

	if (!inputs) {
		fk_fail(&e, FK_EINTERNAL, "out of memory");
		goto done;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			help(stdout);
			goto done;
		}
		static const char *const opts[] = { "--output", "-o", "--address", "--alt",
						     "--name", "--vid", "--pid", "--device" };
		const char *val = NULL;
		int which = arg_value(argc, argv, &i, opts, 8, "dfu", &val, &e);
		if (which == -2)
			goto done;
		uint32_t v = 0;
		uint16_t id;
		switch (which) {
		case 0:
		case 1:
			out = val;
			continue;
		case 2:
			if (!parse_u32(val, &v)) {
				bad_value(&e, "dfu", "--address", val, "an address such as 0x08000000");
				goto done;
			}
			if (push(&addr, i, v, val))
				goto oom;
			continue;
		case 3:
			if (!parse_u32(val, &v) || v > 255) {
				bad_value(&e, "dfu", "--alt", val, "an alt setting 0-255");
				goto done;
			}
			if (push(&alt, i, v, val))
				goto oom;
			continue;
		case 4:
			if (strlen(val) > 254) {
				bad_value(&e, "dfu", "--name", val, "a name of at most 254 characters");
				goto done;
			}
			if (push(&name, i, 0, val))
				goto oom;
			continue;
		case 5:
		case 6:
		case 7:
			if (!dfu_parse_id(val, &id)) {
				bad_value(&e, "dfu", opts[which], val, "a 16-bit hex id such as 0483");
				goto done;
			}
			*(which == 5 ? &vid : which == 6 ? &pid : &dev) = id;
			continue;
		default:
			break;
		}
		if (a[0] == '-' && a[1]) {
			fk_fail(&e, FK_EUSAGE, "dfu: unknown option '%s' (see 'flashkit dfu --help')", a);
			goto done;
		}
		inputs[ninputs++] = i;
	}
	if (ninputs == 0) {
		fk_fail(&e, FK_EUSAGE, "dfu: no input files (see 'flashkit dfu --help')");
		goto done;
	}
	if (!out) {
		fk_fail(&e, FK_EUSAGE, "dfu: no output file: give -o OUT.dfu");
		goto done;
	}

	for (int k = 0; k < ninputs; k++) {
		const char *path = argv[inputs[k]];
		const struct setting *ad = at(&addr, inputs[k]);
		const struct setting *al = at(&alt, inputs[k]);
		const struct format *f = peek_format(path);
		if (f == &fmt_bin && !ad) {
			fk_fail(&e, FK_EUSAGE,
				"dfu: %s: a raw binary carries no address: give --address (e.g. --address 0x08000000) before it",
				path);
			goto done;
		}
		if (ninputs == 1 && f == &fmt_bin) {
			int rc = map_bin(&img, path, ad->val, al ? (uint8_t)al->val : 0, &map,
					 &maplen, &e);
			if (rc == 0)
				continue;
			if (rc != 1)
				goto done;
		}
		struct read_opts ro = { .name = path, .has_address = ad != NULL,
					.address = ad ? ad->val : 0, .warn = warn_stderr };
		struct image in;
		image_init(&in);
		if (image_load(&in, path, NULL, &ro, &e)) {
			image_free(&in);
			goto done;
		}
		bool keep_alt = f == &fmt_dfuse;
		uint8_t a = al ? (uint8_t)al->val : 0;
		int rc = 0;
		/* Hand the segments over instead of copying them. */
		for (size_t i = 0; i < in.nseg && !rc; i++) {
			rc = image_add_owned(&img, in.seg[i].addr, in.seg[i].data, in.seg[i].len,
					     keep_alt ? in.seg[i].alt : a, path, &e);
			in.seg[i].data = NULL;
		}
		for (size_t i = 0; i < in.ntargets && !rc && keep_alt; i++)
			if (!image_target_name(&img, in.targets[i].alt) &&
			    image_set_target_name(&img, in.targets[i].alt, in.targets[i].name))
				rc = fk_fail(&e, FK_EINTERNAL, "out of memory");
		image_free(&in);
		if (rc)
			goto done;
	}
	for (int k = 0; k < name.n; k++) {
		const struct setting *al = at(&alt, name.v[k].pos);
		uint8_t a = al ? (uint8_t)al->val : 0;
		bool used = false;
		for (size_t i = 0; i < img.nseg && !used; i++)
			used = img.seg[i].alt == a;
		if (!used) {
			fk_fail(&e, FK_EUSAGE,
				"dfu: --name '%s' is for alt %u, but no input goes to alt %u (give --alt before --name and its inputs)",
				name.v[k].str, a, a);
			goto done;
		}
		if (image_set_target_name(&img, a, name.v[k].str))
			goto oom;
	}

	struct write_opts wo = { .vid = vid, .pid = pid, .bcd_device = dev };
	struct outfile o;
	if (outfile_open(&o, out, &e))
		goto done;
	if (fmt_dfuse.write(&img, o.fp, &wo, &e)) {
		outfile_abort(&o);
		goto done;
	}
	outfile_commit(&o, &e);
	goto done;
oom:
	fk_fail(&e, FK_EINTERNAL, "out of memory");
done:
	if (map) {
		if (img.nseg == 1 && (void *)img.seg[0].data == map)
			img.seg[0].data = NULL; /* not malloc'd */
		munmap(map, maplen);
	}
	image_free(&img);
	free(inputs);
	free(addr.v);
	free(alt.v);
	free(name.v);
	return e.code ? fk_report(&e) : 0;
}
