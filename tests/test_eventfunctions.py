"""The data flow's entry points (mllint/analysis/eventfunctions.py): gathered by the engine's single
traversal they equal those of the index's own pass, and the data flow uses the traversal's index
when there is one."""

from __future__ import annotations

import ast

import pytest

from mllint.analysis.context import FileContext
from mllint.analysis.eventfunctions import EventFunctions
from mllint.analysis.flow import DataFlow
from mllint.catalogue.loader import builtin_rules
from mllint.catalogue.rule import Example
from mllint.engine.walk import walk
from mllint.knowledge.loader import builtin_knowledge
from mllint.testing import check_source, example_bytes

FLOW_RULES = ("ML0401", "ML0902", "ML1002", "ML1003", "ML1305", "ML1307")

NESTED = """
import torch
from sklearn.preprocessing import StandardScaler

def outer(frame):
    @decorate(helper)
    def inner(x=fit_default):
        return StandardScaler().fit(x)
    class Local:
        def method(self):
            return inner(frame)
    return Local().method()

async def trainer(model, batches):
    async for batch in batches:
        model(batch).backward()
        optimizer.step()

def caller():
    return trainer(None, [])

def unrelated(a, b):
    return [a + b for _ in range(3)]

x = lambda v: v.fit(v)
"""


def _sources() -> list[str]:
    sources = [NESTED]
    for rule in builtin_rules(FLOW_RULES).values():
        for example in [*rule.violating, *rule.compliant]:
            if isinstance(example, Example) and example.cells is None:
                sources.append(example_bytes(example).decode("utf-8", "surrogateescape"))
    return sources


@pytest.mark.parametrize("source", _sources())
def test_the_traversal_gathers_what_the_index_gathers_alone(source):
    knowledge = builtin_knowledge()
    tree = ast.parse(source)
    ctx = FileContext("train.py", tree, knowledge, False)
    walked = EventFunctions(ctx)
    walk(tree, ctx, [walked])
    walked.finish()
    alone = EventFunctions(FileContext("train.py", tree, knowledge, False))
    alone.gather(tree)
    assert walked.by_name == alone.by_name
    assert walked.refers == alone.refers
    assert walked.direct == alone.direct
    assert walked.interesting() == alone.interesting()


def test_the_nested_example_finds_what_leads_to_an_event():
    ctx = FileContext("train.py", ast.parse(NESTED), builtin_knowledge(), False)
    index = EventFunctions.of(ctx)
    assert sorted(f.name for f in index.interesting()) == ["caller", "inner", "method", "outer", "trainer"]


@pytest.fixture
def passes(counter):
    return counter(EventFunctions, "gather")  # the index's own pass


def test_a_check_uses_the_index_its_traversal_gathered(passes):
    source = """
    from sklearn.preprocessing import StandardScaler
    from sklearn.linear_model import LogisticRegression
    def train(X, y):
        scaler = StandardScaler().fit(X)
        return LogisticRegression().fit(scaler.transform(X), y)
    """
    findings = check_source(source, select=["ML0902"])
    assert [f.code for f in findings] == ["ML0902"]
    assert passes["calls"] == 0


def test_a_flow_asked_for_outside_a_traversal_makes_its_own_pass(passes):
    tree = ast.parse("from sklearn.linear_model import LogisticRegression\n"
                     "def train(X, y):\n    return LogisticRegression().fit(X, y)\n")
    flow = DataFlow(FileContext("train.py", tree, builtin_knowledge(), False))
    assert flow.estimator_fits
    assert passes["calls"] == 1
