"""ML0001 parse-error: a code file that cannot be read as Python is reported, not skipped silently."""

from mllint.catalogue.rule import CodeRule, Example


class ParseError(CodeRule):
    code = "ML0001"
    name = "parse-error"
    factor = 0
    severity = "error"
    summary = "A Python file or notebook could not be parsed, so no other rule checked it."
    why = """
        A file mllint cannot parse is a file none of the twelve-factor checks looked at: a syntax
        error, Python 2 code, a notebook whose JSON is broken, or binary/undecodable bytes. The
        run goes on with the other files, but this one is a blind spot until it parses.
    """
    how_to_fix = """
        Fix the syntax error (the message gives line and column), port Python 2 code, or repair
        the notebook JSON (e.g. open and re-save it in Jupyter). For a notebook, only the broken
        cell is skipped; the other cells are still checked.
    """
    violating = [
        Example("def train(:\n    pass\n"),
        Example('print "python 2"\n', path="legacy.py"),
        Example(cells=("import numpy as np", "x = [1, 2\n"), path="explore.ipynb"),
        Example("x = '\\x00'\n\x00\n", path="binary.py", note="binary bytes"),
        Example(cells=("ls = ['train.csv']", "ls -l data"), path="explore.ipynb",
                note="the notebook assigns `ls`, so IPython reads the line as Python (automagic is shadowed)"),
        Example(cells=("# list the data\nls -l data",), path="explore.ipynb",
                note="automagic applies only to a cell of one line"),
    ]
    compliant = [
        Example("def train():\n    pass\n"),
        Example(cells=("%matplotlib inline\nimport numpy as np", "!pip install pandas\nx = [1, 2]"), path="explore.ipynb",
                note="IPython magics and shell lines are neutralised, not errors"),
        Example(cells=(" import numpy as np\n x = np.zeros(3)", "%%capture timing\n%%timeit\nsum(range(10))"),
                path="explore.ipynb",
                note="IPython runs a cell whose first line is indented dedented, and stacked cell magics"),
        Example(cells=("ls -l data", "pip install pandas", "import pandas as pd"), path="explore.ipynb",
                note="IPython runs a one-line cell naming a line magic without `%` (automagic) as that magic"),
        Example("# -*- coding: latin-1 -*-\nname = 'caf\\xe9'\n", path="legacy.py"),
        Example("match command:\n    case 'go':\n        pass\n", path="modern.py"),
    ]
