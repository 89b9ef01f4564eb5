"""Givens that name the fixture images (built FROM scratch, once per run)."""

from behave import given

from docker_claims import fixtures


@given("the layered fixture image")
def step_layered_image(context):
    context.image = context.session.fixtures.image(fixtures.LAYERED)
    context.dockerfile = context.session.fixtures.dockerfile(fixtures.LAYERED)
    context.spec = fixtures.LAYERED


@given("the busybox fixture image")
def step_busybox_image(context):
    context.image = context.session.fixtures.image(fixtures.BASE)
    context.dockerfile = context.session.fixtures.dockerfile(fixtures.BASE)
    context.spec = fixtures.BASE
