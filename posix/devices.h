/* The nodes of /dev (posix/devices.c). Internal to posix/. */
#ifndef POSIX_DEVICES_H
#define POSIX_DEVICES_H

struct node;

/* Fill the directory dev; *console is the console's node (for fds 0, 1, 2). */
int devices_init(struct node *dev, struct node **console);

#endif
