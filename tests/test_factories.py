"""Every model has a factory, and each factory builds a valid row."""

import inspect

import factory
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from simple_history.models import HistoricalChanges

from tests import factories

FACTORIES = [
    cls
    for _, cls in inspect.getmembers(factories, inspect.isclass)
    if issubclass(cls, factory.django.DjangoModelFactory) and cls.__module__ == factories.__name__
]
OUR_APPS = [
    "organisations",
    "missions",
    "matchmaking",
    "outcomes",
    "messaging",
    "portal",
    "planning",
]


def test_factories_cover_every_model():
    models = {get_user_model()} | {
        model
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models()
        if not issubclass(model, HistoricalChanges)  # simple_history writes those rows
    }

    assert {cls._meta.model for cls in FACTORIES} == models


@pytest.mark.django_db
@pytest.mark.parametrize("model_factory", FACTORIES, ids=lambda cls: cls.__name__)
def test_factory_builds_a_valid_saved_object(model_factory):
    obj = model_factory()

    obj.refresh_from_db()
    obj.full_clean()
    assert type(obj)._default_manager.filter(pk=obj.pk).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("model_factory", FACTORIES, ids=lambda cls: cls.__name__)
def test_factory_called_twice_builds_two_valid_objects(model_factory):
    first, second = model_factory(), model_factory()

    second.full_clean()
    assert first.pk != second.pk
