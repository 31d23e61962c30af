"""The benchmark's pages and endpoints stay within their query budget at any data size.

The same page list as ``manage.py bench`` (seeds.bench), on two synthetic data sets.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from departments.choices import Role
from departments.models import Membership
from seeds.bench import PLAIN_STATIC, _pages, busiest_liaison, get_page, lead_office_user
from seeds.synthetic import synthetic_build

BUDGET = 10  # DESIGN.md §5: every page and API endpoint runs ≤ 10 queries


def _query_counts() -> dict[str, int]:
    liaison, lead = busiest_liaison(), lead_office_user()
    manager = Membership.objects.filter(role=Role.MANAGER).select_related("user").first().user
    counts = {}
    with override_settings(STORAGES=PLAIN_STATIC):
        for name, (client, url) in _pages(liaison, manager, lead).items():
            get_page(client, url)()  # warm-up: the month's period is opened on first visit
            with CaptureQueriesContext(connection) as queries:
                get_page(client, url)()
            counts[name] = len(queries)
    return counts


@pytest.fixture(scope="module")
def counts_at_two_sizes(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        sizes = []
        for size in ({"plans": 1, "tasks_per_plan": 6, "departments": 5, "users": 20,
                      "months": 2},
                     {"plans": 3, "tasks_per_plan": 30, "departments": 12, "users": 60,
                      "months": 4}):
            with transaction.atomic():
                synthetic_build(**size, seed=7)
                sizes.append(_query_counts())
                transaction.set_rollback(True)
    return sizes


@pytest.mark.django_db
def test_every_page_and_endpoint_stays_within_the_budget(counts_at_two_sizes):
    _, large = counts_at_two_sizes
    assert {name: n for name, n in large.items() if n > BUDGET} == {}


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_the_data(counts_at_two_sizes):
    small, large = counts_at_two_sizes
    assert small == large
