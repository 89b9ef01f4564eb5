@area.transcripts
Feature: The article's two demos, replayed at the prompt (C14, C15)
  Each session the article shows at a shell prompt is quoted below, once, as the article
  prints it. Its commands are replayed with the docker CLI against the engine in front of you,
  and what the CLI prints is compared, in shape, with what the article printed: a full id, the
  tables' columns, the status words, the one history row and its comment. The replay adds only
  what the suite's rules need: its own names and labels on what it makes, no network, and the
  busybox fixture image for the article's busybox.

  @claim.C15 @use.with_docker_cli=yes
  Rule: The namespaces change at start: one has been added
    可以看出名称空间在变化启动前和启动后,有添加
    (you can see the namespaces change from before the start to after it: one has been added)

    The article creates a container, lists it, starts it and lists it again, and lists the
    engine's netns directory before and after. The replay reads that directory on the engine
    host, through a helper container, and looks for the container's own entry: the one its
    sandbox key names. What the article leaves out: its hosts were swarm nodes, and the two
    entries its listing shows before the start, and keeps after it, are no container's but its
    swarm's ingress sandboxes (`ingress_sbox`, and `1-` with the start of the ingress network's
    id). An engine lists them exactly when it is a swarm node, which the engine says
    (`docker info`'s Swarm.LocalNodeState, its ingress network); the replay expects them there
    and nowhere else. Of the entries of whoever else uses the engine, the report gives only
    their number.

    Background:
      Given the article's session:
        """
        [root@node01 ~]# docker create -ti busybox sh
        533e04b09b6f956bbe3526f35fc77b0d9e6bb92d9f3e6705d5a08c677acfe40c
        [root@node01 ~]# ls /run/docker/netns/
        1-vg6yiuz1vw  ingress_sbox
        [root@node01 ~]# docker ps -a
        CONTAINER ID        IMAGE               COMMAND             CREATED             STATUS              PORTS               NAMES
        533e04b09b6f        busybox             "sh"                9 seconds ago       Created                                 kind_banzai
        [root@node01 ~]# docker start kind_banzai
        kind_banzai
        [root@node01 ~]# docker ps -a
        CONTAINER ID        IMAGE               COMMAND             CREATED             STATUS              PORTS               NAMES
        533e04b09b6f        busybox             "sh"                30 seconds ago      Up 4 seconds                            kind_banzai
        [root@node01 ~]# ls /run/docker/netns/
        1-vg6yiuz1vw  3a960bf7f4af  ingress_sbox
        """
      And the docker CLI
      And the busybox fixture image

    Scenario: docker create prints the full id of the container it made
      When the article's "docker create -ti busybox sh" is replayed
      Then the output is the new container's id, in full: 64 hex digits

    Scenario: docker ps -a lists a container that was only created as "Created"
      Given the article's "docker create -ti busybox sh" is replayed
      When the article's "docker ps -a" is replayed
      Then the listing has the article's columns and shows the container "Created"

    Scenario: After docker start, docker ps -a shows the container "Up"
      Given the article's "docker create -ti busybox sh" is replayed
      When the article's "docker start kind_banzai" is replayed
      And the article's "docker ps -a" is replayed
      Then the listing has the article's columns and shows the container "Up"

    Scenario: docker start adds the container's own entry to the engine's netns directory
      Given the article's "docker create -ti busybox sh" is replayed
      And the engine's network namespaces are listed
      When the article's "docker start kind_banzai" is replayed
      Then the engine's netns listing gained the container's own entry

    @nuance
    Scenario: The article's listing shows its swarm's own entries, which a swarm node lists
      Given the article's "docker create -ti busybox sh" is replayed
      And the engine's network namespaces are listed
      When the article's "docker start kind_banzai" is replayed
      Then both listings hold the swarm's own entries exactly where the engine is a swarm node

  @claim.C14 @use.with_docker_cli=yes @use.with_second_node=yes
  Rule: The article's demo: export on one host, import on another, and its history there
    演示: docker run --name test_export busybox touch /1.txt; docker export test_export -o test_export.tar; scp test_export.tar 10.0.0.92:/tmp; docker import /tmp/test_export.tar; docker history test:test
    (the demo: a container that made /1.txt is exported on one host, the tar copied to another
    and imported there, whose history shows one row and no build record)

    The other host is a second engine, named by DOCKER_CLAIMS_NODE2 (`scripts/node2-up` starts
    one); the export travels to it as a file, which is what `scp` moved. By contrast, save and
    load to the same second engine keep the image's id and its history, asked by the image's
    id and by its name, through the API and with `docker history NAME` as the article does.

    Background:
      Given the article's session:
        """
        [root@manager ~]# docker run --name test_export busybox touch /1.txt
        [root@manager ~]# docker export test_export -o test_export.tar
        [root@manager ~]# scp test_export.tar 10.0.0.92:/tmp
        [root@node01 /tmp]# docker import /tmp/test_export.tar
        sha256:4d5af6567f056d8c889052f938f8d5feb73f31dd007cf074aa1476ab1e8e6510
        [root@node01 /tmp]# docker history test:test
        IMAGE               CREATED             CREATED BY          SIZE                COMMENT
        4d5af6567f05        2 minutes ago                           1.24MB              Imported from -
        """
      And the docker CLI
      And a second engine, another node
      And the busybox fixture image

    Scenario: The export, imported on another node, holds the file the container made
      Given the article's "docker run --name test_export busybox touch /1.txt" is replayed
      When its export is imported on the second engine
      Then the CLI printed the imported image's id: sha256 and 64 hex digits
      And the imported image holds "/1.txt"

    Scenario: On the other node, the import's history is one row without a build record
      Given the article's "docker run --name test_export busybox touch /1.txt" is replayed
      When its export is imported on the second engine
      Then its history there has the article's columns and a single row, the image itself
      And that row names no build step, says "Imported from -" and shows the image's size

    Scenario: By contrast, save and load to the other node keep the image and its history
      When the image is saved on the first engine and loaded on the second
      Then the second engine has the same image: its config and its layers
      And its history there has every row of the first engine's history
      And "docker history" of its name there shows every row it shows on the first engine
