@area.archives
Feature: Two pairs: export and import for containers, save and load for images (C09, C10)
  Every archive is read as the engine wrote it, in bounded memory; what the engine answers to
  a request it refuses (its status and its error) is the evidence.

  Background:
    Given the layered fixture image

  @claim.C09
  Rule: export and import are for containers, save and load for images
    export是导出容器的,使用import导入镜像; save是导出镜像的,使用load导入镜像
    (export exports a container, and import brings it in as an image; save exports an image,
    and load brings it back in)

    Each pair works: a container's export, imported, is an image that runs the image's
    command and holds what the container wrote; an image saved, removed and loaded is back
    under its id, and runs. The article gives the pairs, not what happens when they are
    crossed: the engine refuses a load of an export tar, an export of an image and a save of a
    container; it accepts an import of a save tar, but the image it makes holds the archive's
    own files (its manifest, its layer tars) rather than the image's, so it cannot run the
    image's command.

    Scenario: A container's export, imported, is an image that runs the image's command
      Given a container of the image that added, changed and deleted files
      When the container is exported
      And the export is imported
      Then a container of the imported image runs the image's command
      And the imported image holds the container's writes as the container reads them

    Scenario: An image saved, removed and loaded back is there again, and runs
      Given an image of our own on top of it, tagged
      When the image is saved, removed, and its save tar loaded
      Then the engine has the image again, under the same id
      And a container of the loaded image runs the image's command

    Scenario: Loading an export tar fails with the engine's error
      Given a created container of the image
      And the container is exported
      When the export tar is loaded
      Then the engine refuses to load it, saying why, and makes no image

    Scenario: Importing a save tar makes an image of the archive's files
      Given the image is saved
      When the save tar is imported
      Then the imported image's files are the save tar's members, none of the image's

    Scenario: The image imported from a save tar cannot run the image's command
      Given the image is saved
      When the save tar is imported
      Then a container of the imported image cannot run the image's command

    Scenario: Export refuses an image
      When the image's name is given to export
      Then the engine refuses it, saying why

    Scenario: Save refuses a container
      Given a created container of the image
      When the container's name is given to save
      Then the engine refuses it, saying why

  @claim.C10 @use.with_docker_cli=yes
  Rule: The docker CLI's own words for import and load
    import的help中写的是 "Import the contents from a tarball to create a filesystem image"; load的help中写的是 "Load an image from a tar archive or STDIN"
    (import's help says it makes a filesystem image of a tarball's contents; load's help says
    it loads an image from a tar archive or standard input)

    The docker CLI on PATH, talking to the engine the suite measures (its engine ID is
    checked), prints the help texts the article quotes, and `docker load` and
    `docker import -` read their tar from standard input. What the CLI imports carries the
    run's label, given as a change, so that the run removes it.

    Background:
      Given the docker CLI

    Scenario Outline: docker <command> --help says what the article quotes
      When "docker <command> --help" is run
      Then it prints "<sentence>"

      Examples:
        | command | sentence                                                        |
        | import  | Import the contents from a tarball to create a filesystem image |
        | load    | Load an image from a tar archive or STDIN                       |

    Scenario: docker load reads a save tar from standard input
      Given an image of our own on top of it, tagged
      And the image is saved, then removed
      When its save tar is piped into "docker load"
      Then the engine has the image again, as docker load says

    Scenario: docker import - reads an export tar from standard input
      Given a created container of the image
      And the container is exported
      When the export tar is piped into "docker import -"
      Then the image it prints is made of exactly the tar it read
