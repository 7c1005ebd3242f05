"""Faults injected by a proxy between snapdir and moto (and the GCS
emulator): 503 and 429 with Retry-After, connection resets mid-body (both
ways), truncated, corrupted, slow and stalled responses. They prove the
retries, the backoff and its cap, that 403/404 are not retried, and that
nothing unverified reaches the cache or a checkout."""

import os

import pytest

from conftest import KEY_ID, SECRET, SMALL, b3, make_tree, shard

OBJ = "/.objects/"


@pytest.fixture
def env(proxy_s3):
    return {"SNAPDIR_S3_STORE_ENDPOINT_URL": proxy_s3.url,
            "AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET}


@pytest.fixture
def pushed(sd, bucket, env, tmp_path, proxy_s3):
    """A snapshot in the bucket; the proxy's log starts empty."""
    files = dict(SMALL, big=os.urandom(300000))
    tree = make_tree(tmp_path / "tree", files)
    store = "s3://%s/f" % bucket
    sid = sd.ok("push", "--store", store, tree, env=env).text
    proxy_s3.clear()
    sd.fresh_cache()
    return store, sid, files


def pull(sd, store, sid, dest, env, **kw):
    return sd.ok("pull", "--store", store, "--id", sid, dest, env=env, **kw)


def test_503_with_retry_after_is_honoured(sd, pushed, env, proxy_s3,
                                          tmp_path):
    store, sid, files = pushed
    proxy_s3.add("status", "GET", OBJ, times=1, code=503,
                 headers={"Retry-After": "1"},
                 body=b"<Error><Code>SlowDown</Code></Error>")
    pull(sd, store, sid, tmp_path / "d", env)
    gets = proxy_s3.requests("GET", OBJ)
    first = next(g for g in gets if g["action"] == "status")
    again = [g for g in gets if g["path"] == first["path"] and g is not first]
    assert again and again[0]["t"] - first["t"] >= 0.95
    assert sd.ok("id", tmp_path / "d").text == sid


def test_429_on_upload_is_retried(sd, bucket, env, proxy_s3, s3, tmp_path):
    tree = make_tree(tmp_path / "tree", {"x": b"throttled upload"})
    proxy_s3.add("status", "PUT", OBJ, times=2, code=429,
                 headers={"Retry-After": "0"})
    sd.ok("push", "--store", "s3://%s/t" % bucket, tree, env=env)
    assert len(proxy_s3.requests("PUT", OBJ)) == 3
    key = "t/" + shard(".objects", b3(b"throttled upload"))
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == \
        b"throttled upload"


@pytest.mark.parametrize("fault", ["reset", "truncate", "drop"])
def test_broken_downloads_are_retried(sd, pushed, env, proxy_s3, tmp_path,
                                      fault):
    store, sid, files = pushed
    proxy_s3.add(fault, "GET", OBJ, times=3)
    pull(sd, store, sid, tmp_path / "d", env)
    assert (tmp_path / "d" / "big").read_bytes() == files["big"]
    assert len([g for g in proxy_s3.requests("GET", OBJ)
                if g["action"] == fault]) == 3


def test_upload_reset_mid_body_is_retried(sd, bucket, env, proxy_s3, s3,
                                          tmp_path):
    data = os.urandom(200000)
    tree = make_tree(tmp_path / "tree", {"f": data})
    proxy_s3.add("reset_upload", "PUT", OBJ, times=2)
    sd.ok("push", "--store", "s3://%s/u" % bucket, tree, env=env)
    key = "u/" + shard(".objects", b3(data))
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == data


def test_corrupted_body_is_downloaded_again(sd, pushed, env, proxy_s3,
                                            tmp_path):
    store, sid, files = pushed
    proxy_s3.add("corrupt", "GET", OBJ, times=2)
    pull(sd, store, sid, tmp_path / "d", env)
    assert sd.ok("id", tmp_path / "d").text == sid


def test_persistent_corruption_is_a_hash_mismatch(sd, pushed, env,
                                                  proxy_s3, tmp_path):
    store, sid, files = pushed
    bad = shard(".objects", b3(files["big"]))
    proxy_s3.add("corrupt", "GET", bad, times=None)
    dest = tmp_path / "d"
    sd.fail("pull", "--store", store, "--id", sid, dest,
            env=dict(env, SNAPDIR_MAX_RETRIES="3"),
            needles=["hash mismatch", b3(files["big"])])
    assert len(proxy_s3.requests("GET", bad)) == 3
    assert not dest.exists()
    cache = sd.env["SNAPDIR_CACHE_DIR"]
    assert not os.path.exists(os.path.join(cache, bad))
    assert not os.path.exists(os.path.join(cache, shard(".manifests", sid)))
    r = sd.fail("verify", "--store", store, "--id", sid,
                env=dict(env, SNAPDIR_MAX_RETRIES="2"),
                needles=["hash mismatch"])
    assert r.rc == 1


def test_corrupted_manifest_is_downloaded_again(sd, pushed, env, proxy_s3,
                                                tmp_path):
    store, sid, files = pushed
    proxy_s3.add("corrupt", "GET", "/.manifests/", times=1)
    pull(sd, store, sid, tmp_path / "d", env)


def test_slow_and_stalled_responses(sd, pushed, env, proxy_s3, tmp_path):
    store, sid, files = pushed
    proxy_s3.add("delay", "GET", OBJ, times=2, seconds=0.4)
    pull(sd, store, sid, tmp_path / "d1", env)
    proxy_s3.clear()
    sd.fresh_cache()
    # headers, then silence: the stall timeout cuts it and the retry wins
    proxy_s3.add("stall", "GET", shard(".objects", b3(files["big"])),
                 times=1, seconds=4)
    r = pull(sd, store, sid, tmp_path / "d2",
             dict(env, SNAPDIR_HTTP_STALL_TIMEOUT="1"))
    assert r.elapsed < 3.9, r
    assert (tmp_path / "d2" / "big").read_bytes() == files["big"]


def test_retries_give_up_after_the_attempts(sd, pushed, env, proxy_s3,
                                            tmp_path):
    store, sid, files = pushed
    proxy_s3.add("status", "GET", "/.manifests/", times=None, code=503)
    sd.fail("fetch", "--store", store, "--id", sid,
            env=dict(env, SNAPDIR_MAX_RETRIES="3"),
            needles=["HTTP 503", "after retrying"])
    assert len(proxy_s3.requests("GET", "/.manifests/")) == 3
    proxy_s3.clear()
    proxy_s3.add("status", "GET", "/.manifests/", times=None, code=503)
    sd.fail("fetch", "--store", store, "--id", sid, "--max-retries", "1",
            env=env)
    assert len(proxy_s3.requests("GET", "/.manifests/")) == 1


def test_the_backoff_cap_bounds_every_sleep(sd, pushed, env, proxy_s3):
    store, sid, files = pushed
    proxy_s3.add("status", "GET", "/.manifests/", times=4, code=500)
    r = sd.ok("fetch", "--store", store, "--id", sid, "--retry-base-ms",
              "5000", "--retry-max-ms", "50", env=env)
    assert r.elapsed < 2.5, r  # four sleeps of at most 50 ms
    assert len(proxy_s3.requests("GET", "/.manifests/")) == 5


@pytest.mark.parametrize("code", [403, 404])
def test_403_and_404_are_not_retried(sd, pushed, env, proxy_s3, code):
    store, sid, files = pushed
    proxy_s3.add("status", "GET", "/.manifests/", times=None, code=code)
    sd.fail("fetch", "--store", store, "--id", sid, env=env)
    assert len(proxy_s3.requests("GET", "/.manifests/")) == 1


def test_connection_refused_is_retried_then_reported(sd, bucket, tmp_path):
    tree = make_tree(tmp_path / "tree", {"f": b"x"})
    env = {"SNAPDIR_S3_STORE_ENDPOINT_URL": "http://127.0.0.1:9",
           "AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET,
           "SNAPDIR_MAX_RETRIES": "3"}
    r = sd.fail("push", "--store", "s3://%s/x" % bucket, tree, env=env,
                needles=["3 attempts"])
    assert SECRET not in r.err


def test_gcs_download_faults(sd, gbucket, proxy_gcs, tmp_path):
    env = {"STORAGE_EMULATOR_HOST": proxy_gcs.url}
    files = dict(SMALL, big=os.urandom(100000))
    tree = make_tree(tmp_path / "tree", files)
    store = "gs://%s/f" % gbucket
    proxy_gcs.add("status", "POST", "uploadType=media", times=1, code=503,
                  headers={"Retry-After": "0"})
    sid = sd.ok("push", "--store", store, tree, env=env).text
    proxy_gcs.clear()
    sd.fresh_cache()
    proxy_gcs.add("reset", "GET", "alt=media", times=1)
    proxy_gcs.add("corrupt", "GET", "alt=media", times=1)
    proxy_gcs.add("status", "GET", "alt=media", times=1, code=429)
    sd.ok("pull", "--store", store, "--id", sid, tmp_path / "d", env=env)
    assert sd.ok("id", tmp_path / "d").text == sid


def test_network_jobs_default_and_connection_reuse(sd, bucket, env,
                                                   proxy_s3, tmp_path):
    """With --jobs unset a network transfer runs 16 at a time (not one per
    CPU), over connections that are kept and reused."""
    files = {"f%02d" % i: b"file %d" % i for i in range(40)}
    tree = make_tree(tmp_path / "tree", files)
    proxy_s3.add("delay", "PUT", OBJ, times=None, seconds=0.2)
    sd.ok("push", "--store", "s3://%s/j" % bucket, tree, env=env)
    assert proxy_s3.max_inflight > min(os.cpu_count() or 1, 4)
    reqs = proxy_s3.requests()
    clients = {r["client"] for r in reqs}
    assert len(clients) <= 17 and len(reqs) >= 80, (len(clients), len(reqs))
