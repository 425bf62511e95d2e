/* Between lib/boot.c and lib/control.c. */
#ifndef LIB_CONTROL_H
#define LIB_CONTROL_H

/* Advertise the control features and watch control/shutdown (needs xenstore). */
int control_init(void);
/* Run the at-shutdown hooks, newest first. */
void control_run_hooks(void);

#endif
