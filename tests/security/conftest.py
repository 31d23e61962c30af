import pytest
from django.test import Client

from seeds.demo import demo_accounts_ensure

PASSWORD = "pw-demo-1"


@pytest.fixture
def demo(primary_plan):
    demo_accounts_ensure(PASSWORD)
    return primary_plan


def client_for(username: str, **headers) -> Client:
    client = Client(**headers)
    assert client.login(username=username, password=PASSWORD)
    return client
