"""docker-py's images.build against berthd (the classic builder's POST /build): a build from
a directory with build args, labels and a target, the streamed log, the cache on a rebuild,
a build error, and a fileobj Dockerfile. Prints one line per check; exits non-zero on the
first failure. Run by docker-py-build.test.ts with DOCKER_HOST and CONTEXT_DIR set."""
import io
import os
import sys

import docker
from docker.errors import BuildError

client = docker.from_env(version="auto", timeout=120)
ctx = os.environ["CONTEXT_DIR"]


def check(name, cond, detail=""):
    if not cond:
        print(f"FAIL {name} {detail}")
        sys.exit(1)
    print(f"ok {name}")


with open(os.path.join(ctx, "Dockerfile"), "w") as f:
    f.write("FROM busybox:latest AS base\nARG WHO=nobody\nCOPY msg.txt /msg.txt\nRUN echo \"hi $WHO\" >> /msg.txt\n"
            "FROM base AS final\nCMD [\"cat\", \"/msg.txt\"]\n")
with open(os.path.join(ctx, "msg.txt"), "w") as f:
    f.write("from context\n")

img, logs = client.images.build(path=ctx, tag="berth-test-py-build:1", buildargs={"WHO": "py"},
                                labels={"built.by": "docker-py"}, rm=True)
text = "".join(l.get("stream", "") for l in logs)
check("build returns the image", "berth-test-py-build:1" in img.tags, repr(img.tags))
check("build log streamed", "Step 4/7 : RUN" in text and "Step 7/7 : LABEL" in text, text)
check("labels applied", img.labels.get("built.by") == "docker-py", repr(img.labels))
out = client.containers.run("berth-test-py-build:1", remove=True)
check("built image runs", out == b"from context\nhi py\n", repr(out))

img2, logs2 = client.images.build(path=ctx, tag="berth-test-py-build:1", buildargs={"WHO": "py"},
                                  labels={"built.by": "docker-py"})
text2 = "".join(l.get("stream", "") for l in logs2)
check("rebuild hits the cache", text2.count("Using cache") >= 3 and img2.id == img.id, text2)

img3, _ = client.images.build(path=ctx, tag="berth-test-py-build:base", target="base")
check("target", img3.attrs["Config"].get("Cmd") != ["cat", "/msg.txt"], repr(img3.attrs["Config"].get("Cmd")))

try:
    client.images.build(fileobj=io.BytesIO(b"FROM busybox:latest\nRUN exit 7\n"), tag="berth-test-py-fail")
    check("failing build raises BuildError", False)
except BuildError as e:
    check("failing build raises BuildError", "returned a non-zero code: 7" in str(e), str(e))

img4, _ = client.images.build(fileobj=io.BytesIO(b"FROM busybox:latest\nENV X=1\n"), tag="berth-test-py-fileobj")
check("fileobj Dockerfile", "X=1" in img4.attrs["Config"]["Env"], repr(img4.attrs["Config"]["Env"]))

for t in ["berth-test-py-build:1", "berth-test-py-build:base", "berth-test-py-fileobj"]:
    client.images.remove(t)
print("all docker-py build checks passed")
