/* The endpoints of /auth/v1 (spec "Authentication" and "Auth Admin", and
 * the GoTrue counterparts supabase-js uses). */
#ifndef PGSTACK_AUTH_HANDLERS_H
#define PGSTACK_AUTH_HANDLERS_H

#include "auth/auth_settings.h"
#include "core/request.h"
#include "core/response.h"

#include <json-c/json.h>

void auth_signup(request *req, response *res);
void auth_anonymous(request *req, response *res);
void auth_token(request *req, response *res);
/* POST /token?grant_type=id_token (id_token_grant.c), with the JSON body. */
void auth_id_token_grant(request *req, response *res, json_object *body);
void auth_user_get(request *req, response *res);
void auth_user_update(request *req, response *res);
void auth_logout(request *req, response *res);
void auth_settings_handle(request *req, response *res);
void auth_jwks(request *req, response *res);
void auth_recover(request *req, response *res);
void auth_resend(request *req, response *res);
void auth_reauthenticate(request *req, response *res);
void auth_mfa_enroll(request *req, response *res);
void auth_mfa_challenge(request *req, response *res);
void auth_mfa_verify(request *req, response *res);
void auth_mfa_unenroll(request *req, response *res);
void auth_admin_list_factors(request *req, response *res);
void auth_admin_delete_factor(request *req, response *res);
void auth_recover_confirm(request *req, response *res);
void auth_magiclink(request *req, response *res);
void auth_otp(request *req, response *res);
void auth_magiclink_verify(request *req, response *res);
void auth_verify_get(request *req, response *res);
void auth_verify_post(request *req, response *res);
void auth_authorize(request *req, response *res);
void auth_link_identity(request *req, response *res);
void auth_unlink_identity(request *req, response *res);
void auth_callback(request *req, response *res);
void auth_admin_list_users(request *req, response *res);
void auth_admin_create_user(request *req, response *res);
void auth_admin_get_user(request *req, response *res);
void auth_admin_update_user(request *req, response *res);
void auth_admin_delete_user(request *req, response *res);
void auth_admin_generate_link(request *req, response *res);
void auth_invite(request *req, response *res);

#endif
