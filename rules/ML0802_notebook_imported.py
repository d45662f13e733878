"""ML0802 notebook-imported: production ``.py`` code importing or running notebooks."""

from __future__ import annotations

import ast

from mllint.catalogue.rule import CodeRule, Example


class NotebookImported(CodeRule):
    code = "ML0802"
    name = "notebook-imported"
    factor = 8
    severity = "warning"
    summary = "Production Python code imports or runs a Jupyter notebook."
    why = """
        Factor 8 (experiments are not production): a notebook is an experiment log, with hidden
        state, out-of-order cells and no tests. Importing it (`import_ipynb`, `nbimporter`,
        `ipynb.fs...`) or executing it from a module makes production behaviour depend on a
        document that is edited interactively, is hard to review in diffs and is not linted or
        tested like code.
    """
    how_to_fix = """
        Move the functions the module needs out of the notebook into a Python module (e.g.
        `src/<package>/features.py`), import that module from both the production code and the
        notebook, and keep the notebook for exploration and reporting.
    """
    violating = [
        Example("""
            import import_ipynb
            import preprocessing
            df = preprocessing.clean(raw)
        """, lines=(1,)),
        Example("""
            from ipynb.fs.full.features import build_features
            X = build_features(df)
        """, note="the ipynb package"),
        Example("""
            # exported from a notebook
            get_ipython().run_line_magic('run', './helpers.ipynb')
            model = train(df)
        """, lines=(2,), note="%run in a .py file"),
        Example("""
            import nbformat
            nb = nbformat.read("prep.ipynb", as_version=4)
            for cell in nb.cells:
                if cell.cell_type == "code":
                    exec(cell.source)
        """, lines=(5,), note="exec of notebook sources"),
        Example("""
            from importnb import Notebook
            with Notebook():
                import features
        """),
        Example("""
            try:
                import nbimporter
            except ImportError:
                nbimporter = None
        """, lines=(2,)),
        Example("""
            import papermill as pm
            def train(params):
                pm.execute_notebook("notebooks/train.ipynb", "runs/train.ipynb", parameters=params)
        """, lines=(3,), path="src/pipeline/train.py", note="papermill runs a notebook as a pipeline step"),
        Example("""
            from nbconvert.preprocessors import ExecutePreprocessor
            import nbformat
            nb = nbformat.read("prep.ipynb", as_version=4)
            ExecutePreprocessor(timeout=600).preprocess(nb, {"metadata": {"path": "."}})
        """, lines=(4,), note="nbconvert's ExecutePreprocessor"),
        Example("""
            from recsys.utils.notebook_utils import execute_notebook
            execute_notebook("wide_deep.ipynb", "output.ipynb", parameters={"EPOCHS": 10})
        """, path="train_scripts/wide_deep_training.py", note="a project wrapper that runs notebooks"),
    ]
    compliant = [
        Example(cells=("import import_ipynb\nimport helpers", "helpers.plot(df)"), path="report.ipynb",
                note="a notebook pulling in another notebook is exploration, not production code"),
        Example("""
            import nbformat
            def strip_outputs(path):
                nb = nbformat.read(path, as_version=4)
                for cell in nb.cells:
                    cell.outputs = []
                nbformat.write(nb, path)
        """, note="reading notebooks as documents"),
        Example("""
            code = compile(source, "<rule>", "exec")
            exec(code, namespace)
        """, note="exec of code that is not a notebook"),
        Example("""
            from testbook import testbook
            @testbook("notebooks/eda.ipynb", execute=True)
            def test_eda(tb):
                assert tb.ref("n_rows") > 0
        """, path="tests/test_notebooks.py", note="testing notebooks"),
        Example("""
            import ipywidgets as widgets
            import IPython
            from IPython.display import display
            display(widgets.IntSlider())
        """, note="near misses: ipywidgets, IPython"),
        Example("""
            from nbconvert.preprocessors import ExecutePreprocessor
            def execute_notebook(path, timeout=600):
                ExecutePreprocessor(timeout=timeout).preprocess(nbformat.read(path, as_version=4))
        """, path="src/pkg/utils/notebook_utils.py", note="the wrapper's own body (its callers are reported)"),
        Example("""
            import papermill as pm
            def test_notebook_runs(tmp_path):
                pm.execute_notebook("notebooks/eda.ipynb", str(tmp_path / "out.ipynb"))
        """, path="tests/test_notebooks.py", note="tests that run notebooks"),
    ]

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        self.modules, self.magics, self.magic_methods, self.readers, self.executors, self.executor_names = \
            ctx.knowledge.derived(_tables)
        self.active = not ctx.is_notebook and not ctx.is_test
        self.idle = not self.active  # a notebook or a test file: nothing of it is visited
        self.execs: list[ast.Call] = []
        self.reads_notebooks = False

    def _importer(self, module: str) -> str | None:
        for candidate in self.modules:
            if module == candidate or module.startswith(candidate + "."):
                return candidate
        return None

    def visit_Import(self, node: ast.Import) -> None:
        if self.active:
            for alias in node.names:
                found = self._importer(alias.name)
                if found:
                    self._report_import(node, alias.name)
                    return

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if self.active and not node.level and node.module and self._importer(node.module):
            self._report_import(node, node.module)

    def _report_import(self, node: ast.AST, module: str) -> None:
        self.report(node, f"imports notebooks through {module!r}: move the code production needs into a Python module")

    def visit_Call(self, node: ast.Call) -> None:
        if not self.active:
            return
        func = node.func
        if isinstance(func, ast.Name) and func.id == "exec" and "exec" not in self.ctx.imports:
            self.execs.append(node)
            return
        name = self.ctx.call_name(node)
        if name in self.readers:
            self.reads_notebooks = True
            return
        last = name.rpartition(".")[2] if name else func.id if isinstance(func, ast.Name) else None
        if (name in self.executors or last in self.executor_names) and not self._inside_wrapper():
            self.report(node, f"runs a notebook as a step of this program ({last}): move the code production needs into a "
                              "Python module and run that (keep notebooks for exploration and reports)")
            return
        if isinstance(func, ast.Attribute) and func.attr in self.magic_methods and _is_get_ipython(func.value):
            magic = _first_string(node)
            if magic is not None:
                word = magic.split(None, 1)[0].lstrip("%") if magic.strip() else ""
                if word in self.magics:
                    self.report(node, "runs another notebook with %run: move the code production needs into a Python module")

    def _inside_wrapper(self) -> bool:
        """In the body of a function that is itself a notebook executor (``def execute_notebook(...)``): the
        callers are reported, not the wrapper."""
        function = self.ctx.enclosing_function()
        return getattr(function, "name", None) in self.executor_names

    def finish(self) -> None:
        if self.reads_notebooks:
            for node in self.execs:
                self.report(node, "executes notebook cells with exec(): move the code production needs into a Python module")


def _tables(knowledge) -> tuple[tuple[str, ...], frozenset[str], frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """``[notebook_importers]``: modules, magics, magic methods, readers, executors, executor names; made once
    per knowledge (read only)."""
    spec = knowledge.get("notebook_importers", {})
    return (tuple(spec.get("modules", ())), frozenset(spec.get("magics", ("run",))), frozenset(spec.get("magic_methods", ())),
            frozenset(spec.get("readers", ())), frozenset(spec.get("executors", ())), frozenset(spec.get("executor_names", ())))


def _is_get_ipython(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "get_ipython"


def _first_string(node: ast.Call) -> str | None:
    if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value
    return None
