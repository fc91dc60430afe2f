/* files.c — uploaded files on disk: see files.h. */
#include "files.h"
#include "secret.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *files_sniff(const void *data, size_t n, const char **ext)
{
    const unsigned char *p = data;
    if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF) return *ext = "jpg", "image/jpeg";
    if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8)) return *ext = "png", "image/png";
    if (n >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4)) return *ext = "webp", "image/webp";
    if (n >= 5 && !memcmp(p, "%PDF-", 5)) return *ext = "pdf", "application/pdf";
    return NULL;
}

const char *files_type_of(const char *stored)
{
    const char *dot = stored ? strrchr(stored, '.') : NULL;
    if (!dot) return "application/octet-stream";
    if (!strcmp(dot, ".jpg")) return "image/jpeg";
    if (!strcmp(dot, ".png")) return "image/png";
    if (!strcmp(dot, ".webp")) return "image/webp";
    if (!strcmp(dot, ".pdf")) return "application/pdf";
    return "application/octet-stream";
}

static int files_mkdirs(const char *path)
{
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(tmp, 0750) && errno != EEXIST) return -1;
            *p = '/';
        }
    return mkdir(tmp, 0750) && errno != EEXIST ? -1 : 0;
}

/* Writes all of p and makes it durable, with the directory entry. */
static int files_write_durable(const char *dir, const char *path, const void *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) return -1;
    const char *at = p;
    while (n) {
        ssize_t w = write(fd, at, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return close(fd), unlink(path), -1;
        at += w, n -= (size_t)w;
    }
    if (fsync(fd) || close(fd)) return unlink(path), -1;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) fsync(dfd), close(dfd);
    return 0;
}

int files_save(const config *cfg, int64_t community_id, const void *data, size_t n, const char *ext,
               char stored[96], char path[1024])
{
    char dir[768], token[44];
    config_files_dir(cfg, dir, sizeof dir);
    size_t len = strlen(dir);
    snprintf(dir + len, sizeof dir - len, "/%lld", (long long)community_id);
    if (files_mkdirs(dir)) return -1;
    secret_token(token);
    for (char *t = token; *t; t++)   /* a file name: letters and digits only */
        if (*t == '/' || *t == '+' || *t == '-' || *t == '_' || *t == '=') *t = 'x';
    snprintf(stored, 96, "%lld/%.32s.%s", (long long)community_id, token, ext);
    snprintf(path, 1024, "%s/%.32s.%s", dir, token, ext);
    return files_write_durable(dir, path, data, n);
}

char *files_read(arena *a, const config *cfg, const char *stored, size_t max, size_t *len)
{
    char path[1024];
    config_files_dir(cfg, path, sizeof path);
    size_t n = strlen(path);
    snprintf(path + n, sizeof path - n, "/%s", stored);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    long size = fseek(f, 0, SEEK_END) ? -1 : ftell(f);
    if (size < 0 || (size_t)size > max || fseek(f, 0, SEEK_SET)) return fclose(f), NULL;
    char *bytes = arena_alloc(a, (size_t)size + 1);
    size_t got = fread(bytes, 1, (size_t)size, f);
    fclose(f);
    if (got != (size_t)size) return NULL;
    *len = got;
    return bytes;
}

char *files_load(arena *a, const config *cfg, const char *stored, size_t size, size_t max)
{
    size_t len;
    char *bytes = files_read(a, cfg, stored, max, &len);
    return bytes && len == size ? bytes : NULL;
}
