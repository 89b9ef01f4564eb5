"""What an engine shows, shared by tests of engine/'s readers and of claims/' checks."""

# C04: what a container writes, path by path
WRITES = {"/claims/new.txt": "added", "/claims/old.txt": "changed", "/claims/gone.txt": "deleted"}

# overlay2's GraphDriver of a container: its writable layer, its init layer, the image's
OVERLAY = {"GraphDriver": {"Name": "overlay2", "Data": {
    "UpperDir": "/var/lib/docker/overlay2/c0ffee/diff",
    "LowerDir": "/var/lib/docker/overlay2/c0ffee-init/diff:/var/lib/docker/overlay2/top/diff"
                ":/var/lib/docker/overlay2/base/diff"}}}
