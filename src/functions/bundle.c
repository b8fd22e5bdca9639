/* Deployed folders on disk; see bundle.h. */
#include "functions/bundle.h"

#include "core/arena.h"
#include "jwt/base64url.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool functions_bundle_path_valid(const char *path)
{
    size_t n = strlen(path);
    if (n == 0 || n > 1024 || path[0] == '/')
        return false;
    for (const char *seg = path; *seg;) {
        size_t len = strcspn(seg, "/");
        if (len == 0 || (len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
            return false;
        seg += len;
        if (*seg == '/')
            seg++;
        if (*seg == '\0' && seg[-1] == '/')
            return false;
    }
    return true;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_tree(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Creates the parent folders of path below dir. */
static bool make_parents(const char *dir, const char *path)
{
    char buf[8192];
    for (const char *slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
        snprintf(buf, sizeof buf, "%s/%.*s", dir, (int)(slash - path), path);
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return false;
    }
    return true;
}

static bool write_file(const char *dir, const char *path, const char *data, size_t len)
{
    char full[8192];
    snprintf(full, sizeof full, "%s/%s", dir, path);
    if (!make_parents(dir, path))
        return false;
    int fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return false;
    bool ok = true;
    while (ok && len > 0) {
        ssize_t w = write(fd, data, len);
        ok = w > 0;
        if (ok) {
            data += w;
            len -= (size_t)w;
        }
    }
    return close(fd) == 0 && ok;
}

static bool write_all(const char *tmp, json_object *files, char *err, size_t errlen)
{
    arena *a = arena_new(64 * 1024);
    bool ok = true;
    json_object_object_foreach(files, path, content)
    {
        const char *b64 = json_object_get_string(content);
        char *bytes;
        size_t len;
        if (!functions_bundle_path_valid(path) || !json_object_is_type(content, json_type_string) ||
            !base64url_decode(a, b64, strlen(b64), &bytes, &len)) {
            snprintf(err, errlen, "deployment has an invalid file entry");
            ok = false;
            break;
        }
        if (!write_file(tmp, path, bytes, len)) {
            snprintf(err, errlen, "cannot write %s/%s: %s", tmp, path, strerror(errno));
            ok = false;
            break;
        }
    }
    arena_free(a);
    return ok;
}

bool functions_bundle_write(const char *root, const char *name, const char *version,
                            const char *files_json, char *err, size_t errlen)
{
    char parent[4096], final[4200], tmp[4300];
    snprintf(parent, sizeof parent, "%s/fn/%s", root, name);
    snprintf(final, sizeof final, "%s/%s", parent, version);
    struct stat st;
    if (stat(final, &st) == 0)
        return true;
    if (mkdir(parent, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", parent, strerror(errno));
        return false;
    }
    snprintf(tmp, sizeof tmp, "%s/.tmp-%s-%d", parent, version, (int)getpid());
    remove_tree(tmp);
    if (mkdir(tmp, 0700) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
        return false;
    }
    json_object *files = json_tokener_parse(files_json);
    bool ok = files && json_object_is_type(files, json_type_object);
    if (!ok)
        snprintf(err, errlen, "deployment files are not a JSON object");
    ok = ok && write_all(tmp, files, err, errlen);
    json_object_put(files);
    if (ok && rename(tmp, final) != 0 && errno != EEXIST && errno != ENOTEMPTY) {
        snprintf(err, errlen, "cannot rename %s: %s", tmp, strerror(errno));
        ok = false;
    }
    remove_tree(tmp); /* left only when another worker was first */
    return ok;
}
