/* SHA-256 hex digests through OpenSSL; see digest.h. */
#include "core/digest.h"

#include <openssl/evp.h>
#include <stdio.h>

void sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char digest[32];
    unsigned int n = 0;
    EVP_Digest(data, len, digest, &n, EVP_sha256(), NULL);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
}
