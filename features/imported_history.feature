@area.archives
Feature: An imported image has no build history, and none of the image's config (C12)
  The article: 在history命令中可以无法看到之前的构建记录
  ("in the history command, the earlier build record can no longer be seen")

  The image is the layered fixture with a command that needs its ENV and WORKDIR. Its export is
  imported: the image that makes has one history row naming no build step, and has lost CMD,
  ENV and WORKDIR, unless they are given back to import as changes. The article's own demo
  imports a tar file with the docker CLI: that case is replayed too (it needs a docker CLI on
  PATH, and is skipped, saying so, without one). The export is imported once per run, and the
  scenarios that look at that import share it; the one about importing twice adds an import.

  Background:
    Given the layered fixture image with a command that needs its ENV and WORKDIR
    And a container of the image, exported

  @claim.C12
  Scenario: The imported image's history is one row that names no build step
    When the export is imported
    Then the imported image's history has one row, where the image's has one per build step
    And that row names no build step and says "Imported from -"

  @claim.C12
  Scenario: The import loses the image's CMD, ENV and WORKDIR
    When the export is imported
    Then the imported image has none of the image's CMD, ENV and WORKDIR
    And a container of the imported image has no command to run

  @claim.C12
  Scenario: CMD, ENV and WORKDIR given to import as changes are kept
    When the export is imported with the image's CMD, ENV and WORKDIR as changes
    Then the imported image has the image's CMD, ENV and WORKDIR
    And a container of the imported image does what a container of the image does

  @claim.C12
  Scenario: Each import of the same tar makes a new image
    When the export is imported twice
    Then the two imported images have different ids, over the same one layer

  @claim.C12
  Scenario: The docker CLI's import of a tar file is recorded as imported from -, too
    Given the docker CLI, talking to the suite's engine
    When the export tar file is given to "docker import"
    Then the imported image's history has one row, where the image's has one per build step
    And that row names no build step and says "Imported from -"
