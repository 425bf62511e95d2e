# Lua 5.4, unmodified: Debian's lua5.4 source (tools/install-deps.sh lua), its own
# standalone interpreter (lua.c) as the app's main, over newlib and the POSIX layer.
# Lua's ISO C configuration: none of its LUA_USE_* options (LUA_USE_POSIX would want
# popen, LUA_USE_DLOPEN dlopen, which a unikernel does not have), so io.popen and C
# modules say they are not supported, and os.tmpname uses tmpnam.
APP_LIBC := newlib
APP_FETCH := lua
APP_EXTRA_DIR := $(BUILD)/deps/lua/src-tree/src
APP_EXTRA_FILES := lapi.c lcode.c lctype.c ldebug.c ldo.c ldump.c lfunc.c lgc.c llex.c \
	lmem.c lobject.c lopcodes.c lparser.c lstate.c lstring.c ltable.c ltm.c lundump.c \
	lvm.c lzio.c lauxlib.c lbaselib.c lcorolib.c ldblib.c liolib.c lmathlib.c loadlib.c \
	loslib.c lstrlib.c ltablib.c lutf8lib.c linit.c lua.c
# Lua's code is Lua's: its warnings are not this project's to fix.
APP_EXTRA_CFLAGS := -w -I apps/lua/include
