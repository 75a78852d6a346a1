"""docker-py against berthd: the container filesystem (get_archive, put_archive, stat via
get_archive, diff, export), run by docker-py-container-fs.test.ts with DOCKER_HOST set.
Prints one line per check and exits non-zero on the first failure."""
import io
import os
import sys
import tarfile

import docker
from docker.errors import NotFound, APIError

client = docker.from_env(version="auto", timeout=60)


def check(name, cond, detail=""):
    if not cond:
        print(f"FAIL {name} {detail}")
        sys.exit(1)
    print(f"ok {name}")


with open(os.environ["BUSYBOX_TAR"], "rb") as f:
    client.api.import_image_from_data(f.read(), repository="berth-test-pyfs", tag="latest")

c = client.containers.run("berth-test-pyfs", ["sh", "-c", "mkdir -p /data && echo hello > /data/a && rm /bin/ls && sleep 300"],
                          detach=True, name="berth-test-pyfs")
try:
    for _ in range(50):
        try:
            bits, stat = c.get_archive("/data/a")
            break
        except NotFound:
            import time
            time.sleep(0.1)
    data = b"".join(bits)
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        names = t.getnames()
        body = t.extractfile("a").read()
    check("get_archive file", names == ["a"] and body == b"hello\n", repr((names, body)))
    check("get_archive stat", stat["name"] == "a" and stat["size"] == 6 and stat["linkTarget"] == "", repr(stat))

    bits, stat = c.get_archive("/data")
    with tarfile.open(fileobj=io.BytesIO(b"".join(bits))) as t:
        names = sorted(t.getnames())
    check("get_archive dir", names == ["data", "data/a"], repr(names))
    check("get_archive dir stat", stat["mode"] & (1 << 31) != 0, repr(stat))

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        info = tarfile.TarInfo("put/b.txt")
        payload = b"from python\n"
        info.size = len(payload)
        t.addfile(info, io.BytesIO(payload))
    check("put_archive", c.put_archive("/data", buf.getvalue()) is True)
    code, out = c.exec_run(["cat", "/data/put/b.txt"])
    check("put_archive content", code == 0 and out == b"from python\n", repr(out))

    evil = io.BytesIO()
    with tarfile.open(fileobj=evil, mode="w") as t:
        info = tarfile.TarInfo("../../../tmp/berth-test-pyfs-escape")
        info.size = 1
        t.addfile(info, io.BytesIO(b"x"))
    try:
        c.put_archive("/data", evil.getvalue())
        check("put_archive refuses ../", False)
    except APIError as e:
        check("put_archive refuses ../", e.status_code == 400 and "outside of" in str(e), str(e))
    check("nothing escaped", not os.path.exists("/tmp/berth-test-pyfs-escape"))

    try:
        c.get_archive("/nope")
        check("get_archive missing is NotFound", False)
    except NotFound as e:
        check("get_archive missing is NotFound", "Could not find the file /nope" in str(e), str(e))

    changes = {(ch["Kind"], ch["Path"]) for ch in c.diff()}
    check("diff", (2, "/bin/ls") in changes and (1, "/data") in changes and (0, "/bin") in changes, repr(changes))

    exported = b"".join(c.export())
    with tarfile.open(fileobj=io.BytesIO(exported)) as t:
        names = set(t.getnames())
    check("export", "bin/busybox" in names and "data/a" in names and "bin/ls" not in names, repr(sorted(names)[:10]))
finally:
    c.remove(force=True)
    client.images.remove("berth-test-pyfs:latest", force=True)

print("all docker-py container fs checks passed")
