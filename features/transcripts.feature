@area.transcripts
Feature: The article's two demos, replayed at the prompt (C14, C15)
  C15, the article's demo of create and start: 可以看出名称空间在变化启动前和启动后,有添加 ("you can see the namespaces change: after the start, one has been added")
  C14, its demo of export on one host, import on another: 在history命令中可以无法看到之前的构建记录 ("history does not show the earlier build record")

  The first session:

    [root@node01 ~]# docker create -ti busybox sh
    533e04b09b6f956bbe3526f35fc77b0d9e6bb92d9f3e6705d5a08c677acfe40c
    [root@node01 ~]# docker ps -a        ...  Created       kind_banzai
    [root@node01 ~]# docker start kind_banzai
    [root@node01 ~]# docker ps -a        ...  Up 4 seconds  kind_banzai
    [root@node01 ~]# ls /run/docker/netns/     (one entry more: 3a960bf7f4af)

  The second one exports a container on one host and imports it on another:

    [root@manager ~]# docker run --name test_export busybox touch /1.txt
    [root@manager ~]# docker export test_export -o test_export.tar
    [root@manager ~]# scp test_export.tar 10.0.0.92:/tmp
    [root@node01 /tmp]# docker import /tmp/test_export.tar
    sha256:4d5af6567f056d8c889052f938f8d5feb73f31dd007cf074aa1476ab1e8e6510
    [root@node01 /tmp]# docker history test:test
    IMAGE          CREATED          CREATED BY   SIZE     COMMENT
    4d5af6567f05   2 minutes ago                 1.24MB   Imported from -

  The article: 在history命令中可以无法看到之前的构建记录; save ... history命令中可以可以看到之前的构建记录
  ("the history command does not show the earlier build record [of an import]; [after] save
  [and load] the history command shows it")

  Each session is replayed with the docker CLI against the engine in front of you, and what it
  prints is compared, in shape, with what the article printed: a full id, the tables' columns,
  the status words, the one history row and its comment. The replay adds only what the suite's
  rules need: its own names and labels on what it makes, and no network. The second host is a second engine,
  named by DOCKER_CLAIMS_NODE2 (`scripts/node2-up` starts one); without it, those scenarios are
  skipped, saying so.

  @claim.C15
  Scenario: docker create prints the full id of the container it made
    Given the busybox fixture image
    When the article's "docker create -ti busybox sh" is replayed
    Then the output is the new container's id, in full: 64 hex digits

  @claim.C15
  Scenario: docker ps -a lists a container that was only created as "Created"
    Given the busybox fixture image
    And the article's "docker create -ti busybox sh" is replayed
    When the article's "docker ps -a" is replayed
    Then the listing has the article's columns and shows the container "Created"

  @claim.C15
  Scenario: After docker start, docker ps -a shows the container "Up"
    Given the busybox fixture image
    And the article's "docker create -ti busybox sh" is replayed
    When the article's "docker start" is replayed
    And the article's "docker ps -a" is replayed
    Then the listing has the article's columns and shows the container "Up"

  @claim.C15
  Scenario: docker start adds the container's own entry to the engine's netns directory
    Given the busybox fixture image
    And the article's "docker create -ti busybox sh" is replayed
    And the engine's network namespaces are listed
    When the article's "docker start" is replayed
    Then the engine's netns listing gained the container's own entry

  @claim.C14
  Scenario: The export, imported on another node, holds the file the container made
    Given a second engine, another node
    And a container of the busybox fixture image that ran "touch /1.txt"
    When its export is imported on the second engine
    Then the CLI printed the imported image's id: sha256 and 64 hex digits
    And the imported image holds "/1.txt"

  @claim.C14
  Scenario: On the other node, the import's history is one row without a build record
    Given a second engine, another node
    And a container of the busybox fixture image that ran "touch /1.txt"
    When its export is imported on the second engine
    Then its history there has the article's columns and a single row, the image itself
    And that row names no build step, says "Imported from -" and shows the image's size

  @claim.C14
  Scenario: By contrast, save and load to the other node keep the image's id and history
    Given a second engine, another node
    And the busybox fixture image
    When the image is saved on the first engine and loaded on the second
    Then the second engine has the image under the same id
    And its history there has every row of the first engine's history
