/* pgstack-auth: FastCGI program serving the GoTrue-compatible auth API
 * under /auth/v1. Routes are declared here; the engine lives in src/auth. */
#include "auth/auth_settings.h"
#include "auth/handlers.h"
#include "worker/server.h"

static const route ROUTES[] = {
    {"POST", "/signup", auth_signup, ROUTE_PUBLIC},
    {"POST", "/anonymous", auth_anonymous, ROUTE_PUBLIC},
    {"POST", "/token", auth_token, ROUTE_PUBLIC},
    {"GET", "/user", auth_user_get, ROUTE_REQUIRED},
    {"PUT", "/user", auth_user_update, ROUTE_REQUIRED},
    {"PATCH", "/user", auth_user_update, ROUTE_REQUIRED},
    {"POST", "/logout", auth_logout, ROUTE_REQUIRED},
    {"GET", "/settings", auth_settings_handle, ROUTE_PUBLIC},
    {"POST", "/recover", auth_recover, ROUTE_PUBLIC},
    {"POST", "/recover/confirm", auth_recover_confirm, ROUTE_PUBLIC},
    {"POST", "/magiclink", auth_magiclink, ROUTE_PUBLIC},
    {"GET", "/magiclink/verify", auth_magiclink_verify, ROUTE_PUBLIC},
    {"POST", "/otp", auth_otp, ROUTE_PUBLIC},
    {"GET", "/verify", auth_verify_get, ROUTE_PUBLIC},
    {"POST", "/verify", auth_verify_post, ROUTE_PUBLIC},
    {"GET", "/authorize", auth_authorize, ROUTE_NAVIGATION},
    {"GET", "/callback", auth_callback, ROUTE_NAVIGATION},
    {"POST", "/callback", auth_callback, ROUTE_NAVIGATION},
    {"GET", "/admin/users", auth_admin_list_users, ROUTE_REQUIRED},
    {"POST", "/admin/users", auth_admin_create_user, ROUTE_REQUIRED},
    {"GET", "/admin/users/{id}", auth_admin_get_user, ROUTE_REQUIRED},
    {"PUT", "/admin/users/{id}", auth_admin_update_user, ROUTE_REQUIRED},
    {"DELETE", "/admin/users/{id}", auth_admin_delete_user, ROUTE_REQUIRED},
};

static const area AREA = {
    .name = "auth",
    .program = "pgstack-auth",
    .prefix = "/auth/v1",
    .routes = ROUTES,
    .route_count = sizeof ROUTES / sizeof ROUTES[0],
    .settings = &auth_config_section,
};

int main(int argc, char **argv)
{
    return server_main(&AREA, argc, argv);
}
