"""Shared fixtures of the DAG tests. Run them with dags/run_tests.sh: it makes the virtualenv, an
isolated AIRFLOW_HOME with a migrated metadata database, and puts spark-submit on the PATH."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parent.parent
REPO = DAGS.parent

# Airflow puts the DAG folder on sys.path when it parses DAG files; the tests import from it too.
if str(DAGS) not in sys.path:
    sys.path.insert(0, str(DAGS))

if "AIRFLOW_HOME" not in os.environ:
    pytest.exit("run the DAG tests with dags/run_tests.sh (it sets up AIRFLOW_HOME and the metadata DB)", 2)


def declared_nightly_steps() -> list[list[str]]:
    """The steps of dags/nightly_stages.txt, the order the Java NightlyPipeline is checked against too:
    one per line, its stages (task ids) separated by blanks; '#' starts a comment line."""
    lines = (DAGS / "nightly_stages.txt").read_text().splitlines()
    return [line.split() for line in map(str.strip, lines) if line and not line.startswith("#")]


@pytest.fixture(scope="session")
def dagbag():
    """The DAG folder parsed the way the DAG processor and the workers parse it (a bundle whose
    folder is on sys.path, .airflowignore honoured)."""
    from airflow.dag_processing.dagbag import BundleDagBag

    return BundleDagBag(dag_folder=str(DAGS), bundle_path=DAGS, bundle_name="dags-folder")


@pytest.fixture(scope="session")
def partnermix_home() -> Path:
    return Path(os.environ.get("PARTNERMIX_HOME") or REPO)
