@area.archives
Feature: Export and import: what a container sees, as a one-layer image with no past (C11, C12)
  An export is read member by member from the tar the engine wrote; what it must hold is
  derived from the image's own layers, read one by one from the image's `docker save` tar, and
  from the container's changes.

  @claim.C11
  Rule: Export writes what the container sees into one layer
    export是将容器的能看到的文件内容导出,将这些文件写到一层中
    (export writes out the file contents the container can see, into one layer)

    The export holds every path the image's layers leave visible, each as the topmost layer
    holding it has it, nothing an upper layer hides, and the container's own writes as the
    container reads them; imported, it is an image of exactly one layer. Two things the article
    leaves out have their own scenarios: the files the engine prepares for every container
    (such as `/.dockerenv`) are exported with the rest; the contents of volumes are not.

    Background:
      Given the layered fixture image

    Scenario: The export holds every path the image's layers leave visible, as the topmost has it
      Given a created container of the image
      When the container is exported
      Then the export holds every path of the image's merged layers, as the topmost layer has it
      And the export holds no path that an upper layer hides

    Scenario: The export holds the upper version of a file two layers write
      Given "/claims/shadowed.txt" is written by 2 of the image's layers
      And a created container of the image
      When the container is exported
      Then the export holds the version of the topmost layer holding it

    Scenario: The export leaves out a file an upper layer deleted
      Given "/claims/deleted.txt" is written by a lower layer and deleted by an upper one
      And a created container of the image
      When the container is exported
      Then the export does not hold the deleted file

    Scenario: The export holds the container's own writes, and not what it deleted
      Given a container of the image that added, changed and deleted files
      When the container is exported
      Then the export holds each file the container added or changed, as the container reads it
      And the export holds no file the container deleted

    @nuance
    Scenario: The export holds the files the engine prepared for the container, such as .dockerenv
      Given a created container of the image
      When the container is exported
      Then the export holds "/.dockerenv", which neither the image's layers nor the container wrote

    @nuance
    Scenario: The contents of a volume are not exported
      Given a container of the image that wrote "/claims/volume/kept.txt" in a volume
      When the container is exported
      Then the container still reads "/claims/volume/kept.txt" from its volume
      But the export does not hold "/claims/volume/kept.txt"

    Scenario: The imported export is an image of exactly one layer
      Given a created container of the image
      When the container is exported
      And the export is imported
      Then the imported image has exactly one layer

  @claim.C12
  Rule: An imported image has no build history, and none of the image's config
    在history命令中可以无法看到之前的构建记录
    (in the history command, the earlier build record can no longer be seen)

    The image is the layered fixture with a command that needs its ENV and WORKDIR. Its export,
    imported, makes an image whose history is one row naming no build step, and which has lost
    CMD, ENV and WORKDIR, unless they are given back to import as changes; each import of the
    same tar makes a new image. The article's own demo imports a tar file with the docker CLI:
    that case is replayed too.

    Background:
      Given the layered fixture image with a command that needs its ENV and WORKDIR
      And a created container of the image
      And the container is exported

    Scenario: The imported image's history is one row that names no build step
      When the export is imported
      Then the imported image's history has one row, where the image's has one per build step
      And that row names no build step and says "Imported from -"

    Scenario: The import loses the image's CMD, ENV and WORKDIR
      When the export is imported
      Then the imported image has none of the image's CMD, ENV and WORKDIR
      And a container of the imported image has no command to run

    Scenario: CMD, ENV and WORKDIR given to import as changes are kept
      When the export is imported with the image's CMD, ENV and WORKDIR as changes
      Then the imported image has the image's CMD, ENV and WORKDIR
      And a container of the imported image does what a container of the image does

    Scenario: Each import of the same tar makes a new image
      When the export is imported twice
      Then the two imported images have different ids, over the same one layer

    @use.with_docker_cli=yes
    Scenario: The docker CLI's import of a tar file is recorded as imported from -, too
      Given the docker CLI
      When the export tar file is given to "docker import"
      Then the imported image's history has one row, where the image's has one per build step
      And that row names no build step and says "Imported from -"
