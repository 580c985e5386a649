/* chain.c: SHA-256 of a log line through libcrypto's EVP interface (a well-kept
 * implementation rather than our own). */
#include "chain.h"

#include <errno.h>
#include <openssl/evp.h>
#include <string.h>

void chain_genesis(char ret[CHAIN_HEX_LEN + 1])
{
	memset(ret, '0', CHAIN_HEX_LEN);
	ret[CHAIN_HEX_LEN] = '\0';
}

int chain_hash(const char *line, size_t n, char ret[CHAIN_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (!EVP_Digest(line, n, md, &len, EVP_sha256(), NULL) || len * 2 != CHAIN_HEX_LEN)
		return -EIO;
	for (unsigned i = 0; i < len; i++) {
		ret[2 * i] = hex[md[i] >> 4];
		ret[2 * i + 1] = hex[md[i] & 15];
	}
	ret[CHAIN_HEX_LEN] = '\0';
	return 0;
}
