/* SPDX-License-Identifier: MIT */
/*
 * gcs_auth.h - OAuth 2 access tokens for Google Cloud Storage: from a
 * service-account key (an RS256-signed JWT exchanged at its token_uri), an
 * authorized-user refresh token, or the metadata server; cached until
 * shortly before they expire. Tokens are masked in every message.
 */
#ifndef SD_GCS_AUTH_H
#define SD_GCS_AUTH_H

#include "store/http.h"

typedef struct sd_gcs_auth sd_gcs_auth;

/*
 * Find the credentials: GOOGLE_APPLICATION_CREDENTIALS, else gcloud's
 * application-default file, else the metadata server (GCE_METADATA_HOST or
 * metadata.google.internal). anonymous: send none (an emulator).
 */
int sd_gcs_auth_new(sd_gcs_auth **out, sd_http *http, int anonymous);
void sd_gcs_auth_free(sd_gcs_auth *a);

/* "Authorization: Bearer <token>" into out, or nothing when anonymous. */
int sd_gcs_auth_header(sd_gcs_auth *a, sd_buf *out);

/* Forget the cached token (the server said 401). */
void sd_gcs_auth_invalidate(sd_gcs_auth *a);

/* Base64url without padding (JWT's encoding), appended to out. */
int sd_gcs_base64url(sd_buf *out, const unsigned char *data, size_t len);

#endif
