/* The disk backend: objects as files under STORAGE_ROOT, written to
 * STORAGE_ROOT/tmp, fsynced and renamed into objects/ so an interrupted
 * upload never leaves a half object visible; resumable uploads grow in
 * STORAGE_ROOT/uploads/<id> until complete; see backend.h. */
#include "storage/backend.h"

#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

const char *storage_new_version(arena *a)
{
    unsigned char bytes[16];
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes)
        abort(); /* no randomness: nothing safe to do */
    char *hex = arena_alloc(a, 33);
    for (size_t i = 0; i < sizeof bytes; i++)
        snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
    return hex;
}

static bool make_dir(const char *path)
{
    return mkdir(path, 0750) == 0 || errno == EEXIST;
}

static const char *object_dir(const storage_settings *s, arena *a, const char *id)
{
    return arena_printf(a, "%s/objects/%.2s/%s", s->root, id, id);
}

static const char *disk_path(const storage_settings *s, arena *a, const char *id,
                             const char *version)
{
    return arena_printf(a, "%s/%s", object_dir(s, a, id), version);
}

bool storage_spool_create(const storage_settings *s, arena *a, storage_blob *out)
{
    const char *dir = arena_printf(a, "%s/tmp", s->root);
    if (!make_dir(dir)) {
        log_event("storage: cannot create %s: %s", dir, strerror(errno));
        return false;
    }
    out->temp_path = arena_printf(a, "%s/%s", dir, storage_new_version(a));
    out->fd = open(out->temp_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (out->fd < 0)
        log_event("storage: cannot create %s: %s", out->temp_path, strerror(errno));
    return out->fd >= 0;
}

void storage_spool_discard(storage_blob *b)
{
    if (b->fd >= 0)
        close(b->fd);
    b->fd = -1;
    if (b->temp_path)
        unlink(b->temp_path);
    b->temp_path = NULL;
}

static bool sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = fsync(fd) == 0;
    close(fd);
    return ok;
}

static bool ensure_object_dir(const storage_settings *s, arena *a, const char *id)
{
    return make_dir(arena_printf(a, "%s/objects", s->root)) &&
           make_dir(arena_printf(a, "%s/objects/%.2s", s->root, id)) &&
           make_dir(object_dir(s, a, id));
}

static bool place_file(const storage_settings *s, arena *a, storage_blob *b, const char *id,
                       const char *version)
{
    bool ok = fsync(b->fd) == 0 && ensure_object_dir(s, a, id);
    const char *dst = disk_path(s, a, id, version);
    ok = ok && rename(b->temp_path, dst) == 0 && sync_dir(object_dir(s, a, id));
    if (!ok)
        log_event("storage: cannot place %s: %s", dst, strerror(errno));
    close(b->fd);
    b->fd = -1;
    if (!ok)
        unlink(b->temp_path);
    b->temp_path = NULL;
    return ok;
}

static bool disk_remove(const storage_settings *s, arena *a, const char *id, const char *version)
{
    if (!id || !version || !*version)
        return true;
    bool gone = unlink(disk_path(s, a, id, version)) == 0 || errno == ENOENT;
    rmdir(object_dir(s, a, id)); /* fails while other versions remain */
    return gone;
}

static bool disk_place(const storage_settings *s, arena *a, storage_blob *b, const char *id,
                       const char *version, db_txn *txn)
{
    (void)txn; /* the file is renamed before COMMIT; removed if it fails */
    return place_file(s, a, b, id, version);
}

/* Files are immutable, so a copy is a hard link; a plain copy when the
 * filesystem has no links. */
static bool disk_copy(const storage_settings *s, arena *a, const char *id, const char *version,
                      const char *dst_id, const char *dst_version, db_txn *txn)
{
    (void)txn;
    const char *src = disk_path(s, a, id, version);
    const char *dst = disk_path(s, a, dst_id, dst_version);
    if (!ensure_object_dir(s, a, dst_id))
        return false;
    if (link(src, dst) == 0)
        return true;
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return false;
    storage_blob b;
    bool ok = storage_spool_create(s, a, &b);
    char buf[65536];
    ssize_t n;
    while (ok && (n = read(in, buf, sizeof buf)) > 0)
        ok = write(b.fd, buf, (size_t)n) == n;
    close(in);
    if (!ok) {
        storage_spool_discard(&b);
        return false;
    }
    return place_file(s, a, &b, dst_id, dst_version);
}

static const char *part_path(const storage_settings *s, arena *a, const char *upload_id)
{
    return arena_printf(a, "%s/uploads/%s", s->root, upload_id);
}

bool storage_spool_open_part(const storage_settings *s, arena *a, const char *upload_id,
                             storage_blob *out)
{
    const char *dir = arena_printf(a, "%s/uploads", s->root);
    if (!make_dir(dir))
        return false;
    out->temp_path = part_path(s, a, upload_id);
    out->fd = open(out->temp_path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (out->fd < 0)
        log_event("storage: cannot open %s: %s", out->temp_path, strerror(errno));
    return out->fd >= 0;
}

void storage_spool_remove_part(const storage_settings *s, arena *a, const char *upload_id)
{
    unlink(part_path(s, a, upload_id));
}

const storage_backend storage_disk_backend = {
    .name = "disk",
    .create = storage_spool_create,
    .place = disk_place,
    .discard = storage_spool_discard,
    .remove = disk_remove,
    .copy = disk_copy,
    .open_part = storage_spool_open_part,
    .remove_part = storage_spool_remove_part,
    .path = disk_path,
};
