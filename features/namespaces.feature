@area.namespaces
Feature: Namespaces come with start, not with create (C07, C08)
  The article: 在docker start启动之前,容器并没有独立的名称空间,只有自己的读写层
  ("before docker start, the container has no namespaces of its own, only its read-write layer")

  The article: 在启动后,docker会创建独立的名称空间,并且将容器放进去
  ("after start, docker creates namespaces of its own and puts the container in them")

  A created container has no process and no network sandbox. Start gives it a network
  namespace, an entry of the engine's netns directory named by its sandbox key, and puts its
  init process in net, pid, mnt, uts and ipc namespaces other than its runtime parent's. The
  fine print the article leaves out: the user namespace stays the runtime's unless the engine
  remaps users (`--userns-remap`) for the container; the cgroup namespace is the container's
  own or the runtime's as its cgroupns mode says (by default: the runtime's on cgroup v1, its
  own on cgroup v2); a
  container on the host network gets no network namespace of its own; at a stop its network
  namespace is unmounted at once, while the empty entry file may linger until the engine's
  garbage collector removes it, so only the container's own entry counts, and whether it is
  a namespace is read from the engine host's mount table.
  The user and cgroup namespaces are read from the run's running container of the image (the one
  C02 reads files through), so that no container is started for them alone.

  Background:
    Given the layered fixture image

  @claim.C07
  Scenario: A created container has no process yet
    Given a container created from the image
    Then the container has no process

  @claim.C07
  Scenario: A created container has no network sandbox yet
    Given a container created from the image
    Then the container has no sandbox key

  @claim.C07
  Scenario: The network namespace a container gets at start did not exist while it was created
    Given a container created from the image
    And the engine's network namespaces are listed
    When the container is started
    Then its network namespace entry was not among those listed before the start

  @claim.C08 @use.with_host_pids=yes
  Scenario: Start makes namespaces of the container's own and puts it in them
    Given a container created from the image
    When the container is started
    Then the engine's netns directory holds the entry its sandbox key names
    And its init process is in another namespace than its runtime parent, of each kind:
      | kind |
      | net  |
      | pid  |
      | mnt  |
      | uts  |
      | ipc  |

  @claim.C08 @use.with_host_pids=yes
  Scenario: The user namespace stays the runtime's unless the engine remaps users
    Given a container of the image in the "running" state
    Then its user namespace is its own or its runtime parent's, as the engine's remapping says

  @claim.C08 @use.with_host_pids=yes
  Scenario: The cgroup namespace follows the container's cgroupns mode
    Given a container of the image in the "running" state
    Then its cgroup namespace is its own or its runtime parent's, as its cgroupns mode says

  @claim.C08 @use.with_host_pids=yes
  Scenario: A container on the host network gets no network namespace of its own
    Given a container created from the image on the host network
    And the engine's network namespaces are listed
    When the container is started
    Then it has no new entry in the engine's netns directory
    And its init process is in the same net namespace as its runtime parent

  @claim.C08 @use.with_host_pids=yes
  Scenario: The network namespace is gone once the container stops
    Given a container created from the image
    And the container is started with its own entry in the engine's netns directory
    When the container is stopped
    Then its network namespace is no longer mounted on the engine host
