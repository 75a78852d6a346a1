"""docker-py against berthd: stats, update and events (the resources issue).
Run by resources-clients.test.ts with DOCKER_HOST set; prints one line per check and exits
non-zero on the first failure."""
import os
import sys
import time

import docker
from docker.errors import APIError, NotFound

client = docker.from_env(version="auto", timeout=60)
low = client.api
MB = 1024 * 1024


def check(name, cond, detail=""):
    if not cond:
        print(f"FAIL {name} {detail}")
        sys.exit(1)
    print(f"ok {name}")


with open(os.environ["BUSYBOX_TAR"], "rb") as f:
    low.import_image_from_data(f.read(), repository="berth-test-pyres", tag="latest")

since = int(time.time()) - 1
c = client.containers.run("berth-test-pyres", ["sh", "-c", "while :; do :; done"], detach=True,
                          name="berth-test-pyres", mem_limit="64m", nano_cpus=500_000_000, pids_limit=20)
try:
    time.sleep(0.5)
    s = c.stats(stream=False)
    check("stats stream=False name", s["name"] == "/berth-test-pyres", s.get("name"))
    check("stats memory limit", s["memory_stats"]["limit"] == 64 * MB, str(s["memory_stats"].get("limit")))
    check("stats pids", s["pids_stats"]["current"] >= 1 and s["pids_stats"]["limit"] == 20, str(s["pids_stats"]))
    cpu_delta = s["cpu_stats"]["cpu_usage"]["total_usage"] - s["precpu_stats"]["cpu_usage"]["total_usage"]
    sys_delta = s["cpu_stats"]["system_cpu_usage"] - s["precpu_stats"]["system_cpu_usage"]
    pct = cpu_delta / sys_delta * s["cpu_stats"]["online_cpus"] * 100 if sys_delta > 0 else 0
    check("stats CPU % of a hog limited to 0.5 CPUs", 15 < pct <= 65, f"{pct:.1f}%")

    t0 = time.time()
    one = low.stats(c.id, stream=False, one_shot=True)
    took = (time.time() - t0) * 1000
    check("stats one_shot is fast", took < 200, f"{took:.1f} ms")
    check("stats one_shot has no precpu", one["precpu_stats"]["cpu_usage"]["total_usage"] == 0)

    frames = []
    for frame in c.stats(decode=True):
        frames.append(frame)
        if len(frames) == 2:
            break
    check("stats stream", frames[1]["precpu_stats"]["cpu_usage"]["total_usage"] == frames[0]["cpu_stats"]["cpu_usage"]["total_usage"])

    r = c.update(mem_limit="128m", memswap_limit="256m", cpu_shares=256, restart_policy={"Name": "on-failure", "MaximumRetryCount": 2})
    check("update returns Warnings", isinstance(r, dict) and r.get("Warnings") == [], repr(r))
    c.reload()
    hc = c.attrs["HostConfig"]
    check("update shown in inspect", hc["Memory"] == 128 * MB and hc["MemorySwap"] == 256 * MB and hc["CpuShares"] == 256, str(hc["Memory"]))
    check("update restart policy", hc["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 2}, str(hc["RestartPolicy"]))
    try:
        c.update(mem_limit="512m")
        check("update memory above swap refused", False)
    except APIError as e:
        check("update memory above swap refused", e.status_code == 409 and "memoryswap" in str(e), str(e))
    c.pause()
    c.unpause()
    c.kill()
finally:
    c.remove(force=True)

try:
    low.update_container("berth-test-pyres", mem_limit="64m")
    check("update of a removed container", False)
except NotFound as e:
    check("update of a removed container", "No such container" in str(e), str(e))

events = list(low.events(since=since, until=int(time.time()) + 1, decode=True, filters={"container": "berth-test-pyres"}))
actions = [e["Action"] for e in events]
for a in ["create", "start", "update", "pause", "unpause", "kill", "die", "destroy"]:
    check(f"event {a}", a in actions, ",".join(actions))
die = next(e for e in events if e["Action"] == "die")
check("die exitCode", die["Actor"]["Attributes"]["exitCode"] == "137", str(die["Actor"]["Attributes"]))

client.images.remove("berth-test-pyres:latest", force=True)
print("all docker-py resources checks passed")
