@area.layers
Feature: An image is a stack of read-only layers, looked up from the top (C01, C02, C03)
  Each claim is measured on the layered fixture image: built FROM scratch with a static busybox,
  its layers write a file, write it again above, write one only below, and delete one above.

  Background:
    Given the layered fixture image

  @claim.C01
  Rule: An image is a stack of layers
    docker的镜像是一层一层的
    (a docker image is made of layers, one on top of another)

    Each build step that changes the filesystem (COPY, ADD, RUN) adds one layer to the image's
    RootFS, a layer of its own: its tar, read from the image's `docker save`, hashes to the
    digest the engine gives it and holds what that step wrote (the files copied from the build
    context, by content; the links `busybox --install` made; the whiteout of what `rm`
    removed). The image's history, asked by the image's name, keeps one row per build step, in
    build order, each recording its whole instruction. The steps are the Dockerfile's below,
    which is checked to be the one the image was built from (the values of its LABEL lines
    are the run's: they tell its images from any other).

    Background:
      Given the image was built from this Dockerfile:
        """
        FROM scratch
        LABEL "docker-claims.role"="fixture" "docker-claims.run"="<the run's id>"
        COPY busybox /bin/busybox
        RUN ["/bin/busybox", "--install", "-s", "/bin"]
        COPY lower/ /claims/
        COPY upper/ /claims/
        RUN ["/bin/busybox", "rm", "/claims/deleted.txt"]
        ENV CLAIMS_FIXTURE=layered
        CMD ["sh"]
        """

    Scenario: Each filesystem-changing build step adds one layer
      Then the image has one layer per build step that changed the filesystem

    Scenario: Each layer holds what its build step wrote
      Then each layer holds what its build step wrote, and hashes to its digest

    Scenario: The history lists every build step
      Then its history has one row per build step, in build order

  @claim.C02
  Rule: A file lookup falls through the layers, top-down
    我们在寻找一个文件时,是一层一层的去寻找的,如果在顶层没有时,才去下一层去寻找,直到找到为止
    (a file is looked up layer by layer: only when the top layer lacks it is the next layer
    searched, until it is found)

    Which layers hold which version of a file is read from the layer tarballs of the image's
    `docker save`; a running container of the image reads the file. The article leaves
    deletion out: a file that an upper layer deletes (a whiteout marker in that layer's
    tarball) is not found, although a lower layer still holds it.

    Scenario Outline: A file <held> is read as the topmost layer holding it has it
      Given "<path>" is written by <count> of the image's layers
      And a running container of the image
      When the container reads "<path>"
      Then it reads the version of the topmost layer holding it

      Examples:
        | held                            | path                   | count |
        | written again by an upper layer | /claims/shadowed.txt   | 2     |
        | that only a lower layer holds   | /claims/lower-only.txt | 1     |

    @nuance
    Scenario: A file deleted by an upper layer is not found although a lower layer holds it
      Given "/claims/deleted.txt" is written by a lower layer and deleted by an upper one
      And a running container of the image
      When the container reads "/claims/deleted.txt"
      Then the file is not found
      And the deleting layer holds the whiteout marker "/claims/.wh.deleted.txt"

  @claim.C03
  Rule: Image layers are read-only
    在镜像这些层都是只读
    (the layers of an image are all read-only)

    A container writes only to a layer of its own. After a container added, changed and
    deleted files (each scenario first sees, in the container's changes, that it did), the
    image keeps the id and layer digests it had just before the writes, and its layers, saved
    again, hash to those digests and hold the very files they held before; a new container of
    the image reads every file as the image's layers hold it, and its export holds those files
    by content and nothing else but what the engine prepares for every container; so does one
    made while another container of the image, still running, writes.

    Scenario: A container's writes leave the image's layers as they were
      Given a container of the image that added, changed and deleted files
      Then the container's changes are exactly its writes, each with its kind
      And the image's id and layer digests are unchanged
      And its layers, saved again, hash to those digests and hold what they held before

    Scenario: A new container sees the image as built after another container wrote
      Given a container of the image that added, changed and deleted files
      Then the container's changes are exactly its writes, each with its kind
      And a new container of the image reads every file as the image's layers hold it

    Scenario: A second container does not see the writes of a running first one
      Given a running container of the image
      When the container adds, changes and deletes files
      Then the container's changes are exactly its writes, each with its kind
      And a new container of the image reads every file as the image's layers hold it
