# brokernet: plain Makefile. `make` builds bin/brokernetd; `make check` installs
# what is missing, builds, and runs unit tests (plain and ASan+UBSan) and the
# integration tests against real ActiveMQ brokers.

CC	?= cc
# jansson: advisory bodies and /status are JSON (brokernetctl reads it too).
PKGS	 = libevent libevent_openssl libxml-2.0 avahi-client libzstd jansson
VERSION	 = 0.1.0
PREFIX	?= /usr/local
SYSCONFDIR ?= /etc
MANDIR	?= $(PREFIX)/share/man
UNITDIR	?= $(PREFIX)/lib/systemd/system
# Set to run the installed unit as that user (the Debian package: brokernet).
SERVICE_USER ?=

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN	 = -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CFLAGS	?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DBN_VERSION='"$(VERSION)"' $(WARN) \
	     -Iinclude $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS)
LIBS	 = $(PKG_LIBS) -lssl -lcrypto -lm

SAN_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	    -fno-sanitize-recover=all

LIB_SRCS   := $(filter-out bridge/main.c,$(wildcard bridge/*.c)) \
	      $(wildcard discovery/*.c)
UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
# A tool split over files: tools/NAME.c holds main() and names the binary,
# tools/NAME_*.c are linked into it (see bin/bnbench below).
TOOL_PARTS := $(wildcard tools/bnbench_*.c tools/owprobe_*.c)
TOOL_SRCS  := $(filter-out $(TOOL_PARTS),$(wildcard tools/*.c))
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)

OBJ	   := $(LIB_SRCS:%.c=obj/%.o) obj/gen/ui_html.o
SAN_OBJ	   := $(LIB_SRCS:%.c=obj-san/%.o) obj-san/gen/ui_html.o
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=bin/tests/%)
SAN_BINS   := $(UNIT_SRCS:tests/unit/%.c=bin/tests-san/%)
TOOL_BINS  := $(TOOL_SRCS:tools/%.c=bin/%)

.SECONDARY:

.PHONY: all check unit unit-san integration deps demo fuzz clean fmt lint \
	bench bench-wan soak install uninstall deb

all: bin/brokernetd $(TOOL_BINS)

obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

obj-san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -MMD -MP -c -o $@ $<

# The topology page (markup and style, its script inline) is compiled into
# the binary.
obj/gen/topology.html: bridge/ui/topology.html bridge/ui/topology.js tools/ui-page.sh
	@mkdir -p $(dir $@)
	sh tools/ui-page.sh bridge/ui/topology.html bridge/ui/topology.js > $@.tmp
	mv $@.tmp $@

obj/gen/ui_html.c: obj/gen/topology.html tools/embed.sh
	@mkdir -p $(dir $@)
	sh tools/embed.sh bn_ui_html obj/gen/topology.html > $@

obj/gen/ui_html.o: obj/gen/ui_html.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

obj-san/gen/ui_html.o: obj/gen/ui_html.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

obj/libbrokernet.a: $(OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

obj-san/libbrokernet.a: $(SAN_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

bin/brokernetd: obj/bridge/main.o obj/libbrokernet.a
	@mkdir -p bin
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

bin/brokernetd-san: obj-san/bridge/main.o obj-san/libbrokernet.a
	@mkdir -p bin
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS)

# Objects first, then the library: a split tool's parts come after it in $^.
bin/%: obj/tools/%.o obj/libbrokernet.a
	@mkdir -p bin
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^) \
	    $(LIBS)

bin/bnbench: $(patsubst %.c,obj/%.o,$(filter tools/bnbench_%,$(TOOL_PARTS)))
bin/owprobe: $(patsubst %.c,obj/%.o,$(filter tools/owprobe_%,$(TOOL_PARTS)))

bin/tests/%: obj/tests/unit/%.o obj/libbrokernet.a
	@mkdir -p bin/tests
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS) $(CMOCKA_LIBS)

bin/tests-san/%: obj-san/tests/unit/%.o obj-san/libbrokernet.a
	@mkdir -p bin/tests-san
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS) $(CMOCKA_LIBS)

deps:
	@sh tools/deps.sh

unit: $(UNIT_BINS)
	@sh tools/run-unit.sh plain $(UNIT_BINS)

unit-san: $(SAN_BINS)
	@sh tools/run-unit.sh asan $(SAN_BINS)

integration: all bin/brokernetd-san
	@sh tools/run-integration.sh

# check: deps, then every test; tools/check.sh prints "N passed, N failed".
check:
	@sh tools/deps.sh
	@$(MAKE) --no-print-directory all $(UNIT_BINS) $(SAN_BINS) bin/brokernetd-san
	@sh tools/check.sh

demo:
	@sh tools/deps.sh
	@$(MAKE) --no-print-directory all
	@sh tools/demo.sh

# Bounded fuzzing of every parser with libFuzzer (FUZZ_SECONDS each).
FUZZ_SECONDS ?= 60
fuzz:
	@sh tools/fuzz.sh $(FUZZ_SECONDS)

bench: all
	@sh tools/bench-network.sh

# The fault storms repeated (SOAK_RUNS, STANDBY_RUNS); make check runs each once.
soak: all
	@sh tools/deps.sh
	@sh tools/soak.sh

# WAN: native bridge and brokernet through an emulated 10 Mbit/s link
# (BENCH_WAN_ARGS=--quick for a short run).
bench-wan: all
	@sh tools/bench-wan.sh $(BENCH_WAN_ARGS)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(SYSCONFDIR)/brokernet $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(PREFIX)/share/brokernet
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 755 bin/brokernetd $(DESTDIR)$(PREFIX)/bin/brokernetd
	install -m 755 bin/brokernetctl $(DESTDIR)$(PREFIX)/bin/brokernetctl
	install -m 644 doc/brokernetd.8 $(DESTDIR)$(MANDIR)/man8/brokernetd.8
	install -m 644 doc/brokernetctl.1 $(DESTDIR)$(MANDIR)/man1/brokernetctl.1
	install -m 644 obj/gen/topology.html \
	    $(DESTDIR)$(PREFIX)/share/brokernet/topology.html
	for f in etc/*.xml etc/grafana-brokernet.json; do install -m 644 $$f \
	    $(DESTDIR)$(PREFIX)/share/brokernet/; done
	test -e $(DESTDIR)$(SYSCONFDIR)/brokernet/brokernet.xml || \
	    install -m 640 etc/brokernet.xml \
	    $(DESTDIR)$(SYSCONFDIR)/brokernet/brokernet.xml
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	    -e 's|^@USER@$$|$(if $(SERVICE_USER),User=$(SERVICE_USER)\nGroup=$(SERVICE_USER),# User=brokernet and Group=brokernet: see above)|' \
	    etc/brokernetd.service > $(DESTDIR)$(UNITDIR)/brokernetd.service

# Leaves the configuration in $(SYSCONFDIR)/brokernet alone.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/brokernetd \
	    $(DESTDIR)$(PREFIX)/bin/brokernetctl \
	    $(DESTDIR)$(MANDIR)/man8/brokernetd.8 \
	    $(DESTDIR)$(MANDIR)/man1/brokernetctl.1 \
	    $(DESTDIR)$(UNITDIR)/brokernetd.service
	rm -rf $(DESTDIR)$(PREFIX)/share/brokernet

# The Debian binary package, built by dpkg-buildpackage from debian/ in a
# copy of the tree under obj/deb (so nothing lands beside the checkout),
# then checked by lintian. Rebuilt only when a source changed.
DEB_ARCH   := $(shell dpkg --print-architecture 2>/dev/null)
DEB_FILE    = obj/deb/brokernet_$(VERSION)_$(DEB_ARCH).deb
DEB_INPUTS := Makefile README.md $(wildcard bridge/*.c bridge/ui/* discovery/*.c \
	      include/brokernet/*.h tools/*.c tools/*.h tools/*.sh doc/* etc/* \
	      debian/* debian/source/*)

deb:
	@sh tools/deps.sh
	@$(MAKE) --no-print-directory $(DEB_FILE)
	@echo "deb: $(DEB_FILE)"

$(DEB_FILE): $(DEB_INPUTS)
	rm -rf obj/deb && mkdir -p obj/deb/src
	tar -cf - Makefile README.md bridge discovery include tools doc etc debian | \
	    tar -xf - -C obj/deb/src
	cd obj/deb/src && dpkg-buildpackage -b -us -uc -j2 >../build.log 2>&1 || \
	    { tail -n 40 ../build.log; exit 1; }
	lintian --fail-on error,warning --info $(DEB_FILE) \
	    >obj/deb/lintian.log 2>&1; st=$$?; cat obj/deb/lintian.log; exit $$st

fmt:
	clang-format -i bridge/*.c discovery/*.c include/brokernet/*.h tools/*.c tests/unit/*.c

lint:
	clang-format --dry-run -Werror bridge/*.c discovery/*.c include/brokernet/*.h
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --inline-suppr -Iinclude bridge discovery

clean:
	rm -rf bin obj obj-san tests/out

-include $(OBJ:.o=.d) $(SAN_OBJ:.o=.d) $(wildcard obj/tests/unit/*.d obj-san/tests/unit/*.d obj/tools/*.d obj/bridge/main.d obj-san/bridge/main.d)
