/* plugin_elf.c: does a plugin export the entry symbol? Read before dlopen. */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "plugin_int.h"

/*
 * The file is read as attacker input: every offset and size is checked
 * against the file's size before it is read, and nothing is trusted to be
 * aligned or consistent.
 */
struct elf {
	int fd;
	uint64_t size;
	int is64;
};

static int
elf_read(const struct elf *e, uint64_t off, void *p, uint64_t n)
{
	ssize_t k;

	if (off > e->size || n > e->size - off)
		return -1;
	while (n > 0) {
		if ((k = pread(e->fd, p, n, (off_t)off)) <= 0) {
			if (k < 0 && errno == EINTR)
				continue;
			return -1;
		}
		p = (char *)p + k;
		off += (uint64_t)k;
		n -= (uint64_t)k;
	}
	return 0;
}

/* A section header of either class, widened. */
struct shdr {
	uint32_t type, link;
	uint64_t off, size, entsize;
};

static int
elf_shdr(const struct elf *e, uint64_t shoff, uint64_t entsize, uint64_t i,
    struct shdr *out)
{
	Elf64_Shdr s64;
	Elf32_Shdr s32;
	uint64_t off;

	if (i > (UINT64_MAX - shoff) / entsize)
		return -1;
	off = shoff + i * entsize;
	if (e->is64) {
		if (elf_read(e, off, &s64, sizeof(s64)) != 0)
			return -1;
		out->type = s64.sh_type;
		out->link = s64.sh_link;
		out->off = s64.sh_offset;
		out->size = s64.sh_size;
		out->entsize = s64.sh_entsize;
	} else {
		if (elf_read(e, off, &s32, sizeof(s32)) != 0)
			return -1;
		out->type = s32.sh_type;
		out->link = s32.sh_link;
		out->off = s32.sh_offset;
		out->size = s32.sh_size;
		out->entsize = s32.sh_entsize;
	}
	return 0;
}

/* Whether dynamic symbol i is a defined, exported function named name. */
static int
elf_sym_is(const struct elf *e, const unsigned char *syms, uint64_t entsize,
    uint64_t i, const char *strs, uint64_t strsize, const char *name)
{
	Elf64_Sym s64;
	Elf32_Sym s32;
	uint32_t nm;
	unsigned info, other, shndx;
	size_t len = strlen(name);

	if (e->is64) {
		memcpy(&s64, syms + i * entsize, sizeof(s64));
		nm = s64.st_name;
		info = s64.st_info;
		other = s64.st_other;
		shndx = s64.st_shndx;
	} else {
		memcpy(&s32, syms + i * entsize, sizeof(s32));
		nm = s32.st_name;
		info = s32.st_info;
		other = s32.st_other;
		shndx = s32.st_shndx;
	}
	if (nm >= strsize || strsize - nm <= len ||
	    memcmp(strs + nm, name, len + 1) != 0)
		return 0;
	return shndx != SHN_UNDEF && ELF64_ST_TYPE(info) == STT_FUNC &&
	    (ELF64_ST_BIND(info) == STB_GLOBAL ||
	    ELF64_ST_BIND(info) == STB_WEAK) &&
	    (ELF64_ST_VISIBILITY(other) == STV_DEFAULT ||
	    ELF64_ST_VISIBILITY(other) == STV_PROTECTED);
}

/*
 * Whether the ELF file on fd (size bytes) exports the function name in its
 * dynamic symbol table (.dynsym, found through the section headers, which
 * every linker writes). 1 if so; 0, with why filled in, if not.
 */
int
lc_plugin_elf_exports(int fd, uint64_t size, const char *name, char *why,
    size_t n)
{
	static const char corrupt[] = "its ELF headers are truncated or "
	    "corrupt";
	unsigned char id[EI_NIDENT], *syms = NULL;
	char *strs = NULL;
	struct elf e = { fd, size, 0 };
	Elf64_Ehdr h64;
	Elf32_Ehdr h32;
	struct shdr sh, st, s0;
	uint64_t shoff, shentsize, shnum, i, symsz, nsyms;
	unsigned type;
	int found = 0;
	const union { uint16_t u; unsigned char c[2]; } endian = { 1 };

	if (elf_read(&e, 0, id, sizeof(id)) != 0 ||
	    memcmp(id, ELFMAG, SELFMAG) != 0) {
		snprintf(why, n, "not an ELF shared object");
		return 0;
	}
	if ((id[EI_CLASS] != ELFCLASS64 && id[EI_CLASS] != ELFCLASS32) ||
	    id[EI_DATA] != (endian.c[0] ? ELFDATA2LSB : ELFDATA2MSB)) {
		snprintf(why, n, "an ELF file of another class or byte order "
		    "than this machine's");
		return 0;
	}
	e.is64 = id[EI_CLASS] == ELFCLASS64;
	if (e.is64) {
		if (elf_read(&e, 0, &h64, sizeof(h64)) != 0)
			goto corrupt;
		type = h64.e_type;
		shoff = h64.e_shoff;
		shentsize = h64.e_shentsize;
		shnum = h64.e_shnum;
	} else {
		if (elf_read(&e, 0, &h32, sizeof(h32)) != 0)
			goto corrupt;
		type = h32.e_type;
		shoff = h32.e_shoff;
		shentsize = h32.e_shentsize;
		shnum = h32.e_shnum;
	}
	if (type != ET_DYN) {
		snprintf(why, n, "an ELF file but not a shared object");
		return 0;
	}
	if (shoff == 0 || shentsize < (e.is64 ? sizeof(Elf64_Shdr) :
	    sizeof(Elf32_Shdr)))
		goto corrupt;
	/* Past 0xff00 sections the count is in section 0's size. */
	if (shnum == 0) {
		if (elf_shdr(&e, shoff, shentsize, 0, &s0) != 0)
			goto corrupt;
		shnum = s0.size;
	}
	/* The whole table is in the file (which also bounds shnum). */
	if (shnum > size / shentsize || shoff > size ||
	    shnum * shentsize > size - shoff)
		goto corrupt;
	for (i = 0; i < shnum; i++) {
		if (elf_shdr(&e, shoff, shentsize, i, &sh) != 0)
			goto corrupt;
		if (sh.type == SHT_DYNSYM)
			break;
	}
	if (i == shnum) {
		snprintf(why, n, "no dynamic symbol table (not a registry "
		    "plugin)");
		return 0;
	}
	symsz = e.is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	if (sh.entsize < symsz || sh.link >= shnum ||
	    elf_shdr(&e, shoff, shentsize, sh.link, &st) != 0 ||
	    st.type != SHT_STRTAB || sh.size > size || st.size > size ||
	    st.size == 0)
		goto corrupt;
	syms = lc_buf_xmalloc(sh.size ? sh.size : 1);
	strs = lc_buf_xmalloc(st.size);
	if (elf_read(&e, sh.off, syms, sh.size) != 0 ||
	    elf_read(&e, st.off, strs, st.size) != 0)
		goto corrupt;
	nsyms = sh.size / sh.entsize;
	for (i = 0; !found && i < nsyms; i++)
		found = elf_sym_is(&e, syms, sh.entsize, i, strs, st.size,
		    name);
	free(syms);
	free(strs);
	if (!found)
		snprintf(why, n, "no %s symbol (not a registry plugin, or "
		    "built for another ABI major)", name);
	return found;
corrupt:
	free(syms);
	free(strs);
	snprintf(why, n, "%s", corrupt);
	return 0;
}
