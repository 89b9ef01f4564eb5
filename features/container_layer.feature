@area.containers
Feature: A container is its image plus one writable layer, from create on (C04, C05, C06)
  A container's writes are measured through the engine (its changes, a commit, a copy out, an
  export) and in the writable layer's own directory on the engine host, read there by a helper
  container: the directory the engine names, in its API (overlay2), in the container's root
  mount while it runs (the containerd image store), or in what it keeps on its host, its layer
  database (vfs) and its snapshotter's metadata (the containerd image store, a container that
  is not running).

  Background:
    Given the layered fixture image

  @claim.C04
  Rule: A container is its image plus one writable layer, on top
    容器 = 镜像 + 可读写层; 读写层在最顶层
    (a container = an image + a read-write layer; the read-write layer is the topmost one)

    Whatever a container writes goes to its own layer: the engine lists it as the container's
    changes, and committing the container adds exactly that one layer on top of the image's.
    In the storage driver's directories, the writable layer's own directory holds the changes,
    and a hidden init layer, which the article leaves out, sits between the image's layers and
    the writable layer. How a layer is kept is the storage driver's, and the run expects what
    the engine's driver does: overlay2 and the containerd image store's snapshotter stack the
    layers, and the writable layer's directory holds only the changes, deletions as whiteouts;
    vfs keeps no layer below another, so that a vfs container's "writable layer" is a
    directory holding a full copy of the image and of the init layer, with the container's
    changes made to it (the report gives the counts: the image's files, the changes).

    Background:
      Given a container of the image that added, changed and deleted files

    Scenario: The engine lists the container's changes as added, changed and deleted
      Then the container's changes are exactly its writes, each with its kind

    Scenario: Committing the container adds exactly one layer on top of the image's
      When the container is committed to a new image
      Then the new image has the image's layers, unchanged, and one more on top

    @use.with_layer_dirs=yes
    Scenario: The writable layer's own directory holds the container's changes
      When the container's layer directories are read on the engine host
      Then its writable layer's directory holds exactly its changes, as its storage driver keeps them

    @use.with_layer_dirs=yes @nuance
    Scenario: An init layer sits between the image's layers and the writable layer
      When the container's layer directories are read on the engine host
      Then below the writable layer lies an init layer, then the image's layers in order
      And the init layer holds the files the engine prepares for every container

  @claim.C05
  Rule: A container is a container, running or not
    不管容器是否运行,容器都是容器
    (whether it is running or not, a container is a container)

    The engine lists containers in every state, keeps what a container wrote across a stop and
    a restart, and copies files out of a stopped container and exports it like a running one.

    Scenario Outline: A container that is <state> is listed with its state
      Given <a container>
      When all containers are listed, running or not
      Then the container is listed as <state>

      Examples:
        | a container                                                    | state   |
        | a created container of the image                               | created |
        | a running container of the image                               | running |
        | a container of the image that added, changed and deleted files | exited  |

    Scenario: A stopped container still holds what it wrote: copied out and exported
      Given a running container of the image
      And the container wrote a file
      When the container is stopped
      Then the file copied out of the container has the content written
      And its export holds the file with the content written

    Scenario: A file written before a stop is still there after a restart
      Given a running container of the image
      And the container wrote a file
      When the container is stopped
      And the container is started
      Then the container reads the file with the content written

  @claim.C06
  Rule: docker create makes the writable layer
    docker create命令允许我们创建一个可写层在镜像的只读层的顶部
    (the docker create command lets us make a writable layer on top of the image's read-only
    layers)

    A container that was created and never started already has its writable layer: a file
    copied into it is one of its changes, is part of its export, and lies in its writable
    layer's own directory (on the containerd image store, the snapshot the snapshotter prepares
    at create, which its metadata names).

    Scenario: A file copied into a created container is one of its changes before any start
      Given a created container of the image
      When a file is copied into the container
      Then the container's changes list the file as added
      And the container has never run

    Scenario: A created container's export holds the file copied into it
      Given a created container of the image
      When a file is copied into the container
      Then its export holds the file with the content written
      And the container has never run

    @use.with_layer_dirs=yes
    Scenario: The storage driver holds a created container's writable layer
      Given a created container of the image
      When a file is copied into the container
      And the container's layer directories are read on the engine host
      Then its writable layer's directory holds the file
