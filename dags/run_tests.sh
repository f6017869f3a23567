#!/usr/bin/env bash
# Airflow DAG tests: a virtualenv with the pinned Airflow, Spark provider, pyspark (for spark-submit)
# and pytest at .venv in this checkout (rebuilt only when the pins change), an isolated AIRFLOW_HOME
# in a temporary folder, then `pytest dags/tests`. Needs Python 3.11 (or $PYTHON) and JDK 17; the
# end-to-end test needs target/partnermix-all.jar and target/partnermix-cluster.jar
# (mvn -DskipTests package). Extra arguments go to pytest, e.g. dags/run_tests.sh -k integrity.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The installation the end-to-end test runs (target/ jars, conf/, data-quality/): this checkout
# unless PARTNERMIX_HOME names another one.
PARTNERMIX_HOME="${PARTNERMIX_HOME:-$REPO}"
export PARTNERMIX_HOME
DAGS="$REPO/dags"
VENV="$REPO/.venv"

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
"$PYTHON" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] < (3, 14) else 1)' || {
  echo "dags/run_tests.sh: Airflow 3 needs Python 3.10-3.13; $PYTHON is $("$PYTHON" --version 2>&1)" >&2
  exit 2
}

# The virtualenv is reused while the requirements, the constraints, pip and the Python are the same.
PIP_VERSION=26.3
stamp="$(cat "$DAGS/requirements.txt" "$DAGS/constraints.txt" | sha256sum | cut -d' ' -f1) pip $PIP_VERSION $("$PYTHON" --version 2>&1)"
if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.partnermix-requirements" 2>/dev/null)" = "$stamp" ]; then
  echo "-- reusing $VENV (requirements unchanged)"
else
  echo "-- creating $VENV with $("$PYTHON" --version 2>&1) (Airflow, Spark provider, pyspark: a few minutes) ..."
  started=$(date +%s)
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "pip==$PIP_VERSION"
  echo "-- installing dags/requirements.txt (constrained by dags/constraints.txt) ..."
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$DAGS/requirements.txt" -c "$DAGS/constraints.txt"
  echo "$stamp" > "$VENV/.partnermix-requirements"
  echo "-- virtualenv ready in $(( $(date +%s) - started )) s"
fi
export PATH="$VENV/bin:$PATH"   # spark-submit (from pyspark) and airflow
# pyspark's spark-submit runs its own bundled Spark only when SPARK_HOME is unset: a Spark installed on the
# machine must not stand in for the pinned 3.5.7 the jar is built against.
unset SPARK_HOME
submit_version="$(spark-submit --version 2>&1 | grep -o 'version 3\.[0-9.]*' | head -1)"
[ "$submit_version" = "version 3.5.7" ] || {
  echo "dags/run_tests.sh: spark-submit on PATH reports '${submit_version:-no version}', expected Spark 3.5.7" >&2
  exit 1
}
echo "-- spark-submit: Spark ${submit_version#version } (pyspark in $VENV)"

# An Airflow of its own: a temporary home with a SQLite metadata database, our DAG folder only.
AIRFLOW_HOME="$(mktemp -d "${TMPDIR:-/tmp}/partnermix-airflow.XXXXXX")"
export AIRFLOW_HOME
trap 'rm -rf "$AIRFLOW_HOME"' EXIT
export AIRFLOW__CORE__DAGS_FOLDER="$DAGS"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
# INFO: a failing test shows the spark-submit output (pytest prints captured output of failures only)
export AIRFLOW__LOGGING__LOGGING_LEVEL="${AIRFLOW__LOGGING__LOGGING_LEVEL:-INFO}"
unset AIRFLOW_CONN_SPARK_DEFAULT AIRFLOW_CONN_PARTNERMIX_SPARK
echo "-- airflow db migrate (AIRFLOW_HOME=$AIRFLOW_HOME) ..."
started=$(date +%s)
airflow db migrate > "$AIRFLOW_HOME/db-migrate.log" 2>&1 || { cat "$AIRFLOW_HOME/db-migrate.log" >&2; exit 1; }
echo "-- metadata database ready in $(( $(date +%s) - started )) s"

echo "-- pytest dags/tests"
cd "$REPO"
python -m pytest "$DAGS/tests" -q -p no:cacheprovider --durations=8 "$@"
