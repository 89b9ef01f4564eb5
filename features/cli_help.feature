@area.cli
Feature: The docker CLI's own words for import and load (C10)
  The article: import的help中写的是 "Import the contents from a tarball to create a filesystem
  image" ("import's help says: ..."); load的help中写的是 "Load an image from a tar archive or
  STDIN" ("load's help says: ...")

  These scenarios run the docker CLI found on PATH, against the engine the suite measures
  (DOCKER_HOST and DOCKER_CONTEXT are passed through, and the CLI's engine ID is checked); without
  a docker CLI they are skipped, saying so. Imports are given the run's label as a change, so
  that the run removes what they make.

  @claim.C10
  Scenario: docker import --help says what the article quotes
    Given the docker CLI
    When "docker import --help" is run
    Then it prints "Import the contents from a tarball to create a filesystem image"

  @claim.C10
  Scenario: docker load --help says what the article quotes
    Given the docker CLI
    When "docker load --help" is run
    Then it prints "Load an image from a tar archive or STDIN"

  @claim.C10
  Scenario: docker load reads a save tar from standard input
    Given the docker CLI, talking to the suite's engine
    And the layered fixture image
    And an image of the scenario's own on top of it, tagged, saved and then removed
    When its save tar is piped into "docker load"
    Then the engine has the image again, as docker load says

  @claim.C10
  Scenario: docker import - reads an export tar from standard input
    Given the docker CLI, talking to the suite's engine
    And the layered fixture image
    And a container of the image, exported
    When the export tar is piped into "docker import -"
    Then the image it prints is made of exactly the tar it read
