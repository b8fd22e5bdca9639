/* Provider profiles -> identities; see oauth_identity.h. */
#include "auth/oauth_identity.h"

#include "auth/email_address.h"
#include "core/json_text.h"

#include <ctype.h>
#include <string.h>

static const char *string_member(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    const char *s = json_object_get_string(v);
    return *s ? s : NULL;
}

/* true, or the string "true" (Apple) / "1". */
static bool truthy(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v))
        return false;
    if (json_object_is_type(v, json_type_boolean))
        return json_object_get_boolean(v);
    const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
    return strcmp(s, "true") == 0 || strcmp(s, "1") == 0;
}

static void put_string(json_object *data, const char *key, const char *value)
{
    if (value)
        json_object_object_add(data, key, json_object_new_string(value));
}

static const char *lower_copy(arena *a, const char *s)
{
    char *out = arena_strdup(a, s);
    for (char *p = out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return out;
}

/* Sets email, email_verified and their identity_data fields. */
static void set_email(arena *a, oauth_identity *out, const char *email, bool verified)
{
    put_string(out->data, "email", email);
    json_object_object_add(out->data, "email_verified", json_object_new_boolean(verified && email));
    if (email && auth_email_address_valid(email)) {
        out->email = lower_copy(a, email);
        out->email_verified = verified;
    }
}

/* "First Last" from Apple's user field. */
static void apple_name(arena *a, json_object *data, const char *apple_user)
{
    json_object *user =
        apple_user ? json_arena_owned(a, json_parse_exact(apple_user, strlen(apple_user))) : NULL;
    json_object *name;
    if (!json_object_is_type(user, json_type_object) ||
        !json_object_object_get_ex(user, "name", &name))
        return;
    const char *first = string_member(name, "firstName"), *last = string_member(name, "lastName");
    put_string(data, "given_name", first);
    put_string(data, "family_name", last);
    if (first || last) {
        const char *full = arena_printf(a, "%s%s%s", first ? first : "", first && last ? " " : "",
                                        last ? last : "");
        put_string(data, "name", full);
        put_string(data, "full_name", full);
    }
}

static bool email_vouched(const char *provider, json_object *claims)
{
    if (strcmp(provider, "microsoft") == 0)
        return truthy(claims, "xms_edov");
    return truthy(claims, "email_verified");
}

bool auth_oauth_identity_from_claims(arena *a, const char *provider, json_object *claims,
                                     const char *apple_user, oauth_identity *out)
{
    static const char *const COPIED[] = {
        "iss",     "sub",   "name", "given_name", "family_name", "nickname", "preferred_username",
        "picture", "locale"};
    memset(out, 0, sizeof *out);
    out->provider_id = string_member(claims, "sub");
    if (!out->provider_id)
        return false;
    out->data = json_arena_owned(a, json_object_new_object());
    for (size_t i = 0; i < sizeof COPIED / sizeof COPIED[0]; i++)
        put_string(out->data, COPIED[i], string_member(claims, COPIED[i]));
    put_string(out->data, "provider_id", out->provider_id);
    put_string(out->data, "full_name", string_member(claims, "name"));
    put_string(out->data, "avatar_url", string_member(claims, "picture"));
    put_string(out->data, "phone", string_member(claims, "phone_number"));
    if (strcmp(provider, "apple") == 0)
        apple_name(a, out->data, apple_user);
    set_email(a, out, string_member(claims, "email"), email_vouched(provider, claims));
    return true;
}

/* The primary address of /user/emails (verified or not), else the first
 * verified one; *verified tells which. */
static const char *github_email(json_object *emails, bool *verified)
{
    const char *fallback = NULL;
    size_t n = json_object_is_type(emails, json_type_array) ? json_object_array_length(emails) : 0;
    *verified = false;
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(emails, i);
        const char *addr = string_member(e, "email");
        if (!addr)
            continue;
        if (truthy(e, "primary")) {
            *verified = truthy(e, "verified");
            return addr;
        }
        if (!fallback && truthy(e, "verified"))
            fallback = addr;
    }
    *verified = fallback != NULL;
    return fallback;
}

bool auth_oauth_identity_from_github(arena *a, const char *iss, json_object *user,
                                     json_object *emails, oauth_identity *out)
{
    json_object *id;
    memset(out, 0, sizeof *out);
    if (!json_object_is_type(user, json_type_object) ||
        !json_object_object_get_ex(user, "id", &id) || !json_object_is_type(id, json_type_int) ||
        json_object_get_int64(id) <= 0)
        return false;
    out->provider_id = arena_printf(a, "%lld", (long long)json_object_get_int64(id));
    out->data = json_arena_owned(a, json_object_new_object());
    put_string(out->data, "iss", iss);
    put_string(out->data, "sub", out->provider_id);
    put_string(out->data, "provider_id", out->provider_id);
    put_string(out->data, "name", string_member(user, "name"));
    put_string(out->data, "full_name", string_member(user, "name"));
    put_string(out->data, "user_name", string_member(user, "login"));
    put_string(out->data, "preferred_username", string_member(user, "login"));
    put_string(out->data, "avatar_url", string_member(user, "avatar_url"));
    put_string(out->data, "picture", string_member(user, "avatar_url"));
    bool verified;
    const char *email = github_email(emails, &verified);
    if (!email) /* the public profile address: GitHub does not say it is verified */
        email = string_member(user, "email");
    set_email(a, out, email, verified);
    return true;
}
