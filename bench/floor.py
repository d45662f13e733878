"""The parsing floor: one process that reads and ``ast.parse``s every Python file and notebook code.

Nothing else: no rules, no cache, no pool. ``python bench/floor.py FILE_LIST`` (one path per line,
absolute or relative to the current directory). Notebooks are JSON-decoded and their code cells
joined, with IPython magics/shell lines blanked as any notebook-aware tool must do.
"""

import ast
import json
import sys
import warnings


def notebook_code(data: bytes) -> str:
    nb = json.loads(data)
    cells = nb.get("cells") or (nb.get("worksheets") or [{}])[0].get("cells", [])
    out = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", cell.get("input", ""))
        src = "".join(src) if isinstance(src, list) else src
        out.extend("pass" if line.lstrip().startswith(("%", "!")) else line for line in src.split("\n"))
    return "\n".join(out)


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        paths = [line.rstrip("\n") for line in handle if line.strip()]
    warnings.simplefilter("ignore")
    parsed = failed = 0
    for path in paths:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            ast.parse(notebook_code(data) if path.endswith(".ipynb") else data, filename=path)
            parsed += 1
        except (SyntaxError, ValueError, RecursionError, OSError, AttributeError, TypeError):
            failed += 1
    print(json.dumps({"parsed": parsed, "failed": failed}))


if __name__ == "__main__":
    main()
