@area.layers
Feature: A file lookup falls through the layers top-down (C02)
  The article: 在寻找一个文件时,是一层一层的去寻找的,如果在顶层没有时,才去下一层去寻找,直到找到为止
  ("a file is looked up layer by layer: only when the top layer lacks it is the next layer
  searched, until it is found")

  The article leaves deletion out: a file deleted by an upper layer is not found, although a
  lower layer still holds it. The layer tarballs of `docker save` show where each version lives.

  Background:
    Given the layered fixture image

  @claim.C02
  Scenario: A file written again by an upper layer reads as the upper version
    Given "/claims/shadowed.txt" is written by 2 layers of the image
    When a container of the image reads "/claims/shadowed.txt"
    Then it reads the version of the topmost layer holding it

  @claim.C02
  Scenario: A file only a lower layer holds is still found
    Given "/claims/lower-only.txt" is written by 1 layer of the image
    When a container of the image reads "/claims/lower-only.txt"
    Then it reads the version of the topmost layer holding it

  @claim.C02 @nuance
  Scenario: A file deleted by an upper layer is not found although a lower layer holds it
    Given "/claims/deleted.txt" is written by a lower layer and deleted by an upper one
    When a container of the image reads "/claims/deleted.txt"
    Then the file is not found
    And the deleting layer holds the whiteout marker "/claims/.wh.deleted.txt"
