# Skiff: a library operating system for Xen guests.
#
#   make [APP=hello]   build build/$(APP)/$(APP), an ELF image Xen boots as a PV domain
#                      (apps/$(APP)/app.mk may add APP_LWIP := 1: lwIP, see net/README.md)
#   make APP_DIR=/path/to/folder [APP=name]
#                      build an app that lives outside this tree: the folder's .c files
#                      and its optional app.mk; the name is the folder's unless APP= says
#   make run           build and boot it (xl on a Xen dom0, else the emulated test host)
#   make test          make check, unit tests on the host, then every Xen-booted test
#   make check         the layers hold: no include or call points up (tools/check-layers.sh)
#   make unit          host unit tests only
#   make xen-test      Xen-booted tests only (one test-host boot for the whole batch)
#   make bench         Skiff against a Linux PV guest on the same host: ratios
#   make format        clang-format every C file
#   V=1                show every command as it runs
#
# Everything is built into build/; the Xen public headers come from Debian's
# libxen-dev (/usr/include/xen) through a symlink, so no other host header leaks in.

ARCH := x86_64
.DEFAULT_GOAL := all
BUILD := build
XEN_INCLUDE ?= /usr/include/xen

# Quiet by default: one short line per step. V=1 prints every command instead.
ifeq ($(V),)
Q := @
say = @echo "  $1"
else
Q :=
say = @:
endif

# The goals that build no image need no app, and those that compile nothing no Xen headers
# (`make test` and `make deps` install them first).
NO_COMPILE_GOALS := clean deps format test unit xen-test bench run
NO_APP_GOALS := $(NO_COMPILE_GOALS) check $(BUILD)/xen-include/xen
GOALS := $(or $(MAKECMDGOALS),all)

# The app: apps/$(APP)/ in this tree, or the folder APP_DIR names (named after it unless
# APP= is given): its .c files and an optional app.mk. A relative APP_DIR is relative to
# this tree (make -C changes into it), so give $PWD.
ifneq ($(APP_DIR),)
app_dir := $(abspath $(APP_DIR))
APP ?= $(notdir $(app_dir))
# Objects under the folder's own path: the .d files of another folder of the same name
# (moved or deleted since) must not become this app's prerequisites.
APP_OBJ_DIR := $(BUILD)/obj/app-dir$(app_dir)
else
APP ?= hello
app_dir := apps/$(APP)
APP_OBJ_DIR := $(BUILD)/obj/apps/$(APP)
endif
# APP names files under build/ and the app.mk included below, so it must be a plain name:
# letters, digits, - and _ (APP=../../x once wrote an image outside the tree). Each allowed
# character is taken out in turn; anything left over is not allowed.
app_name_chars := a b c d e f g h i j k l m n o p q r s t u v w x y z \
	A B C D E F G H I J K L M N O P Q R S T U V W X Y Z 0 1 2 3 4 5 6 7 8 9 - _
app_name_rest := $(APP)
$(foreach c,$(app_name_chars),$(eval app_name_rest := $$(subst $c,,$$(app_name_rest))))
ifneq ($(app_name_rest)$(filter-out 1,$(words $(APP))),)
$(error APP="$(APP)" is not an app name: letters, digits, - and _ only$(if $(APP_DIR), (from APP_DIR; give APP=name)))
endif
ifneq ($(words $(app_dir)),1)
$(error APP_DIR="$(APP_DIR)": make cannot build from a path with spaces)
endif
APP_SRCS := $(sort $(wildcard $(app_dir)/*.c))
ifneq ($(filter-out $(NO_APP_GOALS),$(GOALS)),)
ifeq ($(APP_SRCS)$(wildcard $(app_dir)/app.mk),)
ifneq ($(APP_DIR),)
$(error APP_DIR=$(APP_DIR) has no .c files: there is no app to build there)
else
$(error there is no app "$(APP)": apps/$(APP)/ has no .c files (apps: $(notdir $(patsubst %/,%,$(wildcard apps/*/)))))
endif
endif
endif

# Checked on every run, not only when the link to them is first made: a wrong XEN_INCLUDE
# must not build silently against the headers an earlier run linked.
ifneq ($(filter-out $(NO_COMPILE_GOALS),$(GOALS)),)
ifeq ($(wildcard $(XEN_INCLUDE)/xen.h),)
$(error XEN_INCLUDE=$(XEN_INCLUDE) holds no xen.h: install libxen-dev (tools/install-deps.sh build) or point XEN_INCLUDE at Xen's public headers)
endif
endif

CC := gcc
LD := ld
NM := nm
OBJCOPY := objcopy

# The library is built without SSE/x87 code: event upcalls interrupt any code and do not save
# vector registers, so the code they run must never touch them. Applications may use them.
# No red zone: Xen writes exception and event frames right below the interrupted %rsp.
# -ffile-prefix-map: the objects name this tree as ".", not by where it is checked out, so
# two checkouts build the same image byte for byte (tests/build/test-make.sh).
CC_INCLUDE := $(shell $(CC) -print-file-name=include)
# Skiff's own headers: its small C library (<stdio.h>...) and its API (<skiff/...>).
SKIFF_INCLUDES := -isystem $(CC_INCLUDE) -I include
CODE_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -nostdinc \
	-I arch/$(ARCH) -iquote . -I $(BUILD)/xen-include \
	-D__XEN_INTERFACE_VERSION__=0x00040600 \
	-fno-pic -fno-pie -fno-stack-protector -fno-omit-frame-pointer -fno-optimize-sibling-calls \
	-fno-asynchronous-unwind-tables -fno-strict-aliasing \
	-mno-red-zone -fno-tree-loop-distribute-patterns -MMD -MP \
	-ffunction-sections -fdata-sections -ffile-prefix-map=$(CURDIR)=.
COMMON_CFLAGS := $(CODE_CFLAGS) $(SKIFF_INCLUDES) -ffreestanding -fno-builtin-printf
# A warning in the library fails its build. An app's warnings are the app's to judge: its
# app.mk may say APP_CFLAGS += -Werror (every app in apps/ does).
LIB_CFLAGS := $(COMMON_CFLAGS) -Werror -mgeneral-regs-only
APP_CFLAGS := $(COMMON_CFLAGS)
ASFLAGS := -D__ASSEMBLY__ -I include -I arch/$(ARCH) -iquote . -I $(BUILD)/xen-include -MMD -MP \
	-ffile-prefix-map=$(CURDIR)=.
# Each function and object has a section of its own (-ffunction-sections -fdata-sections
# above), so --gc-sections drops whatever the entry point, the ELF notes and the start-up
# table (KEEP in skiff.lds) do not reach: the core is linked whole, its unused calls need not
# ship in every image.
LDFLAGS := -nostdlib -static -no-pie -z max-page-size=4096 -z noexecstack \
	--no-warn-rwx-segments --gc-sections -T arch/$(ARCH)/skiff.lds

# The layers, bottom up (README.md, "Layout"; `make check` holds them to it).
# The library (libc, arch, xen, kernel, xenbus, drivers; net and lwIP for the apps that ask)
# becomes one object (below); --gc-sections keeps of it what the entry point reaches.
# Sorted: the link order, and so the image, must not depend on the order of a directory.
LIB_SRCS := $(sort $(wildcard libc/*.c arch/$(ARCH)/*.c arch/$(ARCH)/*.S xen/*.c kernel/*.c xenbus/*.c))
LIB_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(basename $(LIB_SRCS)))
DRV_SRCS := $(sort $(wildcard drivers/*.c))
DRV_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(basename $(DRV_SRCS)))
APP_OBJS := $(patsubst $(app_dir)/%.c,$(APP_OBJ_DIR)/%.o,$(APP_SRCS))
APP_MK := $(wildcard $(app_dir)/app.mk)
IMAGE := $(BUILD)/$(APP)/$(APP)
# What an app asks for in its app.mk (APP_LWIP := 1: the network, below; APP_CFLAGS += ...).
ifneq ($(APP_MK),)
include $(APP_MK)
endif

# Sources from elsewhere that an app.mk names: a program fetched into build/deps by
# tools/install-deps.sh $(APP_FETCH) (apps/lua: Lua's), the files APP_EXTRA_FILES of
# the folder APP_EXTRA_DIR, built unmodified with APP_CFLAGS and APP_EXTRA_CFLAGS.
# install-deps leaves build/deps/$(APP_FETCH)/.done when the fetch is complete; an
# app.mk whose files install-deps makes after that names their own stamp as
# APP_FETCH_STAMP (apps/sqlite: the amalgamation made from SQLite's source). The app's
# own code may include the fetched headers, so all of its objects wait for the fetch.
APP_EXTRA_OBJS := $(patsubst %.c,$(APP_OBJ_DIR)/extra/%.o,$(APP_EXTRA_FILES))
APP_OBJS += $(APP_EXTRA_OBJS)
ifneq ($(APP_FETCH),)
APP_FETCH_STAMP ?= $(BUILD)/deps/$(APP_FETCH)/.done
$(APP_FETCH_STAMP):
	tools/install-deps.sh $(APP_FETCH)
$(patsubst %,$(APP_EXTRA_DIR)/%,$(APP_EXTRA_FILES)): | $(APP_FETCH_STAMP) ;
$(APP_OBJS): | $(APP_FETCH_STAMP)
endif
$(APP_OBJ_DIR)/extra/%.o: $(APP_EXTRA_DIR)/%.c Makefile $(APP_MK) $(APP_STAMP) $(XEN_STAMP)
	$(Q)mkdir -p $(dir $@)
	$(call say,CC      $(notdir $<))
	$(Q)$(CC) $(APP_CFLAGS) $(APP_EXTRA_CFLAGS) -c $< -o $@

# An app's rootfs/ folder becomes the xl ramdisk= module beside its image: a newc cpio
# archive (posix/rootfs.c reads it as the file tree under /), owned by root, made the
# same way each time (--reproducible: no inode numbers of this machine's).
ROOTFS_DIR := $(wildcard $(app_dir)/rootfs)
ifneq ($(ROOTFS_DIR),)
ROOTFS := $(BUILD)/$(APP)/$(APP).cpio
all: $(ROOTFS)
$(ROOTFS): $(shell find $(ROOTFS_DIR)) $(APP_STAMP)
	$(Q)mkdir -p $(dir $@)
	$(call say,CPIO    $@)
	$(Q)(cd $(ROOTFS_DIR) && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible) >$@.tmp
	$(Q)mv $@.tmp $@
endif

.PHONY: all run test unit fuzz fuzz-merge xen-test bench format deps clean check
all: $(IMAGE)

# A stamp is remade, and what depends on it rebuilt, when a setting differs from the last
# build's (make compares times, not what a path points to).
# The Xen headers: build/xen-include/xen links to XEN_INCLUDE, so the link says which
# headers the last build used.
XEN_STAMP := $(BUILD)/xen-include/stamp
ifneq ($(shell readlink $(BUILD)/xen-include/xen),$(abspath $(XEN_INCLUDE)))
.PHONY: $(XEN_STAMP)
endif
$(XEN_STAMP):
	$(Q)test -f $(XEN_INCLUDE)/xen.h || { echo "XEN_INCLUDE=$(XEN_INCLUDE) holds no xen.h" >&2; exit 1; }
	$(Q)mkdir -p $(dir $@) && ln -sfn $(abspath $(XEN_INCLUDE)) $(BUILD)/xen-include/xen
	$(Q)touch $@
$(BUILD)/xen-include/xen: $(XEN_STAMP) ;
# The folder the app was built from: two apps of one name share build/$(APP)/.
APP_STAMP := $(BUILD)/$(APP)/from
ifneq ($(file <$(APP_STAMP)),$(abspath $(app_dir)))
.PHONY: $(APP_STAMP)
endif
$(APP_STAMP):
	$(Q)mkdir -p $(dir $@) && echo '$(abspath $(app_dir))' >$@

# Every object depends on the Makefile (its flags) and the Xen headers it was built
# against; an app's objects also on its app.mk and the folder they came from.
$(APP_OBJ_DIR)/%.o: $(app_dir)/%.c Makefile $(APP_MK) $(APP_STAMP) $(XEN_STAMP)
	$(Q)mkdir -p $(dir $@)
	$(call say,CC      $<)
	$(Q)$(CC) $(APP_CFLAGS) -c $< -o $@
$(BUILD)/obj/%.o: %.c Makefile $(XEN_STAMP)
	$(Q)mkdir -p $(dir $@)
	$(call say,CC      $<)
	$(Q)$(CC) $(LIB_CFLAGS) -c $< -o $@
$(BUILD)/obj/%.o: %.S Makefile $(XEN_STAMP)
	$(Q)mkdir -p $(dir $@)
	$(call say,AS      $<)
	$(Q)$(CC) $(ASFLAGS) -c $< -o $@

# lwIP (net/README.md), only for apps that ask: Debian's lwIP 2.1.3 source, fetched
# into build/deps on first use, built with the library's flags.
ifeq ($(APP_LWIP),1)
LWIP_STAMP := $(BUILD)/deps/lwip/.done
LWIP_SRC := $(BUILD)/deps/lwip/src-tree/src
LWIP_INCLUDE := -I net -I $(LWIP_SRC)/include
# IPv4 core (IPv6 is off), the netconn and socket APIs, Ethernet and lwiperf. Files for
# features lwipopts.h turns off compile to nothing; an image keeps only what it calls.
LWIP_FILES := $(addprefix core/,init def dns inet_chksum ip mem memp netif pbuf raw stats sys \
		altcp altcp_alloc altcp_tcp tcp tcp_in tcp_out timeouts udp) \
	$(addprefix core/ipv4/,autoip dhcp etharp icmp igmp ip4_frag ip4 ip4_addr) \
	$(addprefix api/,api_lib api_msg err if_api netbuf netdb netifapi sockets tcpip) \
	netif/ethernet apps/lwiperf/lwiperf
# An app on newlib has the glue's <netdb.h> (posix/newlib/netdb.c), not lwIP's.
ifeq ($(APP_LIBC),newlib)
LWIP_FILES := $(filter-out api/netdb,$(LWIP_FILES))
endif
LWIP_OBJS := $(patsubst %,$(BUILD)/obj/lwip/%.o,$(LWIP_FILES))
LWIP_PORT_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(basename $(wildcard net/*.c)))
# lwIP 2.1.3 builds clean with every warning of the library, so none is relaxed: add a
# -Wno-... here rather than drop -Werror if another release needs one.
LWIP_CFLAGS := $(LIB_CFLAGS) $(LWIP_INCLUDE)
# An app on newlib reaches the network through <sys/socket.h> only (posix/socket.c).
ifneq ($(APP_LIBC),newlib)
APP_CFLAGS += $(LWIP_INCLUDE)
endif

$(LWIP_STAMP):
	tools/install-deps.sh lwip
# The sources appear when the stamp is made (named one by one: a pattern rule would
# claim every .c file, and make would try to build the .d files from them).
$(patsubst %,$(LWIP_SRC)/%.c,$(LWIP_FILES)): | $(LWIP_STAMP) ;
$(BUILD)/obj/lwip/%.o: $(LWIP_SRC)/%.c Makefile $(XEN_STAMP)
	$(Q)mkdir -p $(dir $@)
	$(call say,CC      lwip/$*.c)
	$(Q)$(CC) $(LWIP_CFLAGS) -c $< -o $@
$(LWIP_PORT_OBJS): LIB_CFLAGS += $(LWIP_INCLUDE)
$(LWIP_PORT_OBJS) $(APP_OBJS): | $(LWIP_STAMP)
endif

# newlib and the POSIX layer (posix/README.md), only for apps that ask (APP_LIBC :=
# newlib in app.mk): Debian's newlib 3.3.0 source, fetched into build/deps on first use
# and built once (tools/build-newlib.sh) with the flags below; posix/ and its newlib
# glue join the library. An app built on newlib sees newlib's headers, then Skiff's API
# (<skiff/...>) after them, so that <stdio.h> is newlib's; it is compiled hosted (the
# compiler may use what it knows of memcpy and printf) and keeps the library's ABI
# rules (no red zone, no PIC).
ifeq ($(APP_LIBC),newlib)
NEWLIB_DIR := $(BUILD)/deps/newlib
NEWLIB_INST := $(NEWLIB_DIR)/install/x86_64-elf
NEWLIB_LIBS := $(NEWLIB_INST)/lib/libc.a $(NEWLIB_INST)/lib/libm.a
# What newlib's headers are told of this target, for newlib and everything built on it
# (a target of newlib's own would say it in its sys/config.h): _REENT is each thread's
# (__getreent()); read() and write() return ssize_t, as POSIX has it; clock_gettime()
# and CLOCK_MONOTONIC are there.
NEWLIB_TARGET := -D__DYNAMIC_REENT__ -D_READ_WRITE_RETURN_TYPE=_ssize_t \
	-D_POSIX_TIMERS=200809L -D_POSIX_MONOTONIC_CLOCK=200112L
NEWLIB_CFLAGS := -O2 -g -mno-red-zone -fno-pic -fno-pie -fno-stack-protector \
	-fno-omit-frame-pointer -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
	-DMALLOC_PROVIDED -DREENTRANT_SYSCALLS_PROVIDED $(NEWLIB_TARGET)
# The POSIX options of posix/newlib/pthread.c, for the glue and the apps only: newlib's
# headers declare the pthread calls, sched_yield() and the mutex types, rwlocks and timed
# locks only when they are defined (a target of newlib's would say so in its
# sys/features.h), and the app must see what it may call. They stay out of newlib's own
# build (NEWLIB_TARGET), which does not need them: with _POSIX_THREADS its stdio would
# call pthread_setcancelstate() around each lock, and there is no cancellation here.
# Where they change a type newlib's objects also use, nothing of newlib's uses it (the
# sigevent of timer_create(), which newlib does not have); sigsetjmp() asks for
# pthread_sigmask() instead of sigprocmask(), and neither is here, before or after.
NEWLIB_PTHREADS := -D_POSIX_THREADS=200809L -D_POSIX_THREAD_ATTR_STACKSIZE=200809L \
	-D_POSIX_READER_WRITER_LOCKS=200809L -D_POSIX_TIMEOUTS=200809L \
	-D_UNIX98_THREAD_MUTEX_ATTRIBUTES
# select()'s fd_set holds every fd of the table (SYS_OPEN_MAX), not newlib's 64.
NEWLIB_POSIX := -DFD_SETSIZE=256
NEWLIB_INCLUDES := -isystem posix/newlib/include -isystem $(NEWLIB_INST)/include \
	-isystem $(CC_INCLUDE) -idirafter include $(NEWLIB_TARGET) $(NEWLIB_PTHREADS) \
	$(NEWLIB_POSIX)
# What app.mk added after COMMON_CFLAGS stays, word for word (a filter would also drop
# an "-I" of its "-I dir", a word COMMON_CFLAGS has too).
APP_CFLAGS := $(CODE_CFLAGS) $(NEWLIB_INCLUDES) \
	$(wordlist $(words x $(COMMON_CFLAGS)),$(words $(APP_CFLAGS)),$(APP_CFLAGS))
# Sockets (posix/socket.c and the glue's socket.c, netdb.c) only with lwIP: without it
# a program that calls socket() does not link.
POSIX_NET_SRCS := posix/socket.c
GLUE_NET_SRCS := posix/newlib/socket.c posix/newlib/netdb.c
POSIX_SRCS := $(filter-out $(if $(filter 1,$(APP_LWIP)),,$(POSIX_NET_SRCS)),$(wildcard posix/*.c))
GLUE_SRCS := $(filter-out posix/newlib/start.c $(if $(filter 1,$(APP_LWIP)),,$(GLUE_NET_SRCS)),$(wildcard posix/newlib/*.c))
POSIX_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(basename $(POSIX_SRCS)))
GLUE_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(basename $(GLUE_SRCS)))
ifeq ($(APP_LWIP),1)
$(BUILD)/obj/posix/socket.o: LIB_CFLAGS += $(LWIP_INCLUDE)
$(BUILD)/obj/posix/socket.o: | $(LWIP_STAMP)
endif
# The start is linked beside the app (posix/newlib/start.c says why), named for it.
NEWLIB_START := $(BUILD)/$(APP)/newlib_start.o
LIBGCC := $(shell $(CC) -print-libgcc-file-name)

# Run every time: the script returns at once when newlib is built with these flags.
.PHONY: newlib-ready
newlib-ready:
	$(Q)tools/install-deps.sh newlib
	$(Q)tools/build-newlib.sh $(NEWLIB_DIR) $(NEWLIB_CFLAGS)
$(NEWLIB_LIBS): newlib-ready ;
$(GLUE_OBJS): $(BUILD)/obj/%.o: %.c Makefile $(XEN_STAMP) | newlib-ready
	$(Q)mkdir -p $(dir $@)
	$(call say,CC      $<)
	$(Q)$(CC) $(CODE_CFLAGS) $(NEWLIB_INCLUDES) -Werror -mgeneral-regs-only -c $< -o $@
$(NEWLIB_START): posix/newlib/start.c Makefile $(APP_STAMP) $(XEN_STAMP) | newlib-ready
	$(Q)mkdir -p $(dir $@)
	$(call say,CC      $<)
	$(Q)$(CC) $(CODE_CFLAGS) $(NEWLIB_INCLUDES) -Werror -DSKIFF_APP_NAME='"$(APP)"' -c $< -o $@
$(APP_OBJS): | newlib-ready
endif

# The library an app links with: one relocatable object (ld -r) in which only the public
# names are global (tools/hide-syms.sh), so an app reaches nothing include/ does not
# declare and may name its own functions as it likes (printk, xs_read). The public names
# are read from include/'s headers by the compiler (tools/public-syms.sh), so the list
# cannot drift from the headers. An lwIP app also sees lwIP: every global of lwIP's own
# objects, and of net/sys_arch.c, the port's half of lwIP's sys.h and arch/cc.h that
# lwIP's macros call from the app's code (LOCK_TCPIP_CORE, LWIP_ASSERT, errno).
$(BUILD)/public.syms: $(shell find include -name '*.h') tools/public-syms.sh Makefile $(XEN_STAMP)
	$(call say,GEN     $@)
	$(Q)tools/public-syms.sh $(CC) $(filter-out -MMD -MP,$(LIB_CFLAGS)) >$@
# A newlib app sees none of Skiff's C library but its allocator (newlib has none of
# its own: posix/newlib/malloc.c), and the glue newlib's code calls.
$(BUILD)/public-skiff.syms: $(shell find include -name '*.h') tools/public-syms.sh Makefile $(XEN_STAMP)
	$(call say,GEN     $@)
	$(Q)tools/public-syms.sh --only skiff $(CC) $(filter-out -MMD -MP,$(LIB_CFLAGS)) >$@
LIBSKIFF_VARIANT := $(if $(filter 1,$(APP_LWIP)),-lwip)$(if $(filter newlib,$(APP_LIBC)),-newlib)
LIBSKIFF := $(BUILD)/libskiff$(LIBSKIFF_VARIANT).o
LIBSKIFF_PUBLIC := $(BUILD)/public$(LIBSKIFF_VARIANT).syms
LIBSKIFF_OBJS := $(LIB_OBJS) $(DRV_OBJS)
PUBLIC_BASE := $(BUILD)/public.syms
EXTRA_PUBLIC_OBJS :=
ifeq ($(APP_LWIP),1)
LIBSKIFF_OBJS += $(LWIP_PORT_OBJS) $(LWIP_OBJS)
# An app on newlib sees sockets, not lwIP: its own names cannot meet lwIP's.
ifneq ($(APP_LIBC),newlib)
EXTRA_PUBLIC_OBJS += $(LWIP_OBJS) $(BUILD)/obj/net/sys_arch.o
endif
endif
ifeq ($(APP_LIBC),newlib)
LIBSKIFF_OBJS += $(POSIX_OBJS) $(GLUE_OBJS)
PUBLIC_BASE := $(BUILD)/public-skiff.syms
EXTRA_PUBLIC_OBJS += $(GLUE_OBJS)
EXTRA_PUBLIC_NAMES := malloc free calloc realloc aligned_alloc sys_set_start
endif
ifneq ($(LIBSKIFF_VARIANT),)
$(LIBSKIFF_PUBLIC): $(PUBLIC_BASE) $(EXTRA_PUBLIC_OBJS)
	$(call say,GEN     $@)
	$(Q){ cat $<; $(NM) -g --defined-only $(EXTRA_PUBLIC_OBJS) | awk 'NF == 3 {print $$3}'; \
		for n in $(EXTRA_PUBLIC_NAMES); do echo $$n; done; } | sort -u >$@
endif
$(LIBSKIFF): $(LIBSKIFF_OBJS) $(LIBSKIFF_PUBLIC) tools/hide-syms.sh
	$(call say,LD -r   $@)
	$(Q)$(LD) -r --unique -z noexecstack -o $@.all $(LIBSKIFF_OBJS)
	$(Q)tools/hide-syms.sh $@.all $@ $(LIBSKIFF_PUBLIC)
	$(Q)rm -f $@.all

# Two links, so that a fault can name functions: the first has an empty symbol table;
# its text symbols, local ones too (the library's are all local), become the table of the
# second. The table sits after .text, so no function moves between the two links (the
# last line checks that).
$(BUILD)/$(APP)/%.syms.S: $(BUILD)/$(APP)/%.pass1
	$(call say,GEN     $@)
	$(Q)$(NM) -n --defined-only $< | tools/mksyms.sh > $@
# A newlib app: newlib's start beside its objects, then newlib's archives (and the
# compiler's helpers they may call) for what the app and newlib still need.
LINK_APP := $(APP_OBJS) $(NEWLIB_START)
LINK_LIBS := $(if $(NEWLIB_START),--start-group $(NEWLIB_LIBS) $(LIBGCC) --end-group)
$(BUILD)/$(APP)/$(APP).pass1: $(LINK_APP) $(LIBSKIFF) $(BUILD)/obj/empty-syms.o arch/$(ARCH)/skiff.lds $(APP_STAMP) $(NEWLIB_LIBS)
	$(Q)mkdir -p $(dir $@)
	$(call say,LD      $@)
	$(Q)$(LD) $(LDFLAGS) -o $@ $(LIBSKIFF) $(LINK_APP) $(BUILD)/obj/empty-syms.o $(LINK_LIBS)
$(BUILD)/obj/empty-syms.o: tools/mksyms.sh Makefile
	$(Q)mkdir -p $(dir $@)
	$(call say,GEN     $@)
	$(Q)tools/mksyms.sh </dev/null | $(CC) $(ASFLAGS) -c -x assembler-with-cpp - -o $@
$(IMAGE): $(LINK_APP) $(LIBSKIFF) $(BUILD)/$(APP)/$(APP).syms.S
	$(call say,LD      $@)
	$(Q)$(CC) $(ASFLAGS) -c $(BUILD)/$(APP)/$(APP).syms.S -o $(BUILD)/$(APP)/syms.o
	$(Q)$(LD) $(LDFLAGS) -o $@ $(LIBSKIFF) $(LINK_APP) $(BUILD)/$(APP)/syms.o $(LINK_LIBS)
	$(Q)$(NM) -n --defined-only $@ | tools/mksyms.sh | cmp -s - $(BUILD)/$(APP)/$(APP).syms.S \
		|| { echo "symbol table moved between links" >&2; rm -f $@; exit 1; }
	$(Q)$(OBJCOPY) --strip-all $@ $@.stripped
	@echo "built $(if $(APP_DIR),$(abspath $@),$@) ($$(stat -c %s $@.stripped) bytes stripped)"

# make run [MEM=MiB] [EXTRA='args'] [DISK=image] [MODE=pv] [TIMEOUT=s] [PORT=8080]
# A network app (APP_LWIP) gets a vif; in the test host, this machine's port PORT is
# forwarded to the app's APP_PORT (app.mk). The values reach tools/run through the
# environment (make exports command-line variables), so the shell keeps their quoting;
# tools/run checks them all before anything boots. On a fresh machine the compiler and
# Xen's headers come first (install-deps is quick when they are there), then a make of
# the image, which parses this file again with them in place.
run:
	$(Q)tools/install-deps.sh build
	$(Q)$(MAKE) --no-print-directory $(IMAGE) $(ROOTFS)
	$(Q)tools/run $(if $(filter 1,$(APP_LWIP)),--net $(or $(APP_PORT),80)) \
		$(if $(MEM),--mem "$$MEM") $(if $(EXTRA),--extra "$$EXTRA") \
		$(if $(DISK),--disk "$$DISK") $(if $(MODE),--mode "$$MODE") $(if $(ROOTFS),--ramdisk $(ROOTFS)) \
		$(if $(TIMEOUT),--timeout "$$TIMEOUT") $(if $(PORT),--host-port "$$PORT") $(IMAGE)

unit:
	$(MAKE) -C tests/unit

# make xen-test T="blk net": only those areas of tests/xen/areas/ (one host boot still).
xen-test:
	tests/xen/run-all.sh $(T)

bench:
	tests/bench/run.sh

# The fuzz targets, long: FUZZ_SECONDS each (make test gives them 5). What they find
# stays in build/fuzz/corpus/; make fuzz-merge adds the inputs that reach new code to
# the seed corpus in tests/fuzz/corpus/ (review and commit them).
FUZZ_SECONDS ?= 300
fuzz:
	tools/install-deps.sh fuzz
	tests/fuzz/run.sh $(FUZZ_SECONDS)

fuzz-merge:
	tests/fuzz/merge.sh

test:
	tools/install-deps.sh all
	$(MAKE) check
	tests/run-all.sh

# The layers hold (tools/check-layers.sh): every app built, then its includes and the
# symbols its objects use checked against the layer order.
check:
	$(Q)for app in $(patsubst apps/%/,%,$(wildcard apps/*/)); do echo "  APP     $$app";  $(MAKE) $(if $(V),,-s) APP=$$app $(if $(V),,>/dev/null) || exit 1; done
	tools/check-layers.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

deps:
	tools/install-deps.sh all

clean:
	rm -rf $(BUILD)/obj $(BUILD)/libskiff*.o $(BUILD)/public*.syms $(BUILD)/xen-include $(patsubst apps/%,$(BUILD)/%,$(wildcard apps/*))$(if $(APP_DIR), $(BUILD)/$(APP))

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
