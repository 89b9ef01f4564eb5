"""docker-claims: the claims of "Docker 镜像和容器的区别", proven or refuted on a live engine.

The package has three layers, imported one way: `runner` (behave hooks, the run's session, the
report, the command line) uses `claims` (one module per feature file: the checks of its claims)
and `engine` (talking to engines); `claims` uses `engine`; every layer uses `evidence`.
"""

__version__ = "0.1.0"
