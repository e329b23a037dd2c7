import factory
from django.contrib.auth.models import Group

from accounts.enums import NotificationChoice, NotificationKind, Role
from accounts.models import ApiToken, NotificationPreference, User
from accounts.services import api_token_create


class UserFactory(factory.django.DjangoModelFactory):
    """A user; pick a role with a trait: UserFactory(partner_member=True), (analyst=True)..."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("secret-pass-1")
    role = None

    class Params:
        partner_member = factory.Trait(
            role=Role.PARTNER,
            partner=factory.SubFactory("tests.factories.workflow.PartnerFactory"),
        )
        analyst = factory.Trait(role=Role.ANALYST, is_staff=True)
        leader = factory.Trait(role=Role.LEADER, is_staff=True)
        rnd_expert = factory.Trait(role=Role.RND_EXPERT, is_staff=True)
        auditor = factory.Trait(role=Role.AUDITOR, is_staff=True)
        # Not staff: the admin does not reveal itself to the sales staff.
        sales = factory.Trait(role=Role.SALES)

    @factory.post_generation
    def role_group(self, create, extracted, **kwargs):
        if create and self.role:
            self.groups.add(Group.objects.get(name=Role(self.role).value))
            self.__dict__.pop("_role_names", None)

    @classmethod
    def _create(cls, model_class, *args, role=None, **kwargs):
        user = super()._create(model_class, *args, **kwargs)
        user.role = role
        return user


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """An API token made as a partner makes one; its secret, shown once, is on `.secret`."""

    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory, partner_member=True)
    name = factory.Sequence(lambda n: f"token {n}")
    days = 90

    @classmethod
    def _create(cls, model_class, *args, user, name, days, **kwargs):
        token, secret = api_token_create(user=user, name=name, days=days)
        token.secret = secret
        return token


class NotificationPreferenceFactory(factory.django.DjangoModelFactory):
    """One person's choice for one kind of message: a daily digest unless told otherwise."""

    class Meta:
        model = NotificationPreference
        django_get_or_create = ("user", "kind")

    user = factory.SubFactory(UserFactory)
    kind = NotificationKind.REQUEST_PROGRESS
    choice = NotificationChoice.DIGEST
