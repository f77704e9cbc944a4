#include "vdrive_ns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

int ns_enter(char *msg, size_t msglen)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (uid == 0) {
		if (unshare(CLONE_NEWNS) != 0) {
			snprintf(msg, msglen, "cannot create a private mount namespace: %s", strerror(errno));
			return -1;
		}
	} else {
		/* Without root: a user namespace that maps us to ourselves, so
		 * files keep their owner and the command runs as the same user. */
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
			snprintf(msg, msglen,
				 "cannot create a user + mount namespace without root: %s (run as root, or allow unprivileged user namespaces: sysctl kernel.unprivileged_userns_clone=1 / kernel.apparmor_restrict_unprivileged_userns=0)",
				 strerror(errno));
			return -1;
		}
		char map[64];
		write_file("/proc/self/setgroups", "deny");
		snprintf(map, sizeof map, "%u %u 1\n", (unsigned)uid, (unsigned)uid);
		if (write_file("/proc/self/uid_map", map) != 0) {
			snprintf(msg, msglen, "cannot write uid_map: %s", strerror(errno));
			return -1;
		}
		snprintf(map, sizeof map, "%u %u 1\n", (unsigned)gid, (unsigned)gid);
		if (write_file("/proc/self/gid_map", map) != 0) {
			snprintf(msg, msglen, "cannot write gid_map: %s", strerror(errno));
			return -1;
		}
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
		snprintf(msg, msglen, "cannot make mounts private: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Put each entry of the old /dev (bind-mounted at old) into the new one:
 * directories and nodes are bind-mounted, symlinks copied. "disk" is left
 * out: that one is ours. */
static void copy_dev(const char *old, bool verbose)
{
	DIR *d = opendir(old);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		if (!strcmp(n, ".") || !strcmp(n, "..") || !strcmp(n, "disk"))
			continue;
		char src[800], dst[300];
		snprintf(src, sizeof src, "%s/%s", old, n);
		snprintf(dst, sizeof dst, "/dev/%s", n);
		struct stat st;
		if (lstat(src, &st) != 0)
			continue;
		int rc = 0;
		if (S_ISLNK(st.st_mode)) {
			char t[512];
			ssize_t k = readlink(src, t, sizeof t - 1);
			if (k > 0) {
				t[k] = 0;
				rc = symlink(t, dst);
			}
		} else if (S_ISDIR(st.st_mode)) {
			rc = mkdir(dst, st.st_mode & 07777);
			if (rc == 0)
				rc = mount(src, dst, NULL, MS_BIND | MS_REC, NULL);
		} else {
			int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			if (fd >= 0)
				close(fd);
			rc = fd < 0 ? -1 : mount(src, dst, NULL, MS_BIND, NULL);
		}
		if (rc != 0 && verbose)
			fprintf(stderr, "vdrive: /dev/%s not carried over: %s\n", n, strerror(errno));
	}
	closedir(d);
}

int ns_setup(const char *base, const char *user, bool verbose, char *msg, size_t msglen)
{
	struct stat st;
	if (stat(base, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(msg, msglen, "%s does not exist here; the virtual drive mounts over it (create it: mkdir %s)",
			 base, base);
		return -1;
	}
	if (mount("vdrive-media", base, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") != 0) {
		snprintf(msg, msglen, "cannot mount a tmpfs over %s: %s", base, strerror(errno));
		return -1;
	}
	char old[512];
	snprintf(old, sizeof old, "%s/.vdrive-olddev", base);
	if (mkdir(old, 0700) != 0 || mount("/dev", old, NULL, MS_BIND | MS_REC, NULL) != 0) {
		snprintf(msg, msglen, "cannot bind /dev: %s", strerror(errno));
		return -1;
	}
	if (mount("vdrive-dev", "/dev", "tmpfs", MS_NOSUID, "mode=0755,size=1m") != 0) {
		snprintf(msg, msglen, "cannot mount a tmpfs over /dev: %s", strerror(errno));
		return -1;
	}
	copy_dev(old, verbose);
	umount2(old, MNT_DETACH);
	rmdir(old);
	if (mkdir("/dev/disk", 0755) != 0 || mkdir("/dev/disk/by-id", 0755) != 0 ||
	    mkdir("/dev/disk/by-label", 0755) != 0) {
		snprintf(msg, msglen, "cannot create /dev/disk: %s", strerror(errno));
		return -1;
	}
	if (!user)
		return 0;
	char dir[512];
	snprintf(dir, sizeof dir, "%s/%s", base, user);
	if (mkdir(dir, 0755) != 0) {
		snprintf(msg, msglen, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}
