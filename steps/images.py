"""Givens that name the fixture images (built FROM scratch, once per run)."""

from behave import given

from docker_claims import fixtures

FIXTURES = {
    "the layered fixture image": fixtures.LAYERED,
    "the busybox fixture image": fixtures.BASE,
    "the layered fixture image with a command that needs its ENV and WORKDIR":
        fixtures.CONFIGURED,
}


def _use(context, spec: fixtures.FixtureSpec) -> None:
    context.image = context.session.fixtures.image(spec)
    context.dockerfile = context.session.fixtures.dockerfile(spec)
    context.spec = spec


for _text, _spec in FIXTURES.items():
    given(_text)(lambda context, spec=_spec: _use(context, spec))
