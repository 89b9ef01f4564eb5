@area.namespaces
Feature: Namespaces come with start, not with create (C07, C08)
  What lives on the engine host is read there by a helper container: the netns directory, seen
  read-only; /proc of the container's init process and of its runtime parent, and their mount
  tables, by a helper in the host's pid namespace, where the engine gives one.

  Background:
    Given the layered fixture image

  @claim.C07
  Rule: Before start, a container has no namespaces, only its writable layer
    在docker start启动之前,容器并没有独立的名称空间,只有自己的读写层
    (before docker start, the container has no namespaces of its own, only its read-write
    layer)

    A created container has no process and no network sandbox, and the network namespace
    entry it gets at start was not in the engine's netns directory before the start.

    Scenario Outline: A created container has no <what> yet
      Given a created container of the image
      Then the container has no <what>

      Examples:
        | what        |
        | process     |
        | sandbox key |

    Scenario: The network namespace a container gets at start did not exist while it was created
      Given a created container of the image
      And the engine's network namespaces are listed
      When the container is started
      Then its network namespace entry was not among those listed before the start

  @claim.C08 @use.with_host_pids=yes
  Rule: Start makes namespaces and puts the container in them
    在启动后,docker会创建独立的名称空间,并且将容器放进去
    (after the start, docker creates namespaces of the container's own and puts it in them)

    Start gives the container a network namespace, an entry of the engine's netns directory
    named by its sandbox key, and puts its init process in net, pid, mnt, uts and ipc
    namespaces other than its runtime parent's. The fine print the article leaves out: the user
    namespace stays the runtime's unless the engine remaps users (`--userns-remap`) for the
    container; the cgroup namespace is the container's own or the runtime's as its cgroupns
    mode says (by default: the runtime's on cgroup v1, its own on cgroup v2); a container on
    the host network gets no network namespace of its own; at a stop the network namespace is unmounted at once, which the
    engine host's mount table shows, while an empty entry file may linger in the netns
    directory until the engine's garbage collector removes it.

    Scenario: Start makes namespaces of the container's own and puts it in them
      Given a created container of the image
      When the container is started
      Then the engine's netns directory holds the entry its sandbox key names
      And its init process is in another namespace than its runtime parent, of each kind:
        | kind |
        | net  |
        | pid  |
        | mnt  |
        | uts  |
        | ipc  |

    @nuance
    Scenario: The user namespace stays the runtime's unless the engine remaps users
      Given a running container of the image
      Then its user namespace is its own or its runtime parent's, as the engine's remapping says

    @nuance
    Scenario: The cgroup namespace follows the container's cgroupns mode
      Given a running container of the image
      Then its cgroup namespace is its own or its runtime parent's, as its cgroupns mode says

    @nuance
    Scenario: A container on the host network gets no network namespace of its own
      Given a created container of the image on the host network
      And the engine's network namespaces are listed
      When the container is started
      Then it has no new entry in the engine's netns directory
      And its init process is in the same net namespace as its runtime parent

    Scenario: The network namespace is gone once the container stops
      Given a created container of the image
      And the container is started with its own entry in the engine's netns directory
      When the container is stopped
      Then its network namespace is no longer mounted on the engine host
