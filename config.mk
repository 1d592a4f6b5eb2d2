# gitops-utils build knobs: every setting lives here, the Makefile only uses them.
VERSION = 0.1.0

PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANPREFIX = $(PREFIX)/share/man
PLUGINDIR = $(PREFIX)/lib/gitops-utils/plugins
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR = $(PREFIX)/share/fish/vendor_completions.d

# make deb: where the package is built (a copy of the sources) and where
# the .deb files, .buildinfo and .changes land.
DEBBUILD = obj/deb
DISTDIR = dist

# PLUGINDIR relative to PREFIX, compiled in so that an install moved
# elsewhere (or an unpacked Debian package, whose PLUGINDIR has the
# multiarch triplet in it) still finds its plugins beside its bin/.
PLUGINSUBDIR = $(patsubst $(PREFIX)/%,%,$(PLUGINDIR))

CC = cc
# CFLAGS, CPPFLAGS and LDFLAGS from the environment or the command line
# (dpkg-buildflags' hardening flags, -O0 for a debugger) are kept; the
# flags the code needs to build are put in front of them whatever they
# say, once (a recursive make gets the result back through its environment).
CFLAGS ?= -O2 -g
CPPFLAGS ?=
LDFLAGS ?=
NEED_CFLAGS = -std=c11 -Wall -Wextra -Wno-unused-parameter
NEED_CPPFLAGS = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
    -DVERSION=\"$(VERSION)\" -DPLUGINDIR=\"$(PLUGINDIR)\" \
    -DPLUGINSUBDIR=\"$(PLUGINSUBDIR)\"
override CFLAGS := $(NEED_CFLAGS) $(filter-out $(NEED_CFLAGS),$(CFLAGS))
override CPPFLAGS := $(NEED_CPPFLAGS) \
    $(filter-out $(NEED_CPPFLAGS),$(CPPFLAGS))

# `make SANITIZE=1` builds everything with ASan and UBSan into the same bin/.
SANITIZE =
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
    -fno-sanitize-recover=undefined

# Each command links only what it uses: libcurl alone adds ~5 ms to a start.
YAML_CFLAGS = $$(pkg-config --cflags yaml-0.1)
YAML_LIBS = $$(pkg-config --libs yaml-0.1)
# Debian's libgit2 does TLS with mbedTLS 2.28, which matches no IP address
# in a certificate; libcommon/git_tls.c then checks those with mbedTLS's
# own X.509 code (libgit2-dev depends on libmbedtls-dev: nothing new). Not
# for a libgit2 on OpenSSL, which matches them itself.
GIT_MBEDTLS = pkg-config --static --libs libgit2 | grep -qw -- -lmbedtls
GIT_CFLAGS = $$(pkg-config --cflags libgit2) $$($(GIT_MBEDTLS) && echo -DLC_GIT_MBEDTLS)
GIT_LIBS = $$(pkg-config --libs libgit2) $$($(GIT_MBEDTLS) && echo -lmbedx509 -lmbedcrypto)
CURL_CFLAGS = $$(pkg-config --cflags libcurl)
CURL_LIBS = $$(pkg-config --libs libcurl)
# yq's regular expressions (libcommon/yaml_func_re.c). libgit2 links
# libpcre2-8 already and libgit2-dev depends on libpcre2-dev.
PCRE_CFLAGS = $$(pkg-config --cflags libpcre2-8)
PCRE_LIBS = $$(pkg-config --libs libpcre2-8)
# Debian 12's libjq ships no .pc file.
JQ_LIBS = -ljq

# libFuzzer targets (make fuzz) need clang.
FUZZCC = clang
