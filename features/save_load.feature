@area.archives
Feature: Save and load: an image out with every layer and its history, and back (C09, C13)
  The article: save是导出镜像的,使用load导入镜像
  ("save exports an image; load brings it back in")
  and: save是将镜像导出,包含每一层的元数据,history命令中可以可以看到之前的构建记录
  ("save exports the image with every layer's metadata; history still shows the build record")

  The image is the run's own, made on top of the layered fixture and tagged, so that it can be
  removed before its save tar is loaded: load must then recreate it. That round trip (save,
  remove, load) is made once per run; each scenario looks at one thing it gave back (run alone,
  a scenario makes it itself). The save tar is read in whichever layout the engine writes:
  legacy (`manifest.json`, `<id>/layer.tar`), OCI (`index.json`, `blobs/sha256/`) or both. One
  nuance has its own scenario: history's IMAGE column named the local images the image was built
  through; load recreates the image, not those, so after it the rows keep their build record but
  show `<missing>` there.

  Background:
    Given the layered fixture image
    And an image of the run's own on top of it, tagged

  @claim.C09
  Scenario: An image saved, removed and loaded back is there again, and runs
    When the image is saved, removed, and its save tar loaded
    Then the engine has the image again, under the same id
    And a container of the loaded image runs the image's command

  @claim.C13
  Scenario: The save tar holds every layer of the image, each matching its digest
    When the image is saved
    Then the save tar holds every layer of the image, in order, each matching its digest

  @claim.C13
  Scenario: The save tar holds the image's config, tags and build history
    When the image is saved
    Then the save tar holds the image's config, its tags and an entry per history row

  @claim.C13
  Scenario: The loaded image has the same id, layer digests and tags
    When the image is saved, removed, and its save tar loaded
    Then the loaded image has the saved one's id, layer digests and tags

  @claim.C13
  Scenario: The loaded image has the same config
    When the image is saved, removed, and its save tar loaded
    Then the loaded image has the saved one's config

  @claim.C13
  Scenario: The loaded image's history has every row of the build record
    When the image is saved, removed, and its save tar loaded
    Then the loaded image's history has every row of the saved one's build record

  @claim.C13
  Scenario: History no longer names the intermediate images once the image is loaded back
    When the image is saved, removed, and its save tar loaded
    Then the history rows that named intermediate images show them as missing
