"""gs:// (and its alias gcs://) against gcp-storage-emulator: round trips,
the documented object names checked with google-cloud-storage, interop both
ways, resumable uploads (resumed after a failed chunk), and the credential
flows (service-account JWT, authorized-user refresh token, metadata server)
against a fake token endpoint in front of the emulator."""

import json
import os

import pytest

from conftest import SMALL, b3, make_tree, shard, unique
import servers


@pytest.fixture
def genv(gcs):
    return {"STORAGE_EMULATOR_HOST": gcs.url}


def test_push_writes_documented_names_and_bytes(sd, gclient, gbucket, genv,
                                                tmp_path):
    tree = make_tree(tmp_path / "tree", SMALL)
    sid = sd.ok("push", "--store", "gs://%s/team/proj/" % gbucket, tree,
                env=genv).text
    assert sid == sd.ok("id", tree).text
    blobs = {b.name: b.size for b in gclient.list_blobs(gbucket)}
    want = {"team/proj/" + shard(".objects", b3(d)): len(d)
            for d in SMALL.values()}
    text = sd.ok("manifest", tree).out
    want["team/proj/" + shard(".manifests", sid)] = len(text)
    assert blobs == want
    b = gclient.bucket(gbucket)
    assert b.blob("team/proj/" + shard(".manifests", sid)) \
        .download_as_bytes() == text
    for data in SMALL.values():
        assert b.blob("team/proj/" + shard(".objects", b3(data))) \
            .download_as_bytes() == data


@pytest.mark.parametrize("scheme", ["gs", "gcs"])
def test_round_trip(sd, gbucket, genv, tmp_path, scheme):
    tree = make_tree(tmp_path / "tree", SMALL)
    store = "%s://%s/rt" % (scheme, gbucket)
    sid = sd.ok("push", "--store", store, tree, env=genv).text
    sd.ok("push", "--store", store, tree, env=genv)
    sd.ok("verify", "--store", store, "--id", sid, env=genv)
    sd.fresh_cache()
    dest = tmp_path / "dest"
    sd.ok("pull", "--store", store, "--id", sid, dest, env=genv)
    assert sd.ok("id", dest).text == sid


def test_snapshot_uploaded_by_google_client_is_pulled(sd, gclient, gbucket,
                                                     genv, tmp_path):
    files = {"a/b/c.txt": b"abc\n", "blob": os.urandom(50000), "e": b""}
    tree = make_tree(tmp_path / "tree", files)
    text = sd.ok("manifest", tree).out
    b = gclient.bucket(gbucket)
    for data in files.values():
        b.blob("up/" + shard(".objects", b3(data))).upload_from_string(data)
    sid = b3(text)
    b.blob("up/" + shard(".manifests", sid)).upload_from_string(text)
    store = "gs://%s/up" % gbucket
    sd.ok("verify", "--store", store, "--id", sid, env=genv)
    dest = tmp_path / "dest"
    sd.ok("pull", "--store", store, "--id", sid, dest, env=genv)
    assert (dest / "blob").read_bytes() == files["blob"]
    # a tampered object is a hash mismatch, and nothing is checked out
    b.blob("up/" + shard(".objects", b3(files["blob"]))) \
        .upload_from_string(b"tampered")
    sd.fresh_cache()
    env = dict(genv, SNAPDIR_MAX_RETRIES="2")
    sd.fail("verify", "--store", store, "--id", sid, env=env,
            needles=["hash mismatch"])
    sd.fail("pull", "--store", store, "--id", sid, tmp_path / "d2", env=env,
            needles=["hash mismatch"])
    assert not (tmp_path / "d2").exists()


def test_resumable_upload_resumes_after_a_failed_chunk(sd, gclient, gbucket,
                                                       proxy_gcs, tmp_path):
    big = os.urandom(5 * 1024 * 1024 + 4321)
    tree = make_tree(tmp_path / "tree", {"big": big})
    env = {"STORAGE_EMULATOR_HOST": proxy_gcs.url,
           "SNAPDIR_GCS_RESUMABLE_THRESHOLD": str(1024 * 1024),
           "SNAPDIR_GCS_CHUNK_SIZE": str(2 * 1024 * 1024)}
    # the second chunk's connection dies halfway through its body, the
    # third is refused once (not the first: with nothing received the
    # emulator claims "bytes=0-0")
    proxy_gcs.add("forward", "PUT", "upload_id=", times=1)
    proxy_gcs.add("reset_upload", "PUT", "upload_id=", times=1)
    proxy_gcs.add("status", "PUT", "upload_id=", times=1, code=503)
    store = "gs://%s/res" % gbucket
    sid = sd.ok("push", "--store", store, tree, env=env).text
    chunks = proxy_gcs.requests("PUT", "upload_id=")
    ranges = [c["headers"].get("content-range") for c in chunks]
    assert "bytes */%d" % len(big) in ranges, ranges  # asked where to resume
    assert gclient.bucket(gbucket).blob(
        "res/" + shard(".objects", b3(big))).download_as_bytes() == big
    sd.fresh_cache()
    dest = tmp_path / "dest"
    sd.ok("pull", "--store", store, "--id", sid, dest, env=env)
    assert (dest / "big").read_bytes() == big


def test_missing_bucket_is_a_clear_error(sd, genv, tmp_path):
    tree = make_tree(tmp_path / "tree", {"f": b"x"})
    store = "gs://%s/x" % unique("nob")
    sd.fail("push", "--store", store, tree, env=genv,
            needles=["bucket does not exist"])
    sd.fail("fetch", "--store", store, "--id", "d" * 64, env=genv,
            needles=["bucket does not exist"])


def test_objects_on_s3_manifests_on_gcs(sd, gbucket, genv, bucket, s3env,
                                        s3, tmp_path):
    tree = make_tree(tmp_path / "tree", SMALL)
    env = dict(genv, **s3env)
    mstore, pool = "gs://%s/m" % gbucket, "s3://%s/pool" % bucket
    sid = sd.ok("push", "--store", mstore, "--objects-store", pool, tree,
                env=env).text
    assert len(s3.list_objects_v2(Bucket=bucket)["Contents"]) == 4
    sd.fresh_cache()
    dest = tmp_path / "dest"
    sd.ok("pull", "--store", mstore, "--objects-store", pool, "--id", sid,
          dest, env=env)
    assert sd.ok("id", dest).text == sid


# ---- credentials --------------------------------------------------------------

@pytest.fixture
def rsa_key():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM,
                            serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return key, pem


@pytest.fixture
def google(rsa_key):
    g = servers.FakeGoogle(public_key=rsa_key[0].public_key(),
                           refresh_token="1//refresh-secret-token")
    yield g
    g.close()


def authed_env(proxy, google, extra):
    proxy.require_bearer = google.token
    env = {"SNAPDIR_GCS_ENDPOINT_URL": proxy.url}
    env.update(extra)
    return env


def test_service_account_jwt(sd, gbucket, proxy_gcs, google, rsa_key,
                             tmp_path):
    key = tmp_path / "sa.json"
    key.write_text(json.dumps({
        "type": "service_account", "project_id": "p",
        "private_key_id": "k1", "private_key": rsa_key[1],
        "client_email": "snapdir@p.iam.gserviceaccount.com",
        "client_id": "1", "token_uri": google.url + "/token"}))
    env = authed_env(proxy_gcs, google,
                     {"GOOGLE_APPLICATION_CREDENTIALS": str(key)})
    tree = make_tree(tmp_path / "tree", SMALL)
    store = "gs://%s/sa" % gbucket
    sid = sd.ok("push", "--store", store, tree, env=env).text
    tokens = [c for c in google.calls if c[0] == "token"]
    assert len(tokens) == 1  # cached across every request of the run
    header, claims = google.last_jwt
    assert claims["iss"] == "snapdir@p.iam.gserviceaccount.com"
    assert claims["exp"] - claims["iat"] == 3600
    assert all(r["headers"]["authorization"] == "Bearer " + google.token
               for r in proxy_gcs.requests())
    sd.fresh_cache()
    sd.ok("pull", "--store", store, "--id", sid, tmp_path / "dest", env=env)
    # a key the token endpoint rejects: a clear message, no secret in it
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    doc = json.loads(key.read_text())
    doc["private_key"] = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()
    key.write_text(json.dumps(doc))
    r = sd.fail("verify", "--verbose", "--store", store, "--id", sid,
                env=env, needles=["access token", "invalid_grant"])
    assert "PRIVATE KEY" not in r.err


def test_authorized_user_refresh_token(sd, gbucket, proxy_gcs, google,
                                       tmp_path):
    cred = tmp_path / "user.json"
    doc = {"type": "authorized_user", "client_id": "cid.apps",
           "client_secret": "client-secret-value",
           "refresh_token": "1//refresh-secret-token",
           "token_uri": google.url + "/token"}
    cred.write_text(json.dumps(doc))
    env = authed_env(proxy_gcs, google,
                     {"GOOGLE_APPLICATION_CREDENTIALS": str(cred)})
    tree = make_tree(tmp_path / "tree", {"f": b"user"})
    sd.ok("push", "--store", "gs://%s/u" % gbucket, tree, env=env)
    form = [c[1] for c in google.calls if c[0] == "token"][0]
    assert form["grant_type"] == ["refresh_token"]
    assert form["client_secret"] == ["client-secret-value"]
    # the gcloud application-default file is found the same way
    adc = tmp_path / "home" / ".config" / "gcloud"
    adc.mkdir(parents=True)
    (adc / "application_default_credentials.json").write_text(cred.read_text())
    sd.ok("push", "--store", "gs://%s/u2" % gbucket, tree,
          env=authed_env(proxy_gcs, google, {}))
    # a revoked refresh token: a clear error without the secrets
    doc["refresh_token"] = "1//revoked-refresh-token"
    cred.write_text(json.dumps(doc))
    r = sd.fail("push", "--verbose", "--store", "gs://%s/u3" % gbucket, tree,
                env=env, needles=["invalid_grant", "access token"])
    for secret in ("1//revoked-refresh-token", "client-secret-value"):
        assert secret not in r.err


def test_metadata_server(sd, gbucket, proxy_gcs, google, tmp_path):
    env = authed_env(proxy_gcs, google, {
        "GCE_METADATA_HOST": "127.0.0.1:%d" % google.port})
    tree = make_tree(tmp_path / "tree", {"f": b"metadata"})
    sd.ok("push", "--store", "gs://%s/md" % gbucket, tree, env=env)
    md = [c for c in google.calls if c[0] == "metadata"]
    assert len(md) == 1 and md[0][1].get("Metadata-Flavor") == "Google"


def test_no_credentials_anywhere(sd, gbucket, proxy_gcs, tmp_path):
    env = {"SNAPDIR_GCS_ENDPOINT_URL": proxy_gcs.url,
           "GCE_METADATA_HOST": "127.0.0.1:9", "SNAPDIR_MAX_RETRIES": "1"}
    tree = make_tree(tmp_path / "tree", {"f": b"x"})
    sd.fail("push", "--store", "gs://%s/none" % gbucket, tree, env=env,
            needles=["GOOGLE_APPLICATION_CREDENTIALS"])
