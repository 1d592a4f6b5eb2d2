# gitops-utils: build, test and install the commands.
include config.mk

CMDS = acd-diff acd-rollback acd-sync acd-wait gitpush-retry imgtag metric-gate promote ymlset
PLUGINS = acr dockerhub ecr gar ghcr oci
LIBCOMMON_SRC = $(sort $(wildcard libcommon/*.c))
UNIT_TESTS = $(sort $(patsubst tests/unit/%_test.c,%,$(wildcard tests/unit/*_test.c)))
FUZZ_TARGETS = yaml_expr yaml_edit yaml_out yaml_func yaml_env sse manifest diff acd_yaml prom analysis_expr analysis

# Sanitized objects live apart so that switching SANITIZE never mixes them.
VARIANT = $(if $(SANITIZE),san,std)
OBJ = obj/$(VARIANT)
ALL_CFLAGS = $(CFLAGS) $(if $(SANITIZE),$(SAN_FLAGS)) $(YAML_CFLAGS) \
    $(GIT_CFLAGS) $(CURL_CFLAGS) $(PCRE_CFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(if $(SANITIZE),$(SAN_FLAGS))

LIBCOMMON_OBJ = $(LIBCOMMON_SRC:%.c=$(OBJ)/%.o)
BINS = $(CMDS:%=bin/%)
UNIT_BINS = $(UNIT_TESTS:%=$(OBJ)/tests/unit/%_test)
CLI_TESTS = $(wildcard tests/cli/*.sh)

# Libraries each command links (see config.mk for why this matters).
LIBS_ymlset = $(YAML_LIBS) $(PCRE_LIBS)
LIBS_gitpush-retry = $(GIT_LIBS)
LIBS_acd-wait = $(CURL_LIBS) $(JQ_LIBS) $(YAML_LIBS) $(GIT_LIBS)
LIBS_acd-sync = $(LIBS_acd-wait)
LIBS_acd-rollback = $(LIBS_acd-wait)
LIBS_acd-diff = $(LIBS_acd-wait)
LIBS_imgtag = $(CURL_LIBS) $(JQ_LIBS) -ldl
LIBS_metric-gate = $(CURL_LIBS) $(JQ_LIBS) $(YAML_LIBS) -lm
LIBS_promote = $(GIT_LIBS) $(YAML_LIBS) $(CURL_LIBS) $(JQ_LIBS) $(PCRE_LIBS) -ldl

PLUGIN_SOS = $(PLUGINS:%=lib/gitops-utils/plugins/%.so)

all: $(BINS) $(PLUGIN_SOS)

$(OBJ)/%.o: %.c libcommon/*.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -iquote libcommon -c -o $@ $<

# Unit tests find their helpers (tap.h, the fakes) in tests/lib.
$(OBJ)/tests/unit/%.o: tests/unit/%.c libcommon/*.h tests/lib/*.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -iquote libcommon -iquote tests/lib -c -o $@ $<

# Plugins: one .so each, only the entry symbol exported, mode 0755 (the
# loader refuses files others may write).
lib/gitops-utils/plugins/%.so: plugins/%.c plugins/oci.c plugins/ocijson.c libcommon/sha256.c libcommon/base64.c \
    libcommon/registry.h libcommon/sha256.h libcommon/base64.h bin/.variant
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -fPIC -shared \
	    -fvisibility=hidden -iquote libcommon -o $@ $< libcommon/sha256.c \
	    libcommon/base64.c
	chmod 0755 $@

$(OBJ)/libcommon.a: $(LIBCOMMON_OBJ)
	rm -f $@
	ar rcs $@ $(LIBCOMMON_OBJ)

# bin/ holds whichever variant was built last; relink when it changes.
bin/.variant: FORCE
	@mkdir -p bin
	@echo $(VARIANT) | cmp -s - $@ || echo $(VARIANT) >$@

bin/%: $(OBJ)/cmd/%.o $(OBJ)/libcommon.a bin/.variant
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(OBJ)/libcommon.a $(LIBS_$*)

$(OBJ)/tests/unit/%_test: $(OBJ)/tests/unit/%_test.o $(OBJ)/libcommon.a
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(OBJ)/libcommon.a $(YAML_LIBS) $(GIT_LIBS) \
	    $(PCRE_LIBS) $(JQ_LIBS) $(CURL_LIBS) -ldl -lm

deps:
	@scripts/install-deps

TEST_PLUGINS = $(patsubst tests/lib/plugins/%.c,obj/test-plugins/%.so,$(wildcard tests/lib/plugins/*.c))

obj/test-plugins/%.so: tests/lib/plugins/%.c libcommon/registry.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fPIC -shared -fvisibility=hidden \
	    -iquote libcommon -o $@ $<
	chmod 0755 $@

# deps first, then the build: with -j the two would otherwise race (the
# compiler starting before the -dev packages are in).
check: deps
	@$(MAKE) --no-print-directory check-run

check-run: all $(UNIT_BINS) $(TEST_PLUGINS)
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lib/lsan.supp:print_suppressions=0 \
	    prove -j2 --exec '' $(UNIT_BINS) $(CLI_TESTS)

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo

# libFuzzer: make fuzz [FUZZTIME=seconds per target]. Each target is
# tests/fuzz/NAME_fuzz.c linked with the whole library and everything it
# links (libcurl, libjq, libdl since the registry and Argo CD code went in).
FUZZTIME = 60
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined
FUZZ_BINS = $(FUZZ_TARGETS:%=obj/fuzz/%)
FUZZ_LIBS = $(YAML_LIBS) $(GIT_LIBS) $(CURL_LIBS) $(JQ_LIBS) $(PCRE_LIBS) -ldl

obj/fuzz/%: tests/fuzz/%_fuzz.c $(LIBCOMMON_SRC) libcommon/*.h
	@mkdir -p $(@D)
	$(FUZZCC) $(CPPFLAGS) $(FUZZ_FLAGS) $(YAML_CFLAGS) $(GIT_CFLAGS) \
	    $(CURL_CFLAGS) $(PCRE_CFLAGS) -iquote libcommon -o $@ $< \
	    $(LIBCOMMON_SRC) \
	    $(FUZZ_LIBS)

# The manifest target compiles plugins/oci.c in.
obj/fuzz/manifest: plugins/oci.c plugins/ocijson.c

fuzz-build: deps
	@$(MAKE) --no-print-directory $(FUZZ_BINS)

fuzz: fuzz-build
	for t in $(FUZZ_TARGETS); do \
	    mkdir -p tests/fuzz/$$t obj/fuzz/$$t.new; \
	    obj/fuzz/$$t -max_total_time=$(FUZZTIME) -timeout=10 \
	        -artifact_prefix=obj/fuzz/$$t- obj/fuzz/$$t.new tests/fuzz/$$t \
	        || exit 1; \
	    obj/fuzz/$$t -merge=1 tests/fuzz/$$t obj/fuzz/$$t.new || exit 1; \
	done

bench: all
	bench/ymlset.sh
	bench/gitpush.sh
	bench/acd-wait.sh
	bench/metric-gate.sh

# Make splits words at blanks: a prefix with one would install pieces in
# the wrong places. Refused before anything is written.
INSTALL_DIRS = $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANPREFIX) \
    $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
    $(DESTDIR)$(FISHCOMPDIR)
NOBLANK = @$(if $(word 7,$(INSTALL_DIRS)),echo "make $@: DESTDIR and PREFIX \
    (and each install directory) may not contain blanks" >&2; exit 2,:)

install: all
	$(NOBLANK)
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANPREFIX)/man1 \
	    $(DESTDIR)$(MANPREFIX)/man7 $(DESTDIR)$(PLUGINDIR) \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
	    $(DESTDIR)$(FISHCOMPDIR)
	for p in $(PLUGINS); do \
	    cp -f lib/gitops-utils/plugins/$$p.so $(DESTDIR)$(PLUGINDIR)/$$p.so && \
	    chmod 755 $(DESTDIR)$(PLUGINDIR)/$$p.so || exit 1; \
	done
	cp -f man/gitops-registry.7 $(DESTDIR)$(MANPREFIX)/man7/
	chmod 644 $(DESTDIR)$(MANPREFIX)/man7/gitops-registry.7
	for c in $(CMDS); do \
	    cp -f bin/$$c $(DESTDIR)$(BINDIR)/$$c && \
	    chmod 755 $(DESTDIR)$(BINDIR)/$$c && \
	    cp -f man/$$c.1 $(DESTDIR)$(MANPREFIX)/man1/$$c.1 && \
	    chmod 644 $(DESTDIR)$(MANPREFIX)/man1/$$c.1 && \
	    cp -f completions/bash/$$c $(DESTDIR)$(BASHCOMPDIR)/$$c && \
	    cp -f completions/zsh/_$$c $(DESTDIR)$(ZSHCOMPDIR)/_$$c && \
	    cp -f completions/fish/$$c.fish $(DESTDIR)$(FISHCOMPDIR)/$$c.fish \
	    || exit 1; \
	done

uninstall:
	$(NOBLANK)
	rm -f $(DESTDIR)$(MANPREFIX)/man7/gitops-registry.7
	for p in $(PLUGINS); do rm -f $(DESTDIR)$(PLUGINDIR)/$$p.so; done
	for c in $(CMDS); do \
	    rm -f $(DESTDIR)$(BINDIR)/$$c $(DESTDIR)$(MANPREFIX)/man1/$$c.1 \
	        $(DESTDIR)$(BASHCOMPDIR)/$$c $(DESTDIR)$(ZSHCOMPDIR)/_$$c \
	        $(DESTDIR)$(FISHCOMPDIR)/$$c.fish; \
	done
	-rmdir $(DESTDIR)$(PLUGINDIR) $(dir $(DESTDIR)$(PLUGINDIR)) 2>/dev/null

# make deb: the Debian package, built by dpkg-buildpackage in a copy of
# the sources under $(DEBBUILD) (it writes beside the tree it builds, so
# neither the work tree nor its parent directory gets anything), then moved
# to $(DISTDIR) with its -dbgsym, .buildinfo and .changes, and checked by
# lintian: any error (an E: line) fails the target. MAKEFLAGS does not
# reach the package build: a `make check SANITIZE=1` running the deb test
# must not make a sanitized package.
DEB_SRC = Makefile config.mk README.md cmd libcommon plugins man completions \
    debian

deb:
	@scripts/install-deps --deb
	@v=$$(dpkg-parsechangelog -S Version) && [ "$$v" = "$(VERSION)" ] || { \
	    echo "make deb: debian/changelog is at version $$v, config.mk's VERSION is $(VERSION): add a changelog entry (dch -v $(VERSION))" >&2; \
	    exit 1; }
	rm -rf $(DEBBUILD)
	mkdir -p $(DEBBUILD)/gitops-utils-$(VERSION) $(DISTDIR)
	tar -cf - $(DEB_SRC) | tar -xf - -C $(DEBBUILD)/gitops-utils-$(VERSION)
	cd $(DEBBUILD)/gitops-utils-$(VERSION) && env -u MAKEFLAGS -u MFLAGS \
	    -u MAKELEVEL -u MAKEOVERRIDES dpkg-buildpackage -us -uc -b -Jauto
	arch=$$(dpkg --print-architecture) && \
	for f in gitops-utils_$(VERSION)_$$arch.deb \
	    gitops-utils-dbgsym_$(VERSION)_$$arch.deb \
	    gitops-utils_$(VERSION)_$$arch.buildinfo \
	    gitops-utils_$(VERSION)_$$arch.changes; do \
		mv -f $(DEBBUILD)/$$f $(DISTDIR)/ || exit 1; \
	done && \
	{ lintian -I $(DISTDIR)/gitops-utils_$(VERSION)_$$arch.changes \
	    >$(DEBBUILD)/lintian.out 2>&1; st=$$?; } && \
	cat $(DEBBUILD)/lintian.out && \
	if grep -q '^E:' $(DEBBUILD)/lintian.out || [ $$st -ne 0 ]; then \
		echo "make deb: lintian found errors or failed (exit $$st)" >&2; \
		exit 1; \
	fi && \
	echo "lintian: no errors, $$(grep -c '^W:' $(DEBBUILD)/lintian.out) warnings, $$(grep -c '^I:' $(DEBBUILD)/lintian.out) notes"
	@ls $(DISTDIR)/gitops-utils*_$(VERSION)_*

clean:
	rm -rf bin obj lib dist

FORCE:
.PHONY: all bench check check-run clean deb deps demo fuzz fuzz-build install uninstall FORCE
.SECONDARY:
