#!/usr/bin/env python3
"""The house's shape rules, checked by ``make lint``: no Python file of the addon (tests
aside) over 400 lines, no function or method over 60 lines (docstring included).

    python3 tools/check_shape.py [paths...]
"""

import ast
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60


def python_files(paths):
    for path in paths:
        if os.path.isfile(path):
            yield path
            continue
        for folder, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "tests"))
            for name in sorted(files):
                if name.endswith(".py"):
                    yield os.path.join(folder, name)


def problems(path):
    with open(path, encoding="utf-8") as fh:
        source = fh.read()
    lines = source.count("\n")
    rel = os.path.relpath(path, ROOT)
    if lines > MAX_FILE_LINES:
        yield f"{rel}: {lines} lines (at most {MAX_FILE_LINES})"
    for node in ast.walk(ast.parse(source, path)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            length = node.end_lineno - start + 1
            if length > MAX_FUNCTION_LINES:
                yield f"{rel}:{node.lineno}: {node.name}() is {length} lines (at most {MAX_FUNCTION_LINES})"


def main():
    paths = sys.argv[1:] or [os.path.join(ROOT, "kakeuri_ar")]
    found = [problem for path in python_files(paths) for problem in problems(path)]
    for problem in found:
        print(problem)
    if found:
        print(f"check_shape: {len(found)} problem(s)")
        sys.exit(1)


if __name__ == "__main__":
    main()
