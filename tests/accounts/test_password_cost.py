"""Password hashes keep argon2-cffi's default cost everywhere but in the test suite: the cheap parameters the
tests use are refused outside OCOP_ENV=test, whatever OCOP_PASSWORD_HASH says."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher, extract_parameters

from services.accounts import auth


@pytest.fixture
def fresh_hasher() -> Iterator[None]:
    auth._hasher.cache_clear()
    yield
    auth._hasher.cache_clear()


@pytest.mark.parametrize("environment", ["production", "development"])
def test_outside_tests_passwords_are_hashed_at_full_cost(
    environment: str, monkeypatch: pytest.MonkeyPatch, fresh_hasher: None
) -> None:
    monkeypatch.setenv("OCOP_ENV", environment)
    monkeypatch.setenv("OCOP_PASSWORD_HASH", "fast")
    parameters = extract_parameters(auth.hash_password("correct horse battery"))
    default = PasswordHasher()
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (
        default.time_cost,
        default.memory_cost,
        default.parallelism,
    )
    assert parameters.memory_cost >= 65536


def test_the_test_suite_hashes_cheaply_and_still_verifies(
    monkeypatch: pytest.MonkeyPatch, fresh_hasher: None
) -> None:
    monkeypatch.setenv("OCOP_ENV", "test")
    monkeypatch.setenv("OCOP_PASSWORD_HASH", "fast")
    stored = auth.hash_password("correct horse battery")
    assert extract_parameters(stored).memory_cost < PasswordHasher().memory_cost
    assert auth._hasher().verify(stored, "correct horse battery")
