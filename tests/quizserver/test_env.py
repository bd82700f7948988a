"""The typed environment readers fail loudly on values they cannot use."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from quizserver.env import database_from_url, env_bool, env_int, env_int_map, env_list


def test_booleans_accept_the_usual_spellings_and_refuse_others(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG", True) is False
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG", False)


def test_integers_are_checked_for_type_and_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIZE", "12")
    assert env_int("SIZE", 1, minimum=1) == 12
    monkeypatch.setenv("SIZE", "twelve")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env_int("SIZE", 1)
    monkeypatch.setenv("SIZE", "0")
    with pytest.raises(ImproperlyConfigured, match="minimum"):
        env_int("SIZE", 1, minimum=1)


def test_lists_split_on_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]
    assert env_list("UNSET_LIST_FOR_TEST", ["x"]) == ["x"]


def test_integer_maps_are_json_objects_of_positive_integers(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_int_map("UNSET_MAP_FOR_TEST", {"c": 50}) == {"c": 50}
    monkeypatch.setenv("IDS", '{"python": 92}')
    assert env_int_map("IDS", {}) == {"python": 92}
    for bad in ("python=92", '["python"]', '{"python": "92"}', '{"python": 0}', '{"python": true}'):
        monkeypatch.setenv("IDS", bad)
        with pytest.raises(ImproperlyConfigured, match="IDS"):
            env_int_map("IDS", {})


def test_database_urls_become_django_settings() -> None:
    db = database_from_url("postgres://quiz:p%40ss@db.internal:6543/quiz?sslmode=require")
    assert db == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "quiz",
        "USER": "quiz",
        "PASSWORD": "p@ss",
        "HOST": "db.internal",
        "PORT": "6543",
        "OPTIONS": {"sslmode": "require"},
    }
    assert database_from_url("sqlite:///var/q.sqlite3")["NAME"] == "var/q.sqlite3"
    with pytest.raises(ImproperlyConfigured, match="scheme"):
        database_from_url("mysql://x/y")
    with pytest.raises(ImproperlyConfigured, match="names no database"):
        database_from_url("postgres://host:5432/")
