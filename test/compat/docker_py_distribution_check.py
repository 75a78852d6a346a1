"""docker-py against berthd with a registry: login, push, pull (tag and digest), errors.
Run by docker-py.test.ts with DOCKER_HOST, REGISTRY (host:port of a registry requiring
alice/secret) and BUSYBOX_TAR set; exits non-zero on the first failure."""
import os
import sys

import docker
from docker.errors import APIError, ImageNotFound, NotFound

client = docker.from_env(version="auto", timeout=120)
low = client.api
reg = os.environ["REGISTRY"]
repo = f"{reg}/berth-test/py"


def check(name, cond, detail=""):
    if not cond:
        print(f"FAIL {name} {detail}")
        sys.exit(1)
    print(f"ok {name}")


with open(os.environ["BUSYBOX_TAR"], "rb") as f:
    low.import_image_from_data(f.read(), repository="berth-test-pydist", tag="latest")
img = client.images.get("berth-test-pydist:latest")
check("tag", img.tag(repo, "v1"))

try:
    client.login(username="alice", password="wrong", registry=reg)
    check("login refuses a wrong password", False)
except APIError as e:
    check("login refuses a wrong password", "401" in str(e) or "nauthorized" in str(e), str(e))

res = client.login(username="alice", password="secret", registry=reg)
check("login", res.get("Status") == "Login Succeeded", str(res))

auth = {"username": "alice", "password": "secret"}
lines = list(low.push(repo, tag="v1", stream=True, decode=True, auth_config=auth))
check("push stream has no error", not any("error" in l for l in lines), str(lines[-3:]))
aux = [l["aux"] for l in lines if "aux" in l]
check("push aux carries the digest", aux and aux[0]["Digest"].startswith("sha256:"), str(lines))
digest = aux[0]["Digest"]

client.images.remove(f"{repo}:v1")
pulled = client.images.pull(repo, tag="v1", auth_config=auth)
check("pull by tag", f"{repo}:v1" in pulled.tags, str(pulled.tags))
check("pull keeps the image id", pulled.id == img.id, f"{pulled.id} {img.id}")
check("RepoDigests", any(d.endswith(digest) for d in pulled.attrs["RepoDigests"]), str(pulled.attrs["RepoDigests"]))
by_digest = client.images.pull(f"{repo}@{digest}", auth_config=auth)
check("pull by digest", by_digest.id == img.id)

try:
    client.images.pull(repo, tag="nope", auth_config=auth)
    check("missing tag", False)
except (NotFound, ImageNotFound, APIError) as e:
    check("missing tag is manifest unknown", "manifest unknown" in str(e), str(e))

client.images.remove(f"{repo}:v1")
client.images.remove("berth-test-pydist:latest", force=True)
print("all docker-py distribution checks passed")
