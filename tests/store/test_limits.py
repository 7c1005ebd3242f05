"""Request and byte rate limits: token buckets that start full with one
second's budget and go into debt, so a request larger than that budget is
delayed, never refused (the reference hangs there)."""

import os

from conftest import KEY_ID, SECRET, b3, make_tree, shard


def test_limit_rate_goes_into_debt(sd, bucket, s3env, s3, tmp_path):
    data = os.urandom(256 * 1024)
    tree = make_tree(tmp_path / "tree", {"obj": data})
    r = sd.ok("push", "--store", "s3://%s/lr" % bucket, "--limit-rate", "64K",
              tree, env=s3env, timeout=60)
    # 64 KiB up front, then 192 KiB at 64 KiB/s
    assert 2.4 <= r.elapsed <= 20, r
    key = "lr/" + shard(".objects", b3(data))
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == data


def test_limit_rate_from_the_environment_on_download(sd, bucket, s3env,
                                                    tmp_path):
    data = os.urandom(192 * 1024)
    tree = make_tree(tmp_path / "tree", {"obj": data})
    store = "s3://%s/lre" % bucket
    sid = sd.ok("push", "--store", store, tree, env=s3env).text
    sd.fresh_cache()
    r = sd.ok("pull", "--store", store, "--id", sid, tmp_path / "d",
              env=dict(s3env, SNAPDIR_LIMIT_RATE="64K"), timeout=60)
    assert 1.6 <= r.elapsed <= 20, r


def test_b2_default_byte_cap_does_not_hang_big_objects(sd, bucket, s3env,
                                                       tmp_path):
    """Above B2's default 25 MiB/s a single object used to wait forever."""
    data = os.urandom(30 * 1024 * 1024)
    tree = make_tree(tmp_path / "tree", {"big": data})
    env = dict(s3env, SNAPDIR_B2_REGION="us-west-004")
    store = "b2://%s/b2big" % bucket
    sid = sd.ok("push", "--store", store, tree, env=env, timeout=120).text
    sd.fresh_cache()
    sd.ok("pull", "--store", store, "--id", sid, tmp_path / "d", env=env,
          timeout=120)
    assert (tmp_path / "d" / "big").read_bytes() == data


def test_max_requests_paces_every_request(sd, bucket, proxy_s3, tmp_path):
    tree = make_tree(tmp_path / "tree", {"f%d" % i: b"r%d" % i
                                         for i in range(6)})
    env = {"SNAPDIR_S3_STORE_ENDPOINT_URL": proxy_s3.url,
           "AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET}
    r = sd.ok("push", "--store", "s3://%s/mr" % bucket, "--max-requests", "5",
              tree, env=env, timeout=60)
    n = len(proxy_s3.requests())
    assert n == 14  # HEAD manifest, 6 HEAD + 6 PUT, PUT manifest
    assert r.elapsed >= (n - 5) / 5.0 - 0.3, r
    times = sorted(e["t"] for e in proxy_s3.requests())
    # after the first second's budget no second holds more than 5 (+1)
    late = [t for t in times if t - times[0] >= 1.0]
    for t in late:
        assert len([u for u in late if t <= u < t + 1.0]) <= 6
    proxy_s3.clear()
    sd.fresh_cache()
    r = sd.ok("push", "--store", "s3://%s/mr2" % bucket, tree,
              env=dict(env, SNAPDIR_MAX_REQUESTS="4"), timeout=60)
    assert r.elapsed >= (len(proxy_s3.requests()) - 4) / 4.0 - 0.3, r
