"""docker-py against berthd: the image operations of issue 3 through the SDK
(images.list with filters, image.history, image.tag, images.remove, images.prune,
container.commit). Run by docker-py-images.test.ts with DOCKER_HOST and BUSYBOX_TAR set;
prints one line per check and exits non-zero on the first failure. Removes what it makes."""
import os
import sys
import time

import docker
from docker.errors import APIError, ImageNotFound

client = docker.from_env(version="auto", timeout=60)
low = client.api


def check(name, cond, detail=""):
    if not cond:
        print(f"FAIL {name} {detail}")
        sys.exit(1)
    print(f"ok {name}")


def tags(**filters):
    # The low-level list: RepoTags as the daemon answers (images.list re-reads each image).
    return sorted(t for i in low.images(filters=filters) for t in (i["RepoTags"] or []))


made_containers = []
try:
    with open(os.environ["BUSYBOX_TAR"], "rb") as f:
        data = f.read()
    low.import_image_from_data(data, repository="berth-test-pyimg", tag="base", changes=["LABEL berth-test=base"])
    time.sleep(1.1)
    low.import_image_from_data(data, repository="berth-test-pyimg", tag="other", changes=["LABEL berth-test=other"])
    base = client.images.get("berth-test-pyimg:base")
    other = client.images.get("berth-test-pyimg:other")

    # image.tag, and Docker's 400 for a bad tag
    check("image.tag", base.tag("berth-test-pyimg", "extra") is True)
    check("tags sorted", client.images.get("berth-test-pyimg:extra").tags == ["berth-test-pyimg:base", "berth-test-pyimg:extra"])
    try:
        base.tag("berth-test-pyimg", "bad!tag")
        check("bad tag raises", False)
    except APIError as e:
        check("bad tag is a 400 'invalid tag format'", e.status_code == 400 and "invalid tag format" in str(e), str(e))

    # images.list filters
    check("list reference", tags(reference="berth-test-pyimg:e*") == ["berth-test-pyimg:extra"], tags(reference="berth-test-pyimg:e*"))
    check("list label", tags(label="berth-test=other") == ["berth-test-pyimg:other"])
    check("list before", tags(before="berth-test-pyimg:other", label="berth-test") == ["berth-test-pyimg:base", "berth-test-pyimg:extra"])
    check("list since", tags(since="berth-test-pyimg:base", label="berth-test") == ["berth-test-pyimg:other"])
    check("list name argument", sorted(t for i in client.images.list("berth-test-pyimg") for t in i.tags) == ["berth-test-pyimg:base", "berth-test-pyimg:extra", "berth-test-pyimg:other"])
    check("list quiet ids", base.id in low.images(quiet=True, filters={"label": "berth-test=base"}))
    try:
        client.images.list(filters={"dangling": "maybe"})
        check("bad dangling raises", False)
    except APIError as e:
        check("bad dangling is a 400", e.status_code == 400, str(e))

    # container.commit with changes, message, author; pause defaults to true
    c = client.containers.run("berth-test-pyimg:base", ["sh", "-c", "echo committed > /c; sleep 300"], detach=True)
    made_containers.append(c)
    for _ in range(50):
        if c.exec_run(["cat", "/c"]).output == b"committed\n":
            break
        time.sleep(0.1)
    committed = c.commit(repository="berth-test-pyimg", tag="committed", message="py commit", author="py author", changes=["ENV FROM_PY=1"])
    check("container.commit", committed.id.startswith("sha256:"))
    attrs = client.images.get("berth-test-pyimg:committed").attrs
    check("commit message/author", attrs["Comment"] == "py commit" and attrs["Author"] == "py author", str(attrs["Comment"]))
    check("commit change", "FROM_PY=1" in attrs["Config"]["Env"])
    check("commit parent", attrs["Parent"] == base.id)
    c.reload()
    check("commit keeps the container running", c.status == "running", c.status)
    out = client.containers.run("berth-test-pyimg:committed", ["cat", "/c"], remove=True)
    check("committed image runs", out == b"committed\n", repr(out))

    # image.history: newest first, ids of the image and its parent
    h = client.images.get("berth-test-pyimg:committed").history()
    check("history rows", len(h) == 2, str(h))
    check("history ids", h[0]["Id"] == committed.id and h[1]["Id"] == base.id, str([x["Id"] for x in h]))
    check("history comment", h[0]["Comment"] == "py commit" and h[1]["Comment"] == "Imported from -")
    check("history tags", h[0]["Tags"] == ["berth-test-pyimg:committed"])

    # images.remove: in use -> 409 unless force; several tags -> untag only
    try:
        client.images.remove(base.id)
        check("remove with children raises", False)
    except APIError as e:
        check("remove of a parent is a 409", e.status_code == 409 and "dependent child images" in str(e), str(e))
    c.remove(force=True)
    made_containers.remove(c)
    c2 = client.containers.create("berth-test-pyimg:committed", ["true"])
    made_containers.append(c2)
    try:
        client.images.remove("berth-test-pyimg:committed")
        check("remove in use raises", False)
    except APIError as e:
        check("remove in use is a 409", e.status_code == 409 and "must force" in str(e), str(e))
    res = low.remove_image("berth-test-pyimg:extra")
    check("remove of one of several tags untags", res == [{"Untagged": "berth-test-pyimg:extra"}], str(res))
    c2.remove()
    made_containers.remove(c2)
    res = low.remove_image("berth-test-pyimg:committed")
    check("remove deletes", {"Deleted": committed.id} in res, str(res))
    try:
        client.images.get("berth-test-pyimg:committed")
        check("gone", False)
    except ImageNotFound:
        check("gone", True)

    # images.prune: dangling by default; filters label
    low.tag("berth-test-pyimg:other", "berth-test-pyimg", "base")  # base's image is now dangling
    check("dangling listed", [i.id for i in client.images.list(filters={"dangling": True})] == [base.id])
    r = client.images.prune(filters={"label": "berth-test=nope"})
    check("prune with a label that matches nothing", r["ImagesDeleted"] is None, str(r))
    r = client.images.prune(filters={"dangling": True, "label": "berth-test=base"})
    check("prune dangling", r["ImagesDeleted"] == [{"Deleted": base.id}], str(r))
    r = client.images.prune(filters={"dangling": False, "label": "berth-test=other"})
    deleted = [x.get("Deleted") for x in (r["ImagesDeleted"] or [])]
    check("prune -a", other.id in deleted, str(r))
    check("nothing left", tags(reference="berth-test-pyimg") == [])
    print("all docker-py image checks passed")
finally:
    for c in made_containers:
        try:
            c.remove(force=True)
        except Exception:
            pass
    for i in client.images.list(name="berth-test-pyimg"):
        try:
            client.images.remove(i.id, force=True)
        except Exception:
            pass
