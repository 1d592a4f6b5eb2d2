/* ca.h: the certificate authorities the environment names, checked. */
#ifndef LC_CA_H
#define LC_CA_H

/* Certificate authorities to trust, and where each setting came from. */
struct lc_ca {
	const char *file, *file_from;	/* a PEM bundle; "--ca-file" or a variable */
	const char *dir, *dir_from;	/* a hashed directory (openssl rehash) */
};

/*
 * The CAs the environment names, for a client given no --ca-file, as curl
 * and git read them: the bundle from CURL_CA_BUNDLE, else SSL_CERT_FILE
 * (for git, GIT_SSL_CAINFO before both); the directory from SSL_CERT_DIR
 * (for git, GIT_SSL_CAPATH before it). NULL where unset or empty.
 */
void lc_ca_env(int git, struct lc_ca *ca);

/*
 * Whether ca's bundle is a readable file and its directory a readable
 * directory: 0, or LC_EUSAGE with a message naming the setting.
 */
int lc_ca_check(const struct lc_ca *ca);

#endif
