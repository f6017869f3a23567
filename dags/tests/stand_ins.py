"""A stand-in `spark-submit` for DAG tests that need Airflow's behaviour but not Spark's."""

from __future__ import annotations

from pathlib import Path

# Appends its arguments as one line to $PARTNERMIX_TEST_SUBMIT_LOG; exits 1 when one of them is the stage named in
# $PARTNERMIX_TEST_FAILING_STAGE (unset or empty: never fails).
SPARK_SUBMIT = """#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$PARTNERMIX_TEST_SUBMIT_LOG"
failing="${PARTNERMIX_TEST_FAILING_STAGE:-}"
if [ -n "$failing" ]; then
  for arg in "$@"; do
    if [ "$arg" = "$failing" ]; then echo "stand-in spark-submit: $arg fails" >&2; exit 1; fi
  done
fi
"""


def spark_submit_folder(work: Path) -> Path:
    """A folder holding the stand-in `spark-submit`, to put first on the PATH."""
    folder = work / "bin"
    folder.mkdir()
    (folder / "spark-submit").write_text(SPARK_SUBMIT)
    (folder / "spark-submit").chmod(0o755)
    return folder
