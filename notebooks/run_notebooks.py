"""Executes every notebook of this folder against a warehouse; exits 1 naming the notebook and cell that failed.

    python notebooks/run_notebooks.py --warehouse var/warehouse [--html var/notebooks-html] [--set NAME=VALUE]...

Like papermill, the values are injected as a cell right after the cell tagged `parameters`, so the notebooks
stay runnable by hand with their own defaults. The notebooks themselves are not modified.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

HERE = Path(__file__).resolve().parent


def with_parameters(notebook: nbformat.NotebookNode, values: dict[str, object]) -> nbformat.NotebookNode:
    source = "# Injected parameters\n" + "".join(f"{name} = {value!r}\n" for name, value in values.items())
    cells = notebook.cells
    at = next((i for i, c in enumerate(cells) if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if at is None:
        raise SystemExit("the notebook has no cell tagged 'parameters'")
    cells.insert(at + 1, nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]}))
    return notebook


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--html", help="folder for one HTML page per executed notebook")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="another parameter (a string), e.g. --set RUN_DATE=2026-11-20")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    parser.add_argument("notebooks", nargs="*", help="default: every *.ipynb here")
    args = parser.parse_args()

    values: dict[str, object] = {"WAREHOUSE": str(Path(args.warehouse).resolve())}
    values |= dict(item.split("=", 1) for item in args.set)
    paths = [Path(p) for p in args.notebooks] or sorted(HERE.glob("*.ipynb"))
    failed = []
    for path in paths:
        started = time.monotonic()
        notebook = with_parameters(nbformat.read(path, as_version=4), values)
        client = NotebookClient(notebook, timeout=args.timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(HERE)}})
        try:
            client.execute()
            charts = sum(1 for cell in notebook.cells for out in cell.get("outputs", [])
                         if "image/png" in out.get("data", {}))
            print(f"ok      {path.name} ({time.monotonic() - started:.1f} s, {charts} charts)")
        except CellExecutionError as error:
            failed.append(path.name)
            print(f"FAILED  {path.name}: {str(error)[-3000:]}")
        if args.html:
            from nbconvert import HTMLExporter

            out = Path(args.html)
            out.mkdir(parents=True, exist_ok=True)
            body, _ = HTMLExporter().from_notebook_node(notebook)
            (out / path.with_suffix(".html").name).write_text(body, encoding="utf-8")
    if args.html:
        print(f"HTML in {Path(args.html).resolve()}")
    print(f"{len(paths) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
