@area.layers
Feature: An image is a stack of layers (C01)
  The article: 镜像是一层一层的
  ("an image is a stack of layers, one on top of another")

  Each build step that changes the filesystem adds one layer, and the image's history keeps
  one row per build step.

  Background:
    Given the layered fixture image

  @claim.C01
  Scenario: Each filesystem-changing build step adds one layer
    Then the image has one layer per build step that changed the filesystem

  @claim.C01
  Scenario: The history lists every build step
    Then its history has one row per build step, in build order
