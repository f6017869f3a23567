"""The notebooks' reader (notebooks/partnermix_nb.py) in the notebooks' own pinned virtualenv: it must read the
published Delta versions only. The notebooks themselves run against the end-to-end warehouse in
test_nightly_e2e.py."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds the notebooks' virtualenv: left out of bin/test --fast

REPO = Path(__file__).resolve().parents[2]


def test_the_notebook_reader_reads_only_published_versions():
    out = subprocess.run([str(REPO / "bin" / "notebooks"), "--test"], capture_output=True, text=True, timeout=1200)
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-3000:]
    assert " passed" in out.stdout and "failed" not in out.stdout, out.stdout
