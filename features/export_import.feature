@area.archives
Feature: Export and import: what a container sees, as a one-layer image (C09, C11)
  The article: export是导出容器的,使用import导入镜像
  ("export exports a container; import brings the tar in as an image")
  and: export是将容器的能看到的文件内容导出,将这些文件写到一层中
  ("export writes out the file contents the container can see, into one layer")

  What the export must hold is derived from the image's own layers, read one by one from its
  `docker save` tar, and from the container's changes (`docker diff`). Two things the article
  leaves out have their own scenarios: the files the engine prepares for every container (such
  as `/.dockerenv`) are exported with the rest; the contents of volumes are not. A container
  that no longer changes (never started, or exited) is exported once per run, and its export
  imported once: the scenarios that look at the same container share them.

  Background:
    Given the layered fixture image

  @claim.C09
  Scenario: A container's export, imported, is an image that runs the image's command
    Given a stopped container of the image that added, changed and deleted files
    When the container is exported and the export imported
    Then a container of the imported image runs the image's command
    And the imported image holds the container's writes as the container reads them

  @claim.C11
  Scenario: The export holds every path the image's layers leave visible, as the topmost has it
    Given a container of the image that changed nothing
    When the container is exported
    Then the export holds every path of the image's merged layers, as the topmost layer has it
    And the export holds no path that an upper layer hides

  @claim.C11
  Scenario: The export holds the upper version of a file two layers write
    Given "/claims/shadowed.txt" is written by 2 layers of the image
    And a container of the image that changed nothing
    When the container is exported
    Then the export holds the version of the topmost layer holding it

  @claim.C11
  Scenario: The export leaves out a file an upper layer deleted
    Given "/claims/deleted.txt" is written by a lower layer and deleted by an upper one
    And a container of the image that changed nothing
    When the container is exported
    Then the export does not hold the deleted file

  @claim.C11
  Scenario: The export holds the container's own writes, and not what it deleted
    Given a stopped container of the image that added, changed and deleted files
    When the container is exported
    Then the export holds each file the container added or changed, as the container reads it
    And the export holds no file the container deleted

  @claim.C11
  Scenario: The export holds the files the engine prepared for the container, such as .dockerenv
    Given a container of the image that changed nothing
    When the container is exported
    Then the export holds "/.dockerenv", which neither the image's layers nor the container wrote

  @claim.C11
  Scenario: The contents of a volume are not exported
    Given a stopped container of the image that wrote "/claims/volume/kept.txt" in a volume
    When the container is exported
    Then the container still reads "/claims/volume/kept.txt" from its volume
    But the export does not hold "/claims/volume/kept.txt"

  @claim.C11
  Scenario: The imported export is an image of exactly one layer
    Given a container of the image that changed nothing
    When the container is exported and the export imported
    Then the imported image has exactly one layer
