@area.archives
Feature: Crossing the pairs: load of an export, import of a save (C09)
  The article: export是导出容器的,使用import导入镜像; save是导出镜像的,使用load导入镜像
  ("export exports a container and import brings it in; save exports an image and load brings
  it in")

  The article gives the pairs, not what happens when they are crossed. The engine refuses a
  load of an export tar, and an export of an image or a save of a container; it accepts an
  import of a save tar, but the image it makes holds the archive's own files (its manifest, its
  layer tars) rather than the image's, so it cannot run the image's command. What the engine
  answers is the evidence.

  Background:
    Given the layered fixture image

  @claim.C09
  Scenario: Loading an export tar fails with the engine's error
    Given a container of the image, exported
    When the export tar is loaded
    Then the engine refuses to load it, saying why, and makes no image

  @claim.C09
  Scenario: Importing a save tar makes an image of the archive's files
    Given the image's save tar
    When the save tar is imported
    Then the imported image's files are the save tar's members, none of the image's

  @claim.C09
  Scenario: The image imported from a save tar cannot run the image's command
    Given the image's save tar
    When the save tar is imported
    Then a container of the imported image cannot run the image's command

  @claim.C09
  Scenario: Export refuses an image
    When the image's name is given to export
    Then the engine refuses it, saying why

  @claim.C09
  Scenario: Save refuses a container
    Given a container of the image that changed nothing
    When the container's name is given to save
    Then the engine refuses it, saying why
