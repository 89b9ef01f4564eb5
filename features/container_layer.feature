@area.containers
Feature: A container is its image plus one writable layer, on top (C04)
  The article: 容器 = 镜像 + 可读写层; 读写层在最顶层
  ("a container = an image + a read-write layer; the read-write layer is the topmost one")

  Whatever a container writes goes to its own layer: the engine lists it as the container's
  changes, and committing the container adds exactly that one layer on top of the image's.
  Where the storage driver shows its directories (overlay2), the writable layer's own directory
  holds only the changes, and a hidden init layer, which the article leaves out, sits between
  the image and the writable layer. Where it shows none (the containerd image store), those two
  scenarios are skipped with the reason.

  Background:
    Given the layered fixture image
    And a container of the image that added, changed and deleted files

  @claim.C04
  Scenario: The engine lists the container's changes as added, changed and deleted
    Then the container's changes are exactly its writes, each with its kind

  @claim.C04
  Scenario: Committing the container adds exactly one layer on top of the image's
    When the container is committed to a new image
    Then the new image has the image's layers, unchanged, and one more on top

  @claim.C04
  Scenario: The writable layer's own directory holds only the container's changes
    When the storage driver's directories of the container are read
    Then its writable layer's directory holds exactly its changes, deletions as whiteouts

  @claim.C04
  Scenario: An init layer sits between the image's layers and the writable layer
    When the storage driver's directories of the container are read
    Then below the writable layer lies an init layer, then the image's layers in order
    And the init layer holds the files the engine prepares for every container
