/* The same as <poll.h>, by the other name programs use. */
#include <poll.h>
