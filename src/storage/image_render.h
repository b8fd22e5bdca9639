/* /storage/v1/render/image/{public|authenticated|sign}/{bucket}/{path}:
 * the object is found with the same permission check as the matching
 * download (public bucket flag, the caller's SELECT under RLS, or a signed
 * token whose transform, when it carries one, wins over the query), then
 * served from the render cache (image_cache.h) or transformed with libvips
 * (image_vips.h) within the STORAGE_IMAGE_* limits and kept. */
#ifndef PGSTACK_STORAGE_IMAGE_RENDER_H
#define PGSTACK_STORAGE_IMAGE_RENDER_H

#include "core/request.h"
#include "core/response.h"

#include <json-c/json.h>
#include <stdbool.h>

void storage_image_public(request *req, response *res);
void storage_image_authenticated(request *req, response *res);
void storage_image_sign(request *req, response *res);

/* The reply of the routes when STORAGE_IMAGE_TRANSFORMS=false: 400
 * "image transformation is not enabled". */
void storage_render_disabled(request *req, response *res);

/* POST /object/sign with a `transform` object (createSignedUrl's option):
 * its canonical text, or NULL when there is none or it is empty; *failed
 * after a 400 reply for a bad value. */
const char *storage_image_sign_transform(request *req, response *res, json_object *body,
                                         bool *failed);

#endif
