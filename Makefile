# Skiff: a library operating system for Xen guests.
#
#   make [APP=hello]   build build/$(APP)/$(APP), an ELF image Xen boots as a PV domain
#                      (apps/$(APP)/app.mk may add APP_LWIP := 1: lwIP, see net/README.md)
#   make run           build and boot it (xl on a Xen dom0, else the emulated test host)
#   make test          make check, unit tests on the host, then every Xen-booted test
#   make check         the layers hold: no include or call points up (tools/check-layers.sh)
#   make unit          host unit tests only
#   make xen-test      Xen-booted tests only (one test-host boot for the whole batch)
#   make bench         Skiff against a Linux PV guest on the same host: ratios
#   make format        clang-format every C file
#
# Every object is built into build/; the Xen public headers come from Debian's
# libxen-dev (/usr/include/xen) through a symlink, so no other host header leaks in.

APP ?= hello
ARCH := x86_64
# V=1 shows every command.
Q := $(if $(V),,@)
BUILD := build
XEN_INCLUDE ?= /usr/include/xen

CC := gcc
LD := ld
NM := nm
OBJCOPY := objcopy

# The library is built without SSE/x87 code: event upcalls interrupt any code and do not save
# vector registers, so the code they run must never touch them. Applications may use them.
# No red zone: Xen writes exception and event frames right below the interrupted %rsp.
COMMON_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-ffreestanding -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-I include -I arch/$(ARCH) -iquote . -I $(BUILD)/xen-include \
	-D__XEN_INTERFACE_VERSION__=0x00040600 \
	-fno-pic -fno-pie -fno-stack-protector -fno-omit-frame-pointer -fno-optimize-sibling-calls \
	-fno-asynchronous-unwind-tables -fno-strict-aliasing -fno-builtin-printf \
	-mno-red-zone -fno-tree-loop-distribute-patterns -MMD -MP \
	-ffunction-sections -fdata-sections
LIB_CFLAGS := $(COMMON_CFLAGS) -mgeneral-regs-only
APP_CFLAGS := $(COMMON_CFLAGS)
ASFLAGS := -D__ASSEMBLY__ -I include -I arch/$(ARCH) -iquote . -I $(BUILD)/xen-include -MMD -MP
# Each function and object has a section of its own (-ffunction-sections -fdata-sections
# above), so --gc-sections drops whatever the entry point, the ELF notes and the start-up
# table (KEEP in skiff.lds) do not reach: the core is linked whole, its unused calls need not
# ship in every image.
LDFLAGS := -nostdlib -static -no-pie -z max-page-size=4096 -z noexecstack \
	--no-warn-rwx-segments --gc-sections -T arch/$(ARCH)/skiff.lds

# The layers, bottom up (README.md, "Layout"; `make check` holds them to it).
# The library (libc, arch, xen, kernel, xenbus, drivers; net and lwIP for the apps that ask)
# becomes one object (below); --gc-sections keeps of it what the entry point reaches.
LIB_SRCS := $(wildcard libc/*.c arch/$(ARCH)/*.c arch/$(ARCH)/*.S xen/*.c kernel/*.c xenbus/*.c)
LIB_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(basename $(LIB_SRCS)))
DRV_SRCS := $(wildcard drivers/*.c)
DRV_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(basename $(DRV_SRCS)))
APP_SRCS := $(wildcard apps/$(APP)/*.c)
APP_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(basename $(APP_SRCS)))
IMAGE := $(BUILD)/$(APP)/$(APP)
# What an app asks for in apps/$(APP)/app.mk (APP_LWIP := 1: the network, below).
-include apps/$(APP)/app.mk

.PHONY: all run test unit xen-test bench format deps clean check
all: $(IMAGE)

$(BUILD)/xen-include/xen:
	@test -f $(XEN_INCLUDE)/xen.h || { echo "Xen headers missing: run tools/install-deps.sh build" >&2; exit 1; }
	@mkdir -p $(dir $@) && ln -sfn $(XEN_INCLUDE) $@

$(BUILD)/obj/apps/%.o: apps/%.c Makefile | $(BUILD)/xen-include/xen
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(APP_CFLAGS) -c $< -o $@
$(BUILD)/obj/%.o: %.c Makefile | $(BUILD)/xen-include/xen
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(LIB_CFLAGS) -c $< -o $@
$(BUILD)/obj/%.o: %.S Makefile | $(BUILD)/xen-include/xen
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
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
LWIP_OBJS := $(patsubst %,$(BUILD)/obj/lwip/%.o,$(LWIP_FILES))
LWIP_PORT_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(basename $(wildcard net/*.c)))
# lwIP 2.1.3 builds clean with every warning of the library, so none is relaxed: add a
# -Wno-... here rather than drop -Werror if another release needs one.
LWIP_CFLAGS := $(LIB_CFLAGS) $(LWIP_INCLUDE)
APP_CFLAGS += $(LWIP_INCLUDE)

$(LWIP_STAMP):
	tools/install-deps.sh lwip
# The sources appear when the stamp is made (named one by one: a pattern rule would
# claim every .c file, and make would try to build the .d files from them).
$(patsubst %,$(LWIP_SRC)/%.c,$(LWIP_FILES)): | $(LWIP_STAMP) ;
$(BUILD)/obj/lwip/%.o: $(LWIP_SRC)/%.c Makefile | $(BUILD)/xen-include/xen
	@mkdir -p $(dir $@)
	@echo "  CC      lwip/$*.c"
	$(Q)$(CC) $(LWIP_CFLAGS) -c $< -o $@
$(LWIP_PORT_OBJS): LIB_CFLAGS += $(LWIP_INCLUDE)
$(LWIP_PORT_OBJS) $(APP_OBJS): | $(LWIP_STAMP)
endif

# The library an app links with: one relocatable object (ld -r) in which only the public
# names are global (tools/hide-syms.sh), so an app reaches nothing include/ does not
# declare and may name its own functions as it likes (printk, xs_read). The public names
# are read from include/'s headers by the compiler (tools/public-syms.sh), so the list
# cannot drift from the headers. An lwIP app also sees lwIP: every global of lwIP's own
# objects, and of net/sys_arch.c, the port's half of lwIP's sys.h and arch/cc.h that
# lwIP's macros call from the app's code (LOCK_TCPIP_CORE, LWIP_ASSERT, errno).
$(BUILD)/public.syms: $(shell find include -name '*.h') tools/public-syms.sh Makefile | $(BUILD)/xen-include/xen
	tools/public-syms.sh $(CC) $(filter-out -MMD -MP,$(LIB_CFLAGS)) >$@
ifeq ($(APP_LWIP),1)
LIBSKIFF := $(BUILD)/libskiff-lwip.o
LIBSKIFF_OBJS := $(LIB_OBJS) $(DRV_OBJS) $(LWIP_PORT_OBJS) $(LWIP_OBJS)
LIBSKIFF_PUBLIC := $(BUILD)/public-lwip.syms
$(BUILD)/public-lwip.syms: $(BUILD)/public.syms $(LWIP_OBJS) $(BUILD)/obj/net/sys_arch.o
	{ cat $<; $(NM) -g --defined-only $(LWIP_OBJS) $(BUILD)/obj/net/sys_arch.o | awk 'NF == 3 {print $$3}'; } | sort -u >$@
else
LIBSKIFF := $(BUILD)/libskiff.o
LIBSKIFF_OBJS := $(LIB_OBJS) $(DRV_OBJS)
LIBSKIFF_PUBLIC := $(BUILD)/public.syms
endif
$(LIBSKIFF): $(LIBSKIFF_OBJS) $(LIBSKIFF_PUBLIC) tools/hide-syms.sh
	@echo "  LD -r   $@"
	$(Q)$(LD) -r --unique -z noexecstack -o $@.all $(LIBSKIFF_OBJS)
	$(Q)tools/hide-syms.sh $@.all $@ $(LIBSKIFF_PUBLIC)
	@rm -f $@.all

# Two links, so that a fault can name functions: the first has an empty symbol table;
# its text symbols, local ones too (the library's are all local), become the table of the
# second. The table sits after .text, so no function moves between the two links (the
# last line checks that).
$(BUILD)/$(APP)/%.syms.S: $(BUILD)/$(APP)/%.pass1
	$(NM) -n --defined-only $< | tools/mksyms.sh > $@
$(BUILD)/$(APP)/$(APP).pass1: $(APP_OBJS) $(LIBSKIFF) $(BUILD)/obj/empty-syms.o arch/$(ARCH)/skiff.lds
	@mkdir -p $(dir $@)
	$(LD) $(LDFLAGS) -o $@ $(LIBSKIFF) $(APP_OBJS) $(BUILD)/obj/empty-syms.o
$(BUILD)/obj/empty-syms.o: tools/mksyms.sh
	@mkdir -p $(dir $@)
	tools/mksyms.sh </dev/null | $(CC) $(ASFLAGS) -c -x assembler-with-cpp - -o $@
$(IMAGE): $(APP_OBJS) $(LIBSKIFF) $(BUILD)/$(APP)/$(APP).syms.S
	$(CC) $(ASFLAGS) -c $(BUILD)/$(APP)/$(APP).syms.S -o $(BUILD)/$(APP)/syms.o
	$(LD) $(LDFLAGS) -o $@ $(LIBSKIFF) $(APP_OBJS) $(BUILD)/$(APP)/syms.o
	@$(NM) -n --defined-only $@ | tools/mksyms.sh | cmp -s - $(BUILD)/$(APP)/$(APP).syms.S \
		|| { echo "symbol table moved between links" >&2; rm -f $@; exit 1; }
	@$(OBJCOPY) --strip-all $@ $@.stripped
	@echo "built $@ ($$(stat -c %s $@.stripped) bytes stripped)"

# make run [MEM=MiB] [EXTRA='args'] [DISK=image] [MODE=pv] [TIMEOUT=s] [PORT=8080]
# A network app (APP_LWIP) gets a vif; in the test host, this machine's port PORT is
# forwarded to the app's APP_PORT (app.mk). The values reach tools/run through the
# environment (make exports command-line variables), so the shell keeps their quoting;
# tools/run checks them all before anything boots.
run: $(IMAGE)
	tools/run $(if $(filter 1,$(APP_LWIP)),--net $(or $(APP_PORT),80)) \
		$(if $(MEM),--mem "$$MEM") $(if $(EXTRA),--extra "$$EXTRA") \
		$(if $(DISK),--disk "$$DISK") $(if $(MODE),--mode "$$MODE") \
		$(if $(TIMEOUT),--timeout "$$TIMEOUT") $(if $(PORT),--host-port "$$PORT") $(IMAGE)

unit:
	$(MAKE) -C tests/unit

xen-test:
	tests/xen/run-all.sh

bench:
	tests/bench/run.sh

test:
	tools/install-deps.sh all
	$(MAKE) check
	tests/run-all.sh

# The layers hold (tools/check-layers.sh): every app built, then its includes and the
# symbols its objects use checked against the layer order.
check:
	$(Q)for app in $(patsubst apps/%/,%,$(wildcard apps/*/)); do echo "  APP     $$app";  $(MAKE) -s APP=$$app >/dev/null || exit 1; done
	tools/check-layers.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

deps:
	tools/install-deps.sh all

clean:
	rm -rf $(BUILD)/obj $(BUILD)/libskiff.o $(BUILD)/libskiff-lwip.o $(BUILD)/public.syms $(BUILD)/public-lwip.syms $(BUILD)/xen-include $(patsubst apps/%,$(BUILD)/%,$(wildcard apps/*))

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
