/* Phoenix frames; see phx_frame.h. */
#include "realtime/phx_frame.h"

#include "core/json_text.h"
#include "core/utf8.h"

#include <string.h>

/* A string or null field; false for any other type. */
static bool phx_opt_string(json_object *v, const char **out)
{
    if (!v || json_object_is_type(v, json_type_null)) {
        *out = NULL;
        return true;
    }
    *out = json_plain_string(v);
    return *out != NULL;
}

static bool phx_fail(const char **why, const char *msg)
{
    *why = msg;
    return false;
}

static bool phx_fields(json_object *jr, json_object *ref, json_object *topic, json_object *event,
                       json_object *payload, phx_msg *out, const char **why)
{
    if (!phx_opt_string(jr, &out->join_ref) || !phx_opt_string(ref, &out->ref))
        return phx_fail(why, "join_ref and ref must be strings or null");
    out->topic = topic ? json_plain_string(topic) : NULL;
    out->event = event ? json_plain_string(event) : NULL;
    if (!out->topic || !out->event)
        return phx_fail(why, "topic and event must be strings");
    if (!payload || !json_object_is_type(payload, json_type_object))
        return phx_fail(why, "payload must be an object");
    out->payload = payload;
    return true;
}

static bool phx_decode_text(arena *a, phx_vsn vsn, const uint8_t *data, size_t len, phx_msg *out,
                            const char **why)
{
    json_object *root = json_parse_exact((const char *)data, len);
    if (!root)
        return phx_fail(why, "frame is not JSON");
    json_arena_owned(a, root);
    if (vsn == PHX_VSN_2) {
        if (!json_object_is_type(root, json_type_array) || json_object_array_length(root) != 5)
            return phx_fail(why, "vsn 2.0.0 frames are arrays of 5");
        return phx_fields(json_object_array_get_idx(root, 0), json_object_array_get_idx(root, 1),
                          json_object_array_get_idx(root, 2), json_object_array_get_idx(root, 3),
                          json_object_array_get_idx(root, 4), out, why);
    }
    if (!json_object_is_type(root, json_type_object))
        return phx_fail(why, "vsn 1.0.0 frames are objects");
    json_object *jr = NULL, *ref = NULL, *topic = NULL, *event = NULL, *payload = NULL;
    json_object_object_get_ex(root, "join_ref", &jr);
    json_object_object_get_ex(root, "ref", &ref);
    json_object_object_get_ex(root, "topic", &topic);
    json_object_object_get_ex(root, "event", &event);
    json_object_object_get_ex(root, "payload", &payload);
    return phx_fields(jr, ref, topic, event, payload, out, why);
}

/* A length-prefixed UTF-8 string field of a binary frame. */
static const char *phx_take(arena *a, const uint8_t *data, size_t len, size_t *off, size_t n)
{
    if (*off + n > len || !utf8_valid((const char *)data + *off, n) || memchr(data + *off, 0, n))
        return NULL;
    const char *s = arena_strndup(a, (const char *)data + *off, n);
    *off += n;
    return s;
}

static bool phx_decode_binary(arena *a, const uint8_t *data, size_t len, phx_msg *out,
                              const char **why)
{
    if (len < 7 || data[0] != 3)
        return phx_fail(why, "only kind 3 (broadcast push) binary frames are accepted");
    size_t off = 7;
    const char *jr = phx_take(a, data, len, &off, data[1]);
    const char *ref = phx_take(a, data, len, &off, data[2]);
    const char *topic = phx_take(a, data, len, &off, data[3]);
    const char *user_event = phx_take(a, data, len, &off, data[4]);
    const char *meta = phx_take(a, data, len, &off, data[5]);
    if (!jr || !ref || !topic || !user_event || !meta)
        return phx_fail(why, "binary frame shorter than its header says, or not UTF-8");
    if (data[6] != PHX_ENCODING_RAW && data[6] != PHX_ENCODING_JSON)
        return phx_fail(why, "unknown payload encoding");
    out->join_ref = *jr ? jr : NULL;
    out->ref = *ref ? ref : NULL;
    out->topic = topic;
    out->event = "broadcast";
    out->binary_broadcast = true;
    out->user_event = user_event;
    out->encoding = data[6];
    out->user_payload = data + off;
    out->user_payload_len = len - off;
    if (out->encoding == PHX_ENCODING_JSON) {
        json_object *p = json_parse_exact((const char *)out->user_payload, out->user_payload_len);
        if (!p)
            return phx_fail(why, "broadcast payload is not JSON");
        json_object_put(p);
    }
    return true;
}

bool phx_decode(arena *a, phx_vsn vsn, bool binary, const uint8_t *data, size_t len, phx_msg *out,
                const char **why)
{
    memset(out, 0, sizeof(*out));
    if (binary) {
        if (vsn != PHX_VSN_2)
            return phx_fail(why, "binary frames need vsn 2.0.0");
        return phx_decode_binary(a, data, len, out, why);
    }
    return phx_decode_text(a, vsn, data, len, out, why);
}

static const char *phx_json_str(arena *a, const char *s)
{
    if (!s)
        return "null";
    json_object *o = json_arena_owned(a, json_object_new_string(s));
    return json_text(a, o);
}

const char *phx_encode(arena *a, phx_vsn vsn, const char *join_ref, const char *ref,
                       const char *topic, const char *event, const char *payload_json)
{
    if (vsn == PHX_VSN_2)
        return arena_printf(a, "[%s,%s,%s,%s,%s]", phx_json_str(a, join_ref), phx_json_str(a, ref),
                            phx_json_str(a, topic), phx_json_str(a, event), payload_json);
    return arena_printf(a, "{\"join_ref\":%s,\"ref\":%s,\"topic\":%s,\"event\":%s,\"payload\":%s}",
                        phx_json_str(a, join_ref), phx_json_str(a, ref), phx_json_str(a, topic),
                        phx_json_str(a, event), payload_json);
}

uint8_t *phx_encode_broadcast(arena *a, const char *topic, const char *user_event,
                              const char *meta_json, int encoding, const uint8_t *payload,
                              size_t payload_len, size_t *out_len)
{
    size_t tl = strlen(topic), el = strlen(user_event), ml = meta_json ? strlen(meta_json) : 0;
    if (tl > 255 || el > 255 || ml > 255)
        return NULL;
    size_t n = 5 + tl + el + ml + payload_len;
    uint8_t *b = arena_alloc(a, n);
    b[0] = 4;
    b[1] = (uint8_t)tl;
    b[2] = (uint8_t)el;
    b[3] = (uint8_t)ml;
    b[4] = (uint8_t)encoding;
    size_t off = 5;
    memcpy(b + off, topic, tl);
    off += tl;
    memcpy(b + off, user_event, el);
    off += el;
    if (ml)
        memcpy(b + off, meta_json, ml);
    off += ml;
    if (payload_len)
        memcpy(b + off, payload, payload_len);
    *out_len = n;
    return b;
}
