"""docker-py against berthd: every verb the engine-core issue names, through the SDK.
Run by docker-py.test.ts with DOCKER_HOST set; prints one line per check and exits non-zero
on the first failure."""
import io
import os
import sys
import time

import docker
from docker.errors import APIError, NotFound

client = docker.from_env(version="auto", timeout=60)
low = client.api


def check(name, cond, detail=""):
    if not cond:
        print(f"FAIL {name} {detail}")
        sys.exit(1)
    print(f"ok {name}")


check("ping", client.ping() is True)
check("version", client.version()["ApiVersion"] == "1.50")
check("info", client.info()["Driver"] == "overlay2")

with open(os.environ["BUSYBOX_TAR"], "rb") as f:
    low.import_image_from_data(f.read(), repository="berth-test-py", tag="latest")
img = client.images.get("berth-test-py:latest")
check("import + images.get", "berth-test-py:latest" in img.tags)
check("images.list", any("berth-test-py:latest" in i.tags for i in client.images.list()))

out = client.containers.run("berth-test-py", ["sh", "-c", "echo hello; echo err >&2"], remove=True, stderr=True)
check("run remove=True", b"hello" in out, repr(out))

try:
    client.containers.run("berth-test-py", ["sh", "-c", "exit 3"], remove=True)
    check("run non-zero raises ContainerError", False)
except docker.errors.ContainerError as e:
    check("run non-zero raises ContainerError", e.exit_status == 3)

c = client.containers.run("berth-test-py", ["sh", "-c", "trap 'exit 0' TERM; i=0; while true; do echo line $i; i=$((i+1)); sleep 0.1; done"],
                          detach=True, name="berth-test-py-c", labels={"app": "py"}, environment={"X": "1"})
time.sleep(0.5)
c.reload()
check("detach + reload status", c.status == "running", c.status)
check("containers.list filters", [x.id for x in client.containers.list(filters={"label": "app=py"})] == [c.id])
check("get by name", client.containers.get("berth-test-py-c").id == c.id)
check("attrs Config.Env", "X=1" in c.attrs["Config"]["Env"])

logs = c.logs(tail=2)
check("logs tail", logs.count(b"\n") == 2, repr(logs))
stream = c.logs(stream=True, follow=True)
first = next(stream)
check("logs stream follow", first.startswith(b"line"), repr(first))
stream.close()

rc, output = c.exec_run(["sh", "-c", "echo in-exec $X; exit 4"])
check("exec_run", rc == 4 and output == b"in-exec 1\n", repr((rc, output)))
rc, output = c.exec_run("id -un", user="nobody")
check("exec_run user", output.strip() == b"nobody", repr(output))
eid = low.exec_create(c.id, ["true"])["Id"]
low.exec_start(eid)
check("exec_inspect", low.exec_inspect(eid)["ExitCode"] == 0)

top = c.top()
check("top", "Processes" in top and len(top["Processes"]) >= 1)

c.pause()
c.reload()
check("pause", c.status == "paused", c.status)
c.unpause()
c.reload()
check("unpause", c.status == "running", c.status)

c.rename("berth-test-py-renamed")
c.reload()
check("rename", c.name == "berth-test-py-renamed", c.name)

c.stop(timeout=5)
c.reload()
check("stop", c.status == "exited" and c.attrs["State"]["ExitCode"] == 0, c.status)
c.start()
c.reload()
check("start again", c.status == "running")
c.kill(signal="SIGTERM")
res = c.wait(timeout=10)
check("kill + wait", res["StatusCode"] == 0, repr(res))
c.restart(timeout=1)
c.reload()
check("restart", c.status == "running")

try:
    c.remove()
    check("remove running refused", False)
except APIError as e:
    check("remove running refused", e.status_code == 409)
c.remove(force=True)
try:
    client.containers.get("berth-test-py-renamed")
    check("removed", False)
except NotFound:
    check("removed", True)

# attach through a socket, with stdin
a = client.containers.create("berth-test-py", ["cat"], stdin_open=True, name="berth-test-py-attach")
sock = low.attach_socket(a.id, params={"stdin": 1, "stdout": 1, "stream": 1})
a.start()
sock._sock.sendall(b"through the socket\n")
time.sleep(0.5)
data = sock._sock.recv(4096)
check("attach socket stdin/stdout", b"through the socket" in data, repr(data))
sock.close()
a.remove(force=True)

try:
    client.containers.run("berth-test-missing-image", "true")
    check("missing image", False)
except (docker.errors.ImageNotFound, APIError) as e:
    check("missing image error", "berth-test-missing-image" in str(e), str(e))

client.images.remove("berth-test-py:latest")
check("rmi", not any("berth-test-py:latest" in i.tags for i in client.images.list()))
print("all docker-py checks passed")
