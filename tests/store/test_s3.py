"""s3:// and b2:// against moto in server mode: round trips through the CLI,
the documented key layout checked with boto3, interop both ways, split
object pools, multipart uploads, credentials, regions and signatures (a
second moto verifies every SigV4 signature with botocore's own code)."""

import os

from conftest import (KEY_ID, SECRET, SMALL, b3, make_tree, shard,
                      unique)


def manifest_bytes(sd, tree):
    """The manifest as stored: snapdir's canonical text plus a newline."""
    return sd.ok("manifest", tree).out


def test_push_writes_documented_keys_and_bytes(sd, s3, bucket, s3env,
                                               tmp_path):
    tree = make_tree(tmp_path / "tree", SMALL)
    sid = sd.ok("push", "--store", "s3://%s/team/proj/" % bucket, tree,
                env=s3env).text
    assert sid == sd.ok("id", tree).text
    keys = {o["Key"]: o["Size"] for o in
            s3.list_objects_v2(Bucket=bucket)["Contents"]}
    want = {}
    for data in SMALL.values():
        want["team/proj/" + shard(".objects", b3(data))] = len(data)
    mkey = "team/proj/" + shard(".manifests", sid)
    text = manifest_bytes(sd, tree)
    want[mkey] = len(text)
    assert keys == want  # duplicates once, nothing else (no temporaries)
    assert s3.get_object(Bucket=bucket, Key=mkey)["Body"].read() == text
    assert b3(text) == sid
    for data in SMALL.values():
        key = "team/proj/" + shard(".objects", b3(data))
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == data


def test_round_trip_fetch_pull_verify(sd, bucket, s3env, tmp_path):
    tree = make_tree(tmp_path / "tree", SMALL)
    store = "s3://%s/rt" % bucket
    sid = sd.ok("push", "--store", store, tree, env=s3env).text
    again = sd.ok("push", "--store", store, tree, env=s3env)
    assert again.text == sid
    sd.ok("verify", "--store", store, "--id", sid, env=s3env)
    sd.fresh_cache()
    sd.ok("fetch", "--store", store, "--id", sid, env=s3env)
    sd.fresh_cache()
    dest = tmp_path / "dest"
    sd.ok("pull", "--store", store, "--id", sid, dest, env=s3env)
    assert sd.ok("id", dest).text == sid
    assert (dest / "sub/deep/c.bin").read_bytes() == SMALL["sub/deep/c.bin"]


def test_bucket_root_without_prefix(sd, s3, bucket, s3env, tmp_path):
    tree = make_tree(tmp_path / "tree", {"x": b"x"})
    sid = sd.ok("push", "--store", "s3://%s" % bucket, tree, env=s3env).text
    keys = sorted(o["Key"] for o in
                  s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert keys == sorted([shard(".manifests", sid),
                           shard(".objects", b3(b"x"))])


def upload_snapshot(sd, s3, bucket, prefix, tree, files, corrupt=None):
    """Publish a snapshot with boto3 alone, at the documented keys."""
    text = manifest_bytes(sd, tree)
    for rel, data in files.items():
        body = data
        if corrupt == rel:
            body = b"tampered" + data
        s3.put_object(Bucket=bucket, Key=prefix + shard(".objects", b3(data)),
                      Body=body)
    sid = b3(text)
    s3.put_object(Bucket=bucket, Key=prefix + shard(".manifests", sid),
                  Body=text)
    return sid


def test_snapshot_uploaded_by_boto3_is_pulled_and_verified(sd, s3, bucket,
                                                           s3env, tmp_path):
    files = {"doc/readme.md": b"# hi\n", "bin/tool": os.urandom(70000),
             "zero": b""}
    tree = make_tree(tmp_path / "tree", files)
    sid = upload_snapshot(sd, s3, bucket, "official/", tree, files)
    store = "s3://%s/official" % bucket
    sd.ok("verify", "--store", store, "--id", sid, env=s3env)
    dest = tmp_path / "dest"
    sd.ok("pull", "--store", store, "--id", sid, dest, env=s3env)
    assert sd.ok("id", dest).text == sid
    assert (dest / "bin/tool").read_bytes() == files["bin/tool"]


def test_tampered_object_is_a_hash_mismatch(sd, s3, bucket, s3env,
                                            tmp_path):
    files = {"good": b"good\n", "bad": b"bad bytes\n"}
    tree = make_tree(tmp_path / "tree", files)
    sid = upload_snapshot(sd, s3, bucket, "t/", tree, files, corrupt="bad")
    store = "s3://%s/t" % bucket
    env = dict(s3env, SNAPDIR_MAX_RETRIES="2")
    sd.fail("verify", "--store", store, "--id", sid, env=env,
            needles=["hash mismatch", b3(b"bad bytes\n")])
    dest = tmp_path / "dest"
    sd.fail("pull", "--store", store, "--id", sid, dest, env=env,
            needles=["hash mismatch"])
    assert not dest.exists()
    cache = sd.env["SNAPDIR_CACHE_DIR"]
    assert not os.path.exists(os.path.join(cache, shard(".objects",
                                                        b3(b"bad bytes\n"))))


def test_split_object_pool(sd, s3, bucket, s3env, tmp_path):
    tree = make_tree(tmp_path / "tree", SMALL)
    mstore, pool = "s3://%s/manifests" % bucket, "s3://%s/pool" % bucket
    sid = sd.ok("push", "--store", mstore, "--objects-store", pool, tree,
                env=s3env).text
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert [k for k in keys if "/.manifests/" in k] == [
        "manifests/" + shard(".manifests", sid)]
    assert all(k.startswith("pool/.objects/") for k in keys
               if "/.objects/" in k)
    assert len([k for k in keys if "/.objects/" in k]) == 4
    sd.fresh_cache()
    dest = tmp_path / "dest"
    sd.fail("pull", "--store", mstore, "--id", sid, dest, env=s3env)
    sd.ok("pull", "--store", mstore, "--objects-store", pool, "--id", sid,
          dest, env=s3env)
    assert sd.ok("id", dest).text == sid
    # a local manifest store over a cloud pool (the variable's form)
    local = "file://%s" % (tmp_path / "local")
    penv = dict(s3env, SNAPDIR_OBJECTS_STORE=pool)
    sd.ok("push", "--store", local, tree, env=penv)
    assert not (tmp_path / "local" / ".objects").exists()
    sd.fresh_cache()
    sd.ok("pull", "--store", local, "--id", sid, tmp_path / "dest2",
          env=penv)


def test_multipart_upload_round_trip(sd, s3, bucket, moto, proxy_s3,
                                     tmp_path):
    big = os.urandom(12 * 1024 * 1024 + 12345)
    tree = make_tree(tmp_path / "tree", {"big.bin": big, "small": b"s"})
    env = {"SNAPDIR_S3_STORE_ENDPOINT_URL": proxy_s3.url,
           "AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET,
           "SNAPDIR_S3_MULTIPART_THRESHOLD": str(6 * 1024 * 1024),
           "SNAPDIR_S3_PART_SIZE": str(5 * 1024 * 1024)}
    store = "s3://%s/mp" % bucket
    sid = sd.ok("push", "--store", store, tree, env=env).text
    parts = proxy_s3.requests("PUT", "partNumber=")
    assert len(parts) == 3
    assert len(proxy_s3.requests("POST", "uploads")) == 1
    assert len(proxy_s3.requests("POST", "uploadId=")) == 1
    key = "mp/" + shard(".objects", b3(big))
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == big
    sd.fresh_cache()
    dest = tmp_path / "dest"
    sd.ok("pull", "--store", store, "--id", sid, dest, env=env)
    assert (dest / "big.bin").read_bytes() == big


def test_failed_multipart_is_aborted_and_invisible(sd, s3, bucket, proxy_s3,
                                                   tmp_path):
    big = os.urandom(11 * 1024 * 1024)
    tree = make_tree(tmp_path / "tree", {"big.bin": big})
    env = {"SNAPDIR_S3_STORE_ENDPOINT_URL": proxy_s3.url,
           "AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET,
           "SNAPDIR_S3_MULTIPART_THRESHOLD": str(6 * 1024 * 1024),
           "SNAPDIR_S3_PART_SIZE": str(5 * 1024 * 1024)}
    proxy_s3.add("status", "PUT", "partNumber=2", times=None, code=403,
                  body=b"<Error><Code>AccessDenied</Code>"
                       b"<Message>no parts today</Message></Error>")
    sd.fail("push", "--store", "s3://%s/mp" % bucket, tree, env=env,
            needles=["403", "AccessDenied"])
    assert len(proxy_s3.requests("PUT", "partNumber=2")) == 1  # no retry
    assert len(proxy_s3.requests("DELETE", "uploadId=")) == 1  # aborted
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads") in (None,
                                                                      [])


def test_b2_through_the_endpoint_override(sd, s3, bucket, proxy_s3,
                                          tmp_path):
    tree = make_tree(tmp_path / "tree", SMALL)
    env = {"SNAPDIR_S3_STORE_ENDPOINT_URL": proxy_s3.url,
           "AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET,
           "SNAPDIR_B2_REGION": "eu-central-003"}
    store = "b2://%s/b2pre" % bucket
    sid = sd.ok("push", "--store", store, tree, env=env).text
    assert s3.head_object(Bucket=bucket,
                          Key="b2pre/" + shard(".manifests", sid))
    auth = proxy_s3.requests()[0]["headers"]["authorization"]
    assert "/eu-central-003/s3/aws4_request" in auth  # signs for B2's region
    sd.fresh_cache()
    dest = tmp_path / "dest"
    sd.ok("pull", "--store", store, "--id", sid, dest, env=env)
    assert sd.ok("id", dest).text == sid


def scope_of(proxy):
    auth = proxy.requests()[-1]["headers"].get("authorization", "")
    return auth.split("Credential=")[1].split(",")[0] if auth else None


def test_region_and_credentials_chain(sd, bucket, proxy_s3, tmp_path):
    tree = make_tree(tmp_path / "tree", {"f": b"f"})
    store = "s3://%s/chain" % bucket
    base = {"SNAPDIR_S3_STORE_ENDPOINT_URL": proxy_s3.url}
    env = dict(base, AWS_ACCESS_KEY_ID=KEY_ID, AWS_SECRET_ACCESS_KEY=SECRET)
    sd.ok("push", "--store", store, tree, env=env)
    assert scope_of(proxy_s3).startswith(KEY_ID + "/")
    assert scope_of(proxy_s3).endswith("/us-east-1/s3/aws4_request")
    sd.ok("push", "--store", store, tree,
          env=dict(env, AWS_DEFAULT_REGION="ap-south-1"))
    assert "/ap-south-1/" in scope_of(proxy_s3)
    sd.ok("push", "--store", store, tree,
          env=dict(env, AWS_DEFAULT_REGION="ap-south-1",
                   AWS_REGION="eu-west-3"))
    assert "/eu-west-3/" in scope_of(proxy_s3)
    # shared files: a named profile, its session token and region
    creds, conf = tmp_path / "credentials", tmp_path / "config"
    creds.write_text("[default]\naws_access_key_id = AKIADEFAULT\n"
                     "aws_secret_access_key = nope\n\n[dev]\n"
                     "aws_access_key_id = AKIAFROMPROFILE\n"
                     "aws_secret_access_key = profile-secret-xyz\n"
                     "aws_session_token = profile-token-abc\n")
    conf.write_text("[profile dev]\nregion = sa-east-1\n")
    penv = dict(base, AWS_SHARED_CREDENTIALS_FILE=str(creds),
                AWS_CONFIG_FILE=str(conf), AWS_PROFILE="dev")
    sd.ok("push", "--store", store, tree, env=penv)
    last = proxy_s3.requests()[-1]["headers"]
    assert scope_of(proxy_s3).startswith("AKIAFROMPROFILE/")
    assert "/sa-east-1/" in scope_of(proxy_s3)
    assert last["x-amz-security-token"] == "profile-token-abc"
    # ~/.aws of the HOME, default profile
    aws = tmp_path / "home" / ".aws"
    aws.mkdir(parents=True)
    (aws / "credentials").write_text(creds.read_text())
    sd.ok("push", "--store", store, tree, env=base)
    assert scope_of(proxy_s3).startswith("AKIADEFAULT/")


def test_aws_endpoint_variables(sd, bucket, proxy_s3, moto, tmp_path):
    tree = make_tree(tmp_path / "tree", {"f": b"endpoint"})
    env = {"AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET}
    store = "s3://%s/ep" % bucket
    sd.ok("push", "--store", store, tree,
          env=dict(env, AWS_ENDPOINT_URL=proxy_s3.url))
    assert proxy_s3.requests()
    proxy_s3.clear()
    # the service-specific variable wins over the general one
    sd.ok("push", "--store", store, tree,
          env=dict(env, AWS_ENDPOINT_URL="http://127.0.0.1:9",
                   AWS_ENDPOINT_URL_S3=proxy_s3.url))
    assert proxy_s3.requests()
    # and snapdir's own wins over both
    proxy_s3.clear()
    sd.ok("push", "--store", store, tree,
          env=dict(env, AWS_ENDPOINT_URL_S3="http://127.0.0.1:9",
                   SNAPDIR_S3_STORE_ENDPOINT_URL=moto.url))
    assert not proxy_s3.requests()


def test_signatures_checked_by_botocore(sd, moto_auth, tmp_path):
    """Every request (HEAD, GET, PUT, ListObjectsV2 with its query, the
    multipart calls) passes moto's SigV4 verification."""
    files = {"f%03d" % i: b"%d\n" % i for i in range(80)}
    files["big"] = os.urandom(6 * 1024 * 1024 + 7)
    tree = make_tree(tmp_path / "tree", files)
    env = {"SNAPDIR_S3_STORE_ENDPOINT_URL": moto_auth.url,
           "AWS_ACCESS_KEY_ID": moto_auth.key_id,
           "AWS_SECRET_ACCESS_KEY": moto_auth.secret,
           "SNAPDIR_S3_MULTIPART_THRESHOLD": str(5 * 1024 * 1024),
           "SNAPDIR_S3_PART_SIZE": str(5 * 1024 * 1024)}
    store = "s3://signed/with space/x~y"
    sid = sd.ok("push", "--store", store, tree, env=env).text
    sd.ok("push", "--store", store, tree, env=env)
    sd.fresh_cache()
    dest = tmp_path / "dest"
    sd.ok("pull", "--store", store, "--id", sid, dest, env=env)
    assert sd.ok("id", dest).text == sid
    # 80 more objects: the presence listing (ListObjectsV2) is signed too
    more = make_tree(tmp_path / "more", {"g%03d" % i: b"g%d" % i
                                         for i in range(80)})
    sd.ok("push", "--store", store, more, env=env)


def test_wrong_credentials_are_clear_and_secret_free(sd, moto_auth,
                                                     tmp_path):
    tree = make_tree(tmp_path / "tree", {"f": b"x"})
    store = "s3://signed/wrong"
    bad = "wrong/secret+value-1234567890"
    env = {"SNAPDIR_S3_STORE_ENDPOINT_URL": moto_auth.url,
           "AWS_ACCESS_KEY_ID": moto_auth.key_id,
           "AWS_SECRET_ACCESS_KEY": bad}
    for args in (("push", "--verbose", "--store", store, tree),
                 ("fetch", "--verbose", "--store", store, "--id", "a" * 64),
                 ("verify", "--store", store, "--id", "a" * 64)):
        r = sd.fail(*args, env=env, needles=["403", "credentials"])
        assert bad not in r.err and bad.encode() not in r.out
    r = sd.fail("fetch", "--verbose", "--store", store, "--id", "a" * 64,
                env=dict(env, AWS_SESSION_TOKEN="sess-tok-987"))
    for secret in (bad, "sess-tok-987"):
        assert secret not in r.err and secret.encode() not in r.out
    r = sd.fail("fetch", "--store", store, "--id", "a" * 64,
                env=dict(env, AWS_ACCESS_KEY_ID="AKIAUNKNOWN0000000000"),
                needles=["InvalidAccessKeyId"])


def test_anonymous_requests_explain_missing_credentials(sd, bucket,
                                                        proxy_s3, tmp_path):
    tree = make_tree(tmp_path / "tree", {"f": b"x"})
    proxy_s3.add("status", times=None, code=403)
    sd.fail("push", "--store", "s3://%s/anon" % bucket, tree,
            env={"SNAPDIR_S3_STORE_ENDPOINT_URL": proxy_s3.url},
            needles=["403", "no AWS credentials found"])
    assert "authorization" not in proxy_s3.requests()[0]["headers"]


def test_missing_bucket_is_a_clear_error(sd, s3env, tmp_path):
    tree = make_tree(tmp_path / "tree", {"f": b"x"})
    store = "s3://%s/x" % unique("missing")
    sd.fail("push", "--store", store, tree, env=s3env,
            needles=["NoSuchBucket", "bucket does not exist"])
    sd.fail("fetch", "--store", store, "--id", "b" * 64, env=s3env,
            needles=["NoSuchBucket", "bucket does not exist"])


def test_unknown_manifest_is_not_found(sd, bucket, s3env):
    sd.fail("fetch", "--store", "s3://%s/none" % bucket, "--id", "c" * 64,
            env=s3env, needles=["manifest not found"])


def test_built_in_schemes_and_unknown_ones(sd, s3env, tmp_path):
    tree = make_tree(tmp_path / "tree", {"f": b"x"})
    r = sd.run("push", "--store", "ftp://host/x", tree, env=s3env)
    assert r.rc != 0 and "gs://bucket/prefix" in r.err
    r = sd.run("push", "--store", "s3://", tree, env=s3env)
    assert r.rc != 0 and "no bucket" in r.err


def test_presence_listing_follows_continuation_tokens(sd, s3, bucket,
                                                     proxy_s3, tmp_path):
    """A push of many objects asks one listing of .objects/ instead of a
    HEAD each; more than one ListObjectsV2 page (moto pages at 1000 keys)
    is followed through continuation tokens."""
    files = {"d%d/f%04d" % (i % 7, i): b"%d" % i for i in range(1100)}
    tree = make_tree(tmp_path / "tree", files)
    env = {"SNAPDIR_S3_STORE_ENDPOINT_URL": proxy_s3.url,
           "AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET}
    store = "s3://%s/many" % bucket
    sd.ok("push", "--store", store, tree, env=env)
    proxy_s3.clear()
    tree2 = make_tree(tmp_path / "tree2", dict(files, new=b"brand new"))
    sd.ok("push", "--store", store, tree2, env=env)
    heads = proxy_s3.requests("HEAD", "/.objects/")
    lists = proxy_s3.requests("GET", "list-type=2")
    puts = proxy_s3.requests("PUT", "/.objects/")
    assert len(heads) < 64 and len(lists) == 2, (len(heads), len(lists))
    assert "continuation-token=" in lists[1]["path"]
    assert len(puts) == 1  # only the new object
    keys = [o for p in s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix="many/.objects/") for o in p["Contents"]]
    assert len(keys) == 1101


def test_tls_peer_verification_is_always_on(sd, tmp_path):
    """An HTTPS endpoint with a self-signed certificate is refused, at once
    (a certificate problem is not worth a retry)."""
    import datetime
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(__import__("ipaddress")
                                .ip_address("127.0.0.1"))]), False)
            .sign(key, hashes.SHA256()))
    (tmp_path / "c.pem").write_bytes(cert.public_bytes(
        serialization.Encoding.PEM))
    (tmp_path / "k.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    hits = []

    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_HEAD(self):
            hits.append(self.path)
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        tree = make_tree(tmp_path / "tree", {"f": b"x"})
        env = {"SNAPDIR_S3_STORE_ENDPOINT_URL":
               "https://127.0.0.1:%d" % srv.server_address[1],
               "AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET}
        r = sd.fail("push", "--store", "s3://tls/x", tree, env=env,
                    needles=["certificate", "(1 attempt)"])
        assert not hits
    finally:
        srv.shutdown()
        srv.server_close()
