"""Fixtures the security tests share: the local server that counts what a render fetches."""
import pytest

from tests.security.xss_support import FetchCounter


@pytest.fixture
def fetch():
    counter = FetchCounter()
    yield counter
    counter.close()
