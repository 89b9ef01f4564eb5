@area.lifecycle
Feature: A container exists from create on, running or not (C05, C06)
  The article: 不管容器是否运行,容器都是容器
  ("whether it is running or not, a container is a container")

  The article: docker create命令允许我们创建一个可写层在镜像的只读层的顶部
  ("the docker create command lets us make a writable layer on top of the image's read-only
  layers")

  The engine lists containers in every state, keeps what a container wrote across a stop and a
  restart, and copies and exports a stopped container like a running one. A container that was
  created and never started already has its writable layer: a file copied into it is one of its
  changes and part of its export. The containers listed in each state are ones the run has for
  other claims as well: C11's untouched one (created), C02's reader (running) and C04's writer
  (exited).

  Background:
    Given the layered fixture image

  @claim.C05
  Scenario Outline: A container that is <state> is listed with its state
    Given a container of the image in the "<state>" state
    When all containers are listed, running or not
    Then the container is listed in the "<state>" state

    Examples:
      | state   |
      | created |
      | running |
      | exited  |

  @claim.C05
  Scenario: A stopped container still holds what it wrote: copied out and exported
    Given a running container of the image that wrote a file
    When the container is stopped
    Then the file copied out of the stopped container has the content written
    And its export holds the file with the content written

  @claim.C05
  Scenario: A file written before a stop is still there after a restart
    Given a running container of the image that wrote a file
    When the container is stopped
    And the container is started again
    Then the running container reads the file with the content written

  @claim.C06
  Scenario: A file copied into a created container is one of its changes before any start
    Given a container created from the image
    When a file is copied into the container
    Then the container's changes list the file as added
    And the container has never run

  @claim.C06
  Scenario: A created container's export holds the file copied into it
    Given a container created from the image
    When a file is copied into the container
    Then its export holds the file with the content written
    And the container has never run

  @claim.C06
  Scenario: The storage driver holds a created container's writable layer
    Given a container created from the image
    When a file is copied into the container
    And the storage driver's directories of the container are read
    Then its writable layer's directory holds the file
