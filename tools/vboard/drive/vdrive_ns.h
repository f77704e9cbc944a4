/* The private world a virtual ST-LINK drive lives in: a mount namespace of
 * its own (as root, or through a user namespace without root), a tmpfs over
 * /media for the drives' mount points, and a /dev rebuilt on a tmpfs so
 * that /dev/disk/by-id and /dev/disk/by-label can hold the drives' links
 * without touching the host's /dev. */
#ifndef VDRIVE_NS_H
#define VDRIVE_NS_H

#include <stdbool.h>
#include <stddef.h>

/* Enter a new mount namespace with every mount private, so nothing done
 * afterwards reaches the host. Returns 0, or -1 with msg filled. */
int ns_enter(char *msg, size_t msglen);

/* tmpfs over base (/media), base/USER (unless user is NULL), and /dev
 * rebuilt with an empty /dev/disk/{by-id,by-label}. */
int ns_setup(const char *base, const char *user, bool verbose, char *msg, size_t msglen);

#endif
