/* Fuzzes the Phoenix frame decoder of the realtime daemon (phx_decode):
 * vsn 1.0.0 JSON objects, vsn 2.0.0 JSON arrays and 2.0.0 binary
 * broadcast frames, exactly as a WebSocket message delivers them.
 * Invariants: a decoded message has a topic and an event; text frames
 * decode to a JSON payload, binary ones to a broadcast whose user payload
 * lies inside the frame; a refusal names its reason. A decoded text
 * message re-encoded with phx_encode decodes again to the same topic,
 * event and refs. Input: byte 0 picks the version and frame kind, the
 * rest is the frame. */
#include "harness.h"

#include "realtime/phx_frame.h"

static bool same(const char *x, const char *y)
{
    return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

static void check_round_trip(arena *a, phx_vsn vsn, const phx_msg *m)
{
    const char *payload = json_object_to_json_string_ext(m->payload, JSON_C_TO_STRING_PLAIN);
    const char *text = phx_encode(a, vsn, m->join_ref, m->ref, m->topic, m->event, payload);
    FZ_ASSERT(text, "a decoded message does not encode");
    phx_msg back;
    const char *why = NULL;
    FZ_ASSERT(phx_decode(a, vsn, false, (const uint8_t *)text, strlen(text), &back, &why),
              "re-encoded message refused (%s): %s", why, text);
    FZ_ASSERT(same(back.topic, m->topic) && same(back.event, m->event) && same(back.ref, m->ref) &&
                  same(back.join_ref, m->join_ref),
              "round trip changed the message: %s", text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = fz_begin();
    if (size < 1)
        return 0;
    phx_vsn vsn = data[0] & 1 ? PHX_VSN_2 : PHX_VSN_1;
    bool binary = data[0] & 2;
    const uint8_t *frame = data + 1;
    size_t len = size - 1;
    phx_msg m;
    const char *why = NULL;
    if (!phx_decode(a, vsn, binary, frame, len, &m, &why)) {
        FZ_ASSERT(why && *why, "refusal without a reason");
        return 0;
    }
    FZ_ASSERT(m.topic && m.event, "decoded without topic or event");
    if (m.binary_broadcast) {
        FZ_ASSERT(binary, "a text frame decoded as a binary broadcast");
        FZ_ASSERT(!m.user_payload_len || (m.user_payload >= frame &&
                                          m.user_payload + m.user_payload_len <= frame + len),
                  "user payload outside the frame");
        return 0;
    }
    FZ_ASSERT(m.payload, "text message without a payload");
    check_round_trip(a, vsn, &m);
    return 0;
}
