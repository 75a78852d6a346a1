"""docker-py volumes against berthd. Run by docker-py-volumes.test.ts with DOCKER_HOST set.
Phase "write" creates volumes and writes data; phase "check" (after berthd was killed -9 and
started again) reads it back, exercises removal rules and cleans up."""
import os
import sys

import docker
from docker.errors import APIError, NotFound

client = docker.from_env(version="auto", timeout=60)
phase = sys.argv[1]
image = os.environ["BERTH_IMAGE"]
host_dir = os.environ["BERTH_HOST_DIR"]


def check(name, cond, detail=""):
    if not cond:
        print(f"FAIL {name} {detail}")
        sys.exit(1)
    print(f"ok {name}")


if phase == "write":
    v = client.volumes.create(name="berth-test-py-vol", driver="local", labels={"suite": "py"})
    check("volumes.create", v.name == "berth-test-py-vol" and v.attrs["Driver"] == "local", repr(v.attrs))
    check("volumes.get", client.volumes.get("berth-test-py-vol").attrs["Labels"] == {"suite": "py"})
    check("volumes.list filters", [x.name for x in client.volumes.list(filters={"label": "suite=py"})] == ["berth-test-py-vol"])
    try:
        client.volumes.create(name="bad/name")
        check("bad name refused", False)
    except APIError as e:
        check("bad name refused", e.status_code == 400 and "includes invalid characters" in str(e), str(e))
    out = client.containers.run(image, ["sh", "-c", "echo py-data > /data/f; cat /data/f"],
                                volumes={"berth-test-py-vol": {"bind": "/data", "mode": "rw"}}, remove=True)
    check("run with a named volume", out == b"py-data\n", repr(out))
    out = client.containers.run(image, ["cat", "/h/in"], volumes=[f"{host_dir}:/h:ro"], remove=True)
    check("run with a bind (list form)", out == b"from-host\n", repr(out))
    mounts = [docker.types.Mount("/t", None, type="tmpfs", tmpfs_size=1 << 20),
              docker.types.Mount("/m", "berth-test-py-mnt", type="volume")]
    out = client.containers.run(image, ["sh", "-c", "df -k /t | tail -1; echo m > /m/f"], mounts=mounts, remove=True)
    check("run with Mount objects", out.split()[1] == b"1024", repr(out))
    c = client.containers.create(image, ["true"], volumes=["berth-test-py-vol:/keep"], name="berth-test-py-holder")
    check("inspect Mounts", [m["Name"] for m in c.attrs["Mounts"]] == ["berth-test-py-vol"], repr(c.attrs["Mounts"]))
    print("all docker-py volume checks passed (write)")
elif phase == "check":
    out = client.containers.run(image, ["cat", "/data/f"], volumes={"berth-test-py-vol": {"bind": "/data", "mode": "ro"}}, remove=True)
    check("data survived kill -9 of berthd", out == b"py-data\n", repr(out))
    v = client.volumes.get("berth-test-py-vol")
    try:
        v.remove()
        check("in-use volume refused", False)
    except APIError as e:
        check("in-use volume refused", e.status_code == 409 and "volume is in use" in str(e), str(e))
    client.containers.get("berth-test-py-holder").remove(v=True)
    v.remove()
    try:
        client.volumes.get("berth-test-py-vol")
        check("removed volume is gone", False)
    except NotFound:
        check("removed volume is gone", True)
    client.volumes.get("berth-test-py-mnt").remove()
    report = client.volumes.prune()
    check("volumes.prune", "SpaceReclaimed" in report, repr(report))
    print("all docker-py volume checks passed (check)")
