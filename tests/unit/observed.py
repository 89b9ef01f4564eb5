"""What an engine shows, shared by tests of engine/'s readers and of claims/' checks."""

from docker_claims.engine import host_namespaces

# C04: what a container writes, path by path
WRITES = {"/claims/new.txt": "added", "/claims/old.txt": "changed", "/claims/gone.txt": "deleted"}


# overlay2's GraphDriver of a container: its writable layer, its init layer, the image's
OVERLAY = {"GraphDriver": {"Name": "overlay2", "Data": {
    "UpperDir": "/var/lib/docker/overlay2/c0ffee/diff",
    "LowerDir": "/var/lib/docker/overlay2/c0ffee-init/diff:/var/lib/docker/overlay2/top/diff"
                ":/var/lib/docker/overlay2/base/diff"}}}


# C08: a reading of /proc for the container's init process and its runtime parent
PROC = """ppid 7063
parent_cmd /usr/bin/containerd-shim-runc-v2 -namespace moby -id 8131
self net net:[4026532184]
parent net net:[4026531833]
self pid pid:[4026532183]
parent pid pid:[4026531836]
self mnt mnt:[4026532180]
parent mnt mnt:[4026531832]
self uts uts:[4026532181]
parent uts uts:[4026531838]
self ipc ipc:[4026532182]
parent ipc ipc:[4026531839]
self user user:[4026531837]
parent user user:[4026531837]
self cgroup cgroup:[4026531835]
parent cgroup cgroup:[4026531835]
#end
"""


def proc(**overrides):
    found = host_namespaces.parse_proc(7085, PROC)
    for kind, ns in overrides.items():
        found["ns"][kind] = ns
    return found


# C08: a reading of the mount table for a netns entry: mounted, left, removed
MOUNTED = ("process 812 /usr/bin/containerd-shim-runc-v2 -namespace moby\n"
           "path /run/docker/netns/429ef8e60d2d\nmount nsfs\nfile present\n#end\n")
LEFT = "path /run/docker/netns/429ef8e60d2d\nfile present\n#end\n"
REMOVED = "path /run/docker/netns/429ef8e60d2d\nfile absent\n#end\n"
KEY = "/var/run/docker/netns/429ef8e60d2d"
