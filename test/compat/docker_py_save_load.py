"""docker-py against berthd: image.save / images.get(...).save(named=True) and images.load.
Run by docker-py-save-load.test.ts with DOCKER_HOST and BUSYBOX_TAR set; exits non-zero on
the first failure."""
import hashlib
import io
import json
import os
import sys
import tarfile

import docker
from docker.errors import APIError

client = docker.from_env(version="auto", timeout=120)
low = client.api


def check(name, cond, detail=""):
    if not cond:
        print(f"FAIL {name} {detail}")
        sys.exit(1)
    print(f"ok {name}")


with open(os.environ["BUSYBOX_TAR"], "rb") as f:
    low.import_image_from_data(f.read(), repository="berth-test-pysave", tag="v1")
img = client.images.get("berth-test-pysave:v1")
want_id = img.id
want_layers = img.attrs["RootFS"]["Layers"]

data = b"".join(img.save(named=True))
with tarfile.open(fileobj=io.BytesIO(data)) as t:
    names = t.getnames()
    manifest = json.load(t.extractfile("manifest.json"))
    layer = t.extractfile(manifest[0]["Layers"][0]).read()
check("archive has manifest.json and index.json", "manifest.json" in names and "index.json" in names, str(names))
check("named save keeps the tag", manifest[0]["RepoTags"] == ["berth-test-pysave:v1"], str(manifest))
check("layer blob is the diffID", "sha256:" + hashlib.sha256(layer).hexdigest() == want_layers[0])

client.images.remove("berth-test-pysave:v1")
loaded = client.images.load(data)
check("images.load returns the image", [i.id for i in loaded] == [want_id], str([i.id for i in loaded]))
check("tag restored", "berth-test-pysave:v1" in client.images.get(want_id).tags)

try:
    client.images.load(b"not an archive at all" * 40)
    check("a bad archive is refused", False)
except APIError as e:
    check("a bad archive is refused", "invalid archive" in str(e), str(e))

client.images.remove("berth-test-pysave:v1")
print("all docker-py save/load checks passed")
