/* Signed URL tokens; see token.h. */
#include "storage/token.h"

#include "jwt/jwt_sign.h"
#include "jwt/jwt_verify.h"

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

static const char *url_key(arena *a, const storage_settings *s)
{
    static const char label[] = "pgstack storage signed URL v1";
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), s->jwt_secret, (int)strlen(s->jwt_secret), (const unsigned char *)label,
         sizeof label - 1, mac, &len);
    char *hex = arena_alloc(a, 2 * len + 1);
    for (unsigned int i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", mac[i]);
    return hex;
}

char *storage_token_sign(arena *a, const storage_settings *s, const storage_token *t, time_t now)
{
    json_object *claims = json_object_new_object();
    json_object_object_add(claims, "url", json_object_new_string(t->url));
    json_object_object_add(claims, "scope", json_object_new_string(t->scope));
    /* jwt_verify insists on a known role; the derived key keeps it out of
     * every other use */
    json_object_object_add(claims, "role", json_object_new_string("anon"));
    json_object_object_add(claims, "iat", json_object_new_int64((int64_t)now));
    json_object_object_add(claims, "exp", json_object_new_int64((int64_t)now + t->expires_in));
    if (t->owner)
        json_object_object_add(claims, "owner", json_object_new_string(t->owner));
    if (t->transform)
        json_object_object_add(claims, "transform", json_object_new_string(t->transform));
    if (strcmp(t->scope, "upload") == 0)
        json_object_object_add(claims, "upsert", json_object_new_boolean(t->upsert));
    char *token = jwt_sign(a, json_object_to_json_string_ext(claims, JSON_C_TO_STRING_PLAIN),
                           url_key(a, s), "HS256");
    json_object_put(claims);
    return token;
}

static const char *claim_string(json_object *claims, const char *name)
{
    json_object *v;
    return json_object_object_get_ex(claims, name, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

token_status storage_token_verify(arena *a, const storage_settings *s, const char *text,
                                  const char *url, const char *scope, time_t now,
                                  storage_token *out)
{
    if (!text || !*text)
        return TOKEN_INVALID;
    json_object *claims = NULL;
    jwt_status st = jwt_verify(a, text, url_key(a, s), "HS256", now, &claims);
    if (st == JWT_EXPIRED)
        return TOKEN_EXPIRED;
    if (st != JWT_OK)
        return TOKEN_INVALID;
    const char *got_url = claim_string(claims, "url");
    const char *got_scope = claim_string(claims, "scope");
    if (!got_url || !got_scope || strcmp(got_url, url) != 0 || strcmp(got_scope, scope) != 0)
        return TOKEN_WRONG_URL;
    memset(out, 0, sizeof *out);
    out->url = got_url;
    out->scope = got_scope;
    const char *owner = claim_string(claims, "owner");
    out->owner = owner ? arena_strdup(a, owner) : "";
    const char *transform = claim_string(claims, "transform");
    out->transform = transform ? arena_strdup(a, transform) : NULL;
    json_object *up;
    out->upsert = json_object_object_get_ex(claims, "upsert", &up) &&
                  json_object_is_type(up, json_type_boolean) && json_object_get_boolean(up);
    return TOKEN_OK;
}
