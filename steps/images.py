"""Givens that name the fixture images (built FROM scratch, once per run)."""

from behave import given

from docker_claims.engine import fixtures


def _use(context, spec: fixtures.FixtureSpec) -> None:
    context.image = context.session.fixtures.image(spec)
    context.dockerfile = context.session.fixtures.dockerfile(spec)
    context.spec = spec


for _text, _spec in fixtures.GIVENS.items():
    given(_text)(lambda context, spec=_spec: _use(context, spec))
