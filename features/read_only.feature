@area.layers
Feature: Image layers are read-only (C03)
  The article: 在镜像这些层都是只读
  ("the layers of an image are all read-only")

  A container writes only to its own layer: the image's layers keep their digests, a new
  container sees the image as built, and a second container never sees the first one's writes.
  The container that adds, changes and deletes files is the run's one (C04 and C11 look at it
  too), and the image's id and layer digests are taken just before it writes.

  Background:
    Given the layered fixture image

  @claim.C03
  Scenario: A container's writes leave the image's layers as they were
    When a container of the image adds, changes and deletes files
    Then the container's changes list the added, changed and deleted files
    And the image's id and layer digests are unchanged

  @claim.C03
  Scenario: A new container sees the image as built after another container wrote
    When a container of the image adds, changes and deletes files
    Then a new container of the image reads every file as the image holds it

  @claim.C03
  Scenario: A second container does not see the writes of a running first one
    Given a running container of the image
    When the running container adds, changes and deletes files
    Then a second container of the image, started meanwhile, does not see them
