"""Shared fixtures: a demo database built once per test run, and fresh copies of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analytics import demo
from analytics.db import Database

DEMO_SEED = 1


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed demo database file (seed 1, scale 1). Treat as read-only; copy it to change it."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with Database(path) as db:
        demo.build(db, seed=DEMO_SEED)
    return path


@pytest.fixture
def demo_db_copy(demo_db_path: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database, free for a test (or a subprocess) to open and change."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, path)
    return path
