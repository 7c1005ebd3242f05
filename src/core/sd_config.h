/* SPDX-License-Identifier: MIT */
/* sd_config.h - defaults shared by the CLI and the bindings (cache dir). */
#ifndef SD_CONFIG_H
#define SD_CONFIG_H

/*
 * ${XDG_CACHE_HOME:-$HOME/.cache}/snapdir. Unlike the reference, an empty
 * XDG_CACHE_HOME counts as unset (the XDG spec's rule), never "/snapdir".
 * Owned by the caller (sd_free); NULL on allocation failure.
 */
char *sd_default_cache_dir(void);

/* SNAPDIR_CACHE_DIR when non-empty, else the default above. */
char *sd_resolve_cache_dir(const char *flag_value);

#endif
