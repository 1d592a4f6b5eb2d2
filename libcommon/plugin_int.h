/* plugin_int.h: what plugin*.c share and no one else uses. */
#ifndef LC_PLUGIN_INT_H
#define LC_PLUGIN_INT_H

#include <stddef.h>
#include <stdint.h>

#include "registry.h"

/*
 * The host services every plugin gets (logging, HTTP, running a program,
 * credentials), set up on the first call from o (later calls keep the
 * first HTTP client), then the CA settings checked unless o->plain_http.
 * Returns 0, or LC_EUSAGE for a CA setting that cannot be read.
 */
int lc_plugin_host(const struct lc_reg_host **out,
    const struct lc_registry_opts *o);

/*
 * Whether the ELF file open on fd (size bytes) exports the dynamic symbol
 * name, read as attacker input: 1, or 0 with why (n bytes) saying what is
 * wrong with the file.
 */
int lc_plugin_elf_exports(int fd, uint64_t size, const char *name, char *why,
    size_t n);

#endif
