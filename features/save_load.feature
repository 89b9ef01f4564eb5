@area.archives @claim.C13
Feature: Save keeps every layer and its metadata, and load gives the image back with its history
  save是将镜像导出,包含每一层的元数据,history命令中可以可以看到之前的构建记录
  (save exports the image with every layer's metadata; the history command still shows the
  earlier build record)

  The image is one of the run's own, made on top of the layered fixture and tagged, so that it
  can be removed before its save tar is loaded: load must then recreate it. The save tar is
  read in whichever layout the engine writes: legacy (`manifest.json`, `<id>/layer.tar`), OCI
  (`index.json`, `blobs/sha256/`) or both. One nuance has its own scenario: history's IMAGE
  column named the local images the image was built through; load recreates the image, not
  those, so after it the rows keep their build record but show `<missing>` there.

  Background:
    Given the layered fixture image
    And an image of our own on top of it, tagged

  Scenario Outline: The save tar holds <what>
    When the image is saved
    Then the save tar holds <what>

    Examples:
      | what                                                      |
      | every layer of the image, in order, each matching its digest |
      | the image's config, its tags and an entry per history row |

  Scenario Outline: The loaded image has the saved one's <what>
    When the image is saved, removed, and its save tar loaded
    Then the loaded image has the saved one's <what>

    Examples:
      | what                                     |
      | id, layer digests and tags               |
      | config                                   |
      | history, every row with its build record |

  @nuance
  Scenario: History no longer names the intermediate images once the image is loaded back
    When the image is saved, removed, and its save tar loaded
    Then the history rows that named intermediate images show them as missing
