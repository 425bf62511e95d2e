# The examples are held to the library's standard: a warning fails the build.
APP_CFLAGS += -Werror
