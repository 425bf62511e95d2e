/*
 * Shutdown requests from the toolstack (`xl shutdown`, `xl reboot`), which arrive as a
 * write to control/shutdown in xenstore, and the hooks that run before the domain stops.
 */
#ifndef SKIFF_SHUTDOWN_H
#define SKIFF_SHUTDOWN_H

enum skiff_shutdown_kind { SKIFF_POWEROFF, SKIFF_REBOOT, SKIFF_HALT };

/*
 * Called (in the xenstore watch thread) when the toolstack asks the domain to stop.
 * The default stops it at once with the matching reason. An application that wants
 * to finish its work first sets its own handler and calls skiff_shutdown() when done.
 */
void skiff_set_shutdown_handler(void (*fn)(enum skiff_shutdown_kind kind, void *arg), void *arg);

/* Run the at-shutdown hooks (drivers disconnect), then stop the domain: it does not
 * return, but for a kind that is none of the above (-EINVAL, nothing done). */
int skiff_shutdown(enum skiff_shutdown_kind kind);

/* fn runs once before the domain stops (exit, skiff_shutdown), newest first. */
int skiff_at_shutdown(void (*fn)(void *arg), void *arg);

#endif
