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
            import papermill as pm
            pm.execute_notebook("report.ipynb", "out.ipynb", parameters={"run": run_id})
        """, note="near misses: ipywidgets, IPython; papermill runs notebooks as reports"),
    ]

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        spec = ctx.knowledge.get("notebook_importers", {})
        self.modules = tuple(spec.get("modules", ()))
        self.magics = set(spec.get("magics", ("run",)))
        self.magic_methods = set(spec.get("magic_methods", ()))
        self.readers = set(spec.get("readers", ()))
        self.active = not ctx.is_notebook and not ctx.is_test
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
        if isinstance(func, ast.Attribute) and func.attr in self.magic_methods and _is_get_ipython(func.value):
            magic = _first_string(node)
            if magic is not None:
                word = magic.split(None, 1)[0].lstrip("%") if magic.strip() else ""
                if word in self.magics:
                    self.report(node, "runs another notebook with %run: move the code production needs into a Python module")

    def finish(self) -> None:
        if self.reads_notebooks:
            for node in self.execs:
                self.report(node, "executes notebook cells with exec(): move the code production needs into a Python module")


def _is_get_ipython(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "get_ipython"


def _first_string(node: ast.Call) -> str | None:
    if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value
    return None
