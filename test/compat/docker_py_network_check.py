"""docker-py networking against berthd: networks, published ports, name resolution, connect and
disconnect. Run by docker-py.test.ts with DOCKER_HOST set; exits non-zero on the first failure."""
import os
import sys
import time
import urllib.request

import docker
from docker.errors import APIError, NotFound

client = docker.from_env(version="auto", timeout=60)
low = client.api


def check(name, cond, detail=""):
    if not cond:
        print(f"FAIL {name} {detail}")
        sys.exit(1)
    print(f"ok {name}")


def fetch(url, tries=50):
    for _ in range(tries):
        try:
            return urllib.request.urlopen(url, timeout=2).read().decode()
        except Exception:
            time.sleep(0.1)
    return ""


with open(os.environ["BUSYBOX_TAR"], "rb") as f:
    low.import_image_from_data(f.read(), repository="berth-test-pynet", tag="latest")
IMG = "berth-test-pynet"
WEB = ["sh", "-c", "echo hello-py > /tmp/index.html; exec httpd -f -p 80 -h /tmp"]

ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet="10.197.60.0/24", gateway="10.197.60.1")])
net = client.networks.create("berth-test-pynet", driver="bridge", ipam=ipam, labels={"berth-test": "py"})
check("networks.create", net.id and len(net.id) == 64)
check("networks.get", client.networks.get("berth-test-pynet").attrs["IPAM"]["Config"][0]["Subnet"] == "10.197.60.0/24")
check("networks.list filters", [n.name for n in client.networks.list(filters={"label": "berth-test=py"})] == ["berth-test-pynet"])
check("networks.list names", {"bridge", "host", "none"} <= {n.name for n in client.networks.list()})

web = client.containers.run(IMG, WEB, detach=True, name="berth-test-pyweb", ports={"80/tcp": 18485}, network="berth-test-pynet")
web.reload()
ports = web.attrs["NetworkSettings"]["Ports"]
check("ports in inspect", ports["80/tcp"][0]["HostPort"] == "18485", repr(ports))
check("published port answers", fetch("http://127.0.0.1:18485/").strip() == "hello-py")
ip = web.attrs["NetworkSettings"]["Networks"]["berth-test-pynet"]["IPAddress"]
check("address from the subnet", ip.startswith("10.197.60."), ip)

rnd = client.containers.run(IMG, WEB, detach=True, name="berth-test-pyrnd", ports={"80/tcp": None})
rnd.reload()
host_port = rnd.attrs["NetworkSettings"]["Ports"]["80/tcp"][0]["HostPort"]
check("random host port", int(host_port) > 1024, host_port)
check("random port answers", fetch(f"http://127.0.0.1:{host_port}/").strip() == "hello-py")

out = client.containers.run(IMG, ["wget", "-q", "-O", "-", "http://berth-test-pyweb/"], remove=True, network="berth-test-pynet")
check("name resolution on the network", out.strip() == b"hello-py", repr(out))

net.connect(rnd, aliases=["rnd-alias"])
out = client.containers.run(IMG, ["wget", "-q", "-O", "-", "http://rnd-alias/"], remove=True, network="berth-test-pynet")
check("connect with an alias", out.strip() == b"hello-py", repr(out))
net.reload()
check("network lists its containers", {c.name for c in net.containers} == {"berth-test-pyweb", "berth-test-pyrnd"})
net.disconnect(rnd)
net.reload()
check("disconnect", {c.name for c in net.containers} == {"berth-test-pyweb"})

try:
    net.remove()
    check("remove with a running container fails", False)
except APIError as e:
    check("remove with a running container fails", e.status_code == 403 and "active endpoints" in str(e), str(e))

try:
    client.containers.run(IMG, ["true"], remove=True, ports={"80/tcp": 18485})
    check("port already allocated", False)
except APIError as e:
    check("port already allocated", "port is already allocated" in str(e), str(e))

web.remove(force=True)
rnd.remove(force=True)
pruned = client.networks.prune(filters={"label": "berth-test=py"})
check("networks.prune", pruned["NetworksDeleted"] == ["berth-test-pynet"], repr(pruned))
try:
    client.networks.get("berth-test-pynet")
    check("pruned network is gone", False)
except NotFound:
    check("pruned network is gone", True)
print("all docker-py network checks passed")
