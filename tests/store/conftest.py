"""Fixtures of the store suite: real servers on 127.0.0.1 (moto for S3 and
B2, gcp-storage-emulator for GCS), fault proxies in front of them, and an
isolated snapdir runner. Nothing here is skipped: a missing server is a
failure (scripts/bootstrap installs them)."""

import itertools
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import servers  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
KEY_ID = "AKIASNAPDIRTESTKEY01"
SECRET = "snapdir-test-secret/DO-NOT-LEAK+1234567890"
_names = itertools.count()

DROP_PREFIXES = ("AWS_", "SNAPDIR_", "GOOGLE_", "CLOUDSDK_")
DROP = {"STORAGE_EMULATOR_HOST", "GCE_METADATA_HOST", "http_proxy",
        "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy",
        "NO_PROXY", "no_proxy"}


def snapdir_bin():
    p = os.environ.get("SNAPDIR_BIN")
    return p if p else str(REPO / "build" / "snapdir")


class Result:
    def __init__(self, args, rc, out, err, elapsed):
        self.args, self.rc, self.out, self.err = args, rc, out, err
        self.elapsed = elapsed

    @property
    def text(self):
        return self.out.decode().strip()

    def __repr__(self):
        return "<snapdir %r rc=%r %.2fs stdout=%r stderr=%r>" % (
            self.args, self.rc, self.elapsed, self.out[:300], self.err[:1500])


class Snapdir:
    """The CLI with a clean environment, its own HOME and cache."""

    def __init__(self, tmp):
        self.tmp = Path(tmp)
        home = self.tmp / "home"
        home.mkdir(exist_ok=True)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(DROP_PREFIXES) and k not in DROP}
        env.update({"HOME": str(home),
                    "SNAPDIR_CACHE_DIR": str(self.tmp / "cache"),
                    "SNAPDIR_CATALOG": "none",
                    "SNAPDIR_RETRY_BASE_MS": "20",
                    "SNAPDIR_RETRY_MAX_MS": "200"})
        self.env = env
        self._caches = itertools.count()

    def run(self, *args, env=None, timeout=180):
        e = dict(self.env)
        for k, v in (env or {}).items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = v
        t = time.monotonic()
        p = subprocess.run([snapdir_bin()] + [str(a) for a in args], env=e,
                           capture_output=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
        return Result(list(args), p.returncode, p.stdout,
                      p.stderr.decode("utf-8", "replace"),
                      time.monotonic() - t)

    def ok(self, *args, **kw):
        r = self.run(*args, **kw)
        assert r.rc == 0, r
        return r

    def fail(self, *args, needles=(), **kw):
        r = self.run(*args, **kw)
        assert r.rc == 1, r
        assert "snapdir: " in r.err, r
        for n in needles:
            assert n in r.err, (n, r)
        return r

    def fresh_cache(self):
        """Point later runs at an empty cache (a new machine)."""
        path = self.tmp / ("cache%d" % next(self._caches))
        self.env["SNAPDIR_CACHE_DIR"] = str(path)
        return path


def unique(prefix):
    return "%s-%d-%s" % (prefix, next(_names), uuid.uuid4().hex[:8])


# ---- servers (one each per session) ----------------------------------------

@pytest.fixture(scope="session")
def logdir(tmp_path_factory):
    return tmp_path_factory.mktemp("server-logs")


@pytest.fixture(scope="session")
def moto(logdir):
    s = servers.start_moto(open(logdir / "moto.log", "wb"))
    yield s
    s.stop()


@pytest.fixture(scope="session")
def moto_auth(logdir):
    """A moto that verifies SigV4 (with botocore) for one IAM user."""
    import boto3
    import json

    s = servers.start_moto(open(logdir / "moto-auth.log", "wb"))
    kw = dict(endpoint_url=s.url, region_name="us-east-1",
              aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
              aws_secret_access_key="bootstrap")
    iam = boto3.client("iam", **kw)
    iam.create_user(UserName="snapdir")
    iam.put_user_policy(UserName="snapdir", PolicyName="all",
                        PolicyDocument=json.dumps({
                            "Version": "2012-10-17",
                            "Statement": [{"Effect": "Allow", "Action": "*",
                                           "Resource": "*"}]}))
    key = iam.create_access_key(UserName="snapdir")["AccessKey"]
    boto3.client("s3", **kw).create_bucket(Bucket="signed")
    servers.moto_enable_auth(s.url)
    s.key_id, s.secret = key["AccessKeyId"], key["SecretAccessKey"]
    yield s
    s.stop()


@pytest.fixture(scope="session")
def gcs(logdir):
    s = servers.start_gcs_emulator(open(logdir / "gcs.log", "wb"))
    yield s
    s.stop()


# ---- per test -----------------------------------------------------------------

@pytest.fixture
def sd(tmp_path):
    return Snapdir(tmp_path)


def s3_client(url):
    import boto3

    return boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id=KEY_ID,
                        aws_secret_access_key=SECRET)


@pytest.fixture
def s3(moto):
    return s3_client(moto.url)


@pytest.fixture
def bucket(s3):
    name = unique("b")
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3env(moto):
    return {"SNAPDIR_S3_STORE_ENDPOINT_URL": moto.url,
            "AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET}


def gcs_client(url):
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    os.environ["STORAGE_EMULATOR_HOST"] = url
    return storage.Client(project="snapdir-test",
                          credentials=AnonymousCredentials())


@pytest.fixture
def gclient(gcs):
    return gcs_client(gcs.url)


@pytest.fixture
def gbucket(gclient):
    name = unique("g")
    gclient.create_bucket(name)
    return name


@pytest.fixture
def proxy_s3(moto):
    p = servers.FaultProxy(moto.port)
    yield p
    p.close()


@pytest.fixture
def proxy_gcs(gcs):
    p = servers.FaultProxy(gcs.port)
    yield p
    p.close()


# ---- trees --------------------------------------------------------------------

def make_tree(root, files):
    """files: {"rel/path": bytes}"""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    return root


SMALL = {"a.txt": b"hello\n", "empty": b"", "sub/b.txt": b"world!!\n",
         "sub/deep/c.bin": bytes(range(256)) * 4, "dup.txt": b"hello\n"}


def b3(data):
    p = subprocess.run(["b3sum", "--no-names"], input=data,
                       capture_output=True, check=True)
    return p.stdout.decode().split()[0]


def shard(family, hexid):
    return "%s/%s/%s/%s/%s" % (family, hexid[:3], hexid[3:6], hexid[6:9],
                               hexid[9:])
