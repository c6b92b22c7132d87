import datetime

import factory
from django.utils import timezone

from accounts.models import Invitation, User
from sections.models import Answer, Item, Question

PASSWORD = "a-long-test-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("alias",)
        skip_postgeneration_save = True

    alias = factory.Sequence(lambda n: f"member{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    title = factory.Sequence(lambda n: f"Item {n}")
    url = factory.Sequence(lambda n: f"https://example.com/item/{n}")
    body = "A short summary."
    position = factory.Sequence(int)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    body = factory.Sequence(lambda n: f"Question {n}?")
    position = factory.Sequence(int)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    body = factory.Sequence(lambda n: f"Answer {n}.")
