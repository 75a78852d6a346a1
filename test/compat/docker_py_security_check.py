"""docker-py against berthd: the security options of issue 10 through the SDK, over mutual TLS.
Run by docker-py-security.test.ts with DOCKER_HOST=tcp://127.0.0.1:<port>, DOCKER_TLS_VERIFY=1
and DOCKER_CERT_PATH set; prints one line per check and exits non-zero on the first failure."""
import os
import sys

import docker
from docker.errors import APIError

client = docker.from_env(version="auto", timeout=60)
IMG = "berth-test-py-sec"


def check(name, cond, detail=""):
    if not cond:
        print(f"FAIL {name} {detail}")
        sys.exit(1)
    print(f"ok {name}")


def run(cmd, **kw):
    return client.containers.run(IMG, ["sh", "-c", cmd], remove=True, **kw).decode()


def status_field(out, name):
    for line in out.splitlines():
        if line.startswith(name + ":"):
            return line.split()[1]
    return None


check("ping over mutual TLS", client.ping() is True)
with open(os.environ["BUSYBOX_TAR"], "rb") as f:
    client.api.import_image_from_data(f.read(), repository=IMG, tag="latest")

check("default caps", status_field(run("grep CapEff /proc/self/status"), "CapEff") == "00000000a80425fb")
check("cap_drop ALL", status_field(run("grep CapEff /proc/self/status", cap_drop=["ALL"]), "CapEff") == "0000000000000000")
out = run("chown 1 /tmp 2>&1; echo rc=$?", cap_drop=["CHOWN"])
check("cap_drop CHOWN forbids chown", "Operation not permitted" in out, out)
out = run("ip addr add 10.9.9.9/32 dev lo && echo added", cap_add=["NET_ADMIN"])
check("cap_add NET_ADMIN", "added" in out, out)
try:
    run("true", cap_add=["NO_SUCH"])
    check("unknown capability refused", False)
except APIError as e:
    check("unknown capability refused", e.status_code == 400 and "unknown capability" in str(e), str(e))

out = run("unshare -U true 2>&1; echo rc=$?")
check("default seccomp blocks unshare", "rc=1" in out, out)
out = run("unshare -U true 2>&1; echo rc=$?", security_opt=["seccomp=unconfined"])
check("seccomp=unconfined allows unshare", "rc=0" in out, out)
out = run("grep NoNewPrivs /proc/self/status", security_opt=["no-new-privileges"])
check("no-new-privileges", status_field(out, "NoNewPrivs") == "1", out)
out = run("touch /x 2>&1; touch /dev/shm/x && echo shm-ok", read_only=True)
check("read_only", "Read-only file system" in out and "shm-ok" in out, out)
out = run("wc -c < /proc/timer_list")
check("masked path reads empty", out.strip() == "0", out)
out = run("grep CapEff /proc/self/status; grep Seccomp: /proc/self/status", privileged=True)
check("privileged", status_field(out, "Seccomp") == "0" and status_field(out, "CapEff") != "00000000a80425fb", out)
out = run("ls -l /dev/fuse", devices=["/dev/fuse:/dev/fuse:rwm"])
check("devices", "10, 229" in out, out)
out = run("cat /proc/1/cmdline | tr '\\0' ' '", pid_mode="host")
check("pid_mode host", "sh -c" not in out, out)
try:
    run("true", security_opt=["apparmor=berth-test"])
    check("apparmor refused", False)
except APIError as e:
    check("apparmor refused", e.status_code == 400 and "AppArmor" in str(e), str(e))

# exec and attach over TLS
c = client.containers.run(IMG, ["sleep", "300"], detach=True, name="berth-test-py-sec-c")
try:
    r = c.exec_run(["echo", "exec-over-tls"])
    check("exec over TLS", r.exit_code == 0 and r.output == b"exec-over-tls\n", repr(r))
finally:
    c.remove(force=True)
client.images.remove(IMG)
print("all docker-py security checks passed")
