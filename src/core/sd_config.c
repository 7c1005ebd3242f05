/* SPDX-License-Identifier: MIT */
/* sd_config.c - resolution of defaults; see sd_config.h. */
#include "core/sd_config.h"
#include "util/sd_alloc.h"
#include "util/sd_path.h"

#include <stdlib.h>

char *sd_default_cache_dir(void)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    char *base, *dir;

    if (xdg && xdg[0]) {
        return sd_path_join(xdg, "snapdir");
    }
    base = sd_path_join(home ? home : "", ".cache");
    if (!base) {
        return NULL;
    }
    dir = sd_path_join(base, "snapdir");
    sd_free(base);
    return dir;
}

char *sd_resolve_cache_dir(const char *flag_value)
{
    const char *env = getenv("SNAPDIR_CACHE_DIR");

    if (flag_value && flag_value[0]) {
        return sd_path_absolute(flag_value);
    }
    if (env && env[0]) {
        return sd_path_absolute(env);
    }
    return sd_default_cache_dir();
}
