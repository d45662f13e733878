"""CI configurations and retraining schedules: which CI files exist, what they run, when they run.

GitHub/Gitea workflows, GitLab CI, Jenkinsfiles, Azure Pipelines, CircleCI, Travis, Bitbucket and the
other systems listed in ``rules/knowledge/ci.toml`` are found in the checked root and, for a
subproject of a monorepo, at the git root. YAML configs are parsed with ``yaml.safe_load`` (size
limited); the shell commands of their jobs are collected, one level into ``make <target>``,
``just <recipe>``, local composite actions and pre-commit hooks. Everything else is read as text.
Orchestrator schedules (Airflow, Dagster, Prefect, Kubernetes CronJobs, ...) live here too.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mllint.core.patterns import PathPatterns
from mllint.core.yamlsafe import load_yaml, walk_strings
from mllint.repo.cimatrix import expanded_strings
from mllint.repo.mlcode import calls_any, imports_any

if TYPE_CHECKING:  # pragma: no cover
    from mllint.repo.model import RepoModel

MAX_CI_BYTES = 500_000
MAX_CI_FILES = 200
MAX_SCAN_FILES = 400
COMMAND_KEYS = {"run", "script", "scripts", "command", "commands", "cmd", "bash", "pwsh", "powershell", "sh", "args",
                "install", "before_install", "entrypoint", "steps"}
YAML_SYSTEMS_TEXT_ONLY = {"jenkins", "teamcity"}
#: Systems whose workflows name matrix variables as ``${{ matrix.<key> }}`` (mllint/repo/cimatrix.py).
MATRIX_SYSTEMS = {"github", "gitea"}


@dataclass
class CIConfig:
    """One CI configuration file and what it runs."""

    path: str  # relative to the checked root ("../.github/..." style never: None-able display path below)
    system: str
    text: str
    commands: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    scheduled: bool = False
    inside_root: bool = True

    @property
    def report_path(self) -> str | None:
        """The path a finding can point at (None when the file lies above the checked root)."""
        return self.path if self.inside_root else None


def _matches_any(rel: str, patterns: list[str]) -> bool:
    return _patterns(tuple(patterns))(rel)


@functools.lru_cache(maxsize=64)
def _patterns(patterns: tuple[str, ...]) -> PathPatterns:
    return PathPatterns(patterns)


def _any_system(systems: dict[str, list[str]]) -> PathPatterns | None:
    """Every CI system's patterns in one matcher: a file it does not match is no system's, found with one
    test instead of one per system. None when a pattern re-includes (``!``), which no union means."""
    every = tuple(pattern for patterns in systems.values() for pattern in patterns)
    if any(pattern.lstrip().startswith("!") for pattern in every):
        return None
    return _patterns(every)


def _candidate_files(repo: RepoModel) -> list[tuple[str, Path | None, bool]]:
    """(display path, absolute path, inside root) of every file that could be CI config; the absolute
    path only for files above the root (the root's own are read by their relative path)."""
    out: list[tuple[str, Path | None, bool]] = [(rel, None, True) for rel in repo.files]
    git_root = repo.inventory.git_root
    if git_root is not None:
        try:
            git_root = git_root.resolve()
            inside = repo.root.resolve().relative_to(git_root)
        except (OSError, ValueError):
            inside = None
        if inside is not None and str(inside) not in ("", "."):
            for pattern in ("*.yml", "*.yaml", "Jenkinsfile*", ".github/workflows/*", ".gitlab/ci/*",
                            ".circleci/*", ".azure-pipelines/*", ".buildkite/*", ".woodpecker/*", ".gitea/workflows/*",
                            ".semaphore/*", ".tekton/*", ".teamcity/*"):
                folder = git_root / pattern.rpartition("/")[0] if "/" in pattern else git_root
                repo.listdir(folder)  # what the glob sees: a file added or removed there is an input
                for path in sorted(git_root.glob(pattern))[:MAX_CI_FILES]:
                    if repo.is_file(path):
                        rel = path.relative_to(git_root).as_posix()
                        out.append((rel, path, False))
    return out


def find_ci_configs(repo: RepoModel) -> list[CIConfig]:
    systems: dict[str, list[str]] = repo.knowledge.get("ci_systems", {})
    configs: list[CIConfig] = []
    seen: set[str] = set()
    claimed = _any_system(systems)
    for rel, path, inside in _candidate_files(repo):
        if len(configs) >= MAX_CI_FILES:
            break
        if claimed is not None and not claimed(rel):
            continue
        key = f"{inside}:{rel}"
        if key in seen:
            continue
        for system, patterns in systems.items():
            if _matches_any(rel, patterns):
                seen.add(key)
                absolute = path if path is not None else repo.root / rel
                text = repo.read_text(rel, limit=MAX_CI_BYTES) if inside else repo.path_text(absolute, limit=MAX_CI_BYTES)
                if text is not None and (inside or _mentions_subproject(text, system, repo)):
                    configs.append(_parse(rel, system, text, inside, absolute.parent if inside else None, repo))
                break
    return configs


def ci_files_elsewhere(repo: RepoModel) -> list[str]:
    """CI files at the git root that do not concern this folder (a sub-project of a monorepo)."""
    systems: dict[str, list[str]] = repo.knowledge.get("ci_systems", {})
    return [rel for rel, _path, inside in _candidate_files(repo)
            if not inside and any(_matches_any(rel, patterns) for patterns in systems.values())]


def _mentions_subproject(text: str, system: str, repo: RepoModel) -> bool:
    """A CI file at the git root concerns a subproject only when it names the subproject's folder, literally
    or once a job's matrix variables are filled in (``./runtimes/${{ matrix.runtime }}``), or in the tox
    environment it runs (``tox -e all-runtimes``, whose commands name the folder in the git root's tox.ini)."""
    git_root = repo.inventory.git_root
    try:
        sub = repo.root.resolve().relative_to(git_root.resolve()).as_posix() if git_root else ""
    except (OSError, ValueError):
        return False
    if not sub:
        return False
    if sub in text:
        return True
    if system in MATRIX_SYSTEMS and "matrix." in text and any(sub in line for line in expanded_strings(load_yaml(text))):
        return True
    return git_root is not None and any(sub in body for body in _tox_envs_run(text, git_root, repo))


TOX_RUN = re.compile(r"\btox\b[^\n;&|]*?\s(?:-e|--env|-e=)\s*([\w.,{}-]+)")
TOX_SECTION = re.compile(r"^\[([^\]]+)\]\s*$", re.MULTILINE)


def _tox_envs_run(text: str, git_root: Path, repo: RepoModel) -> list[str]:
    """The sections of the git root's tox.ini for the environments a CI file runs (``tox -e all-runtimes``):
    a job testing sub-projects through a tox environment names their folders there."""
    wanted = {name.strip() for match in TOX_RUN.finditer(text) for name in match.group(1).split(",") if name.strip()}
    if not wanted:
        return []
    tox = repo.path_text(git_root / "tox.ini")
    if not tox:
        return []
    heads = list(TOX_SECTION.finditer(tox))
    bodies = []
    for index, head in enumerate(heads):
        name = head.group(1).strip()
        if name.startswith("testenv:") and name.removeprefix("testenv:") in wanted:
            end = heads[index + 1].start() if index + 1 < len(heads) else len(tox)
            bodies.append(tox[head.end():end])
    return bodies


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(("#", "//")))


def _collect_commands(data: Any, out: list[str], actions: list[str], budget: list[int]) -> None:
    """Strings under command-like keys (run, script, *_script, commands, ...), without their comment lines
    (``# segfaults when training`` in a ``run: |`` block runs nothing); `uses:` values into actions."""
    stack = [data]
    while stack and budget[0] > 0:
        node = stack.pop()
        budget[0] -= 1
        if isinstance(node, dict):
            for key, value in node.items():
                name = str(key).lower()
                if name == "uses" and isinstance(value, str):
                    actions.append(value)
                elif name in COMMAND_KEYS or name.endswith("script") or name.endswith("commands"):
                    if isinstance(value, (dict, list)) and name == "steps":
                        stack.append(value)
                    else:
                        out.extend(_strip_comments(s) for s in walk_strings(value, 2_000) if isinstance(s, str))
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


def _github_scheduled(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    on = data.get("on", data.get(True))
    if isinstance(on, dict):
        return "schedule" in on or "repository_dispatch" in on
    if isinstance(on, list):
        return "schedule" in on or "repository_dispatch" in on
    return on in ("schedule", "repository_dispatch")


SCHEDULE_TEXT = {
    "gitlab": re.compile(r"\bschedules?\b"),
    "jenkins": re.compile(r"\b(cron|parameterizedCron)\s*\("),
    "azure": re.compile(r"^schedules\s*:", re.MULTILINE),
    "circleci": re.compile(r"^\s*-?\s*schedule\s*:", re.MULTILINE),
    "drone": re.compile(r"\bcron\b"),
    "woodpecker": re.compile(r"\bcron\b"),
}


def _parse(rel: str, system: str, text: str, inside: bool, folder: Path | None, repo: RepoModel) -> CIConfig:
    config = CIConfig(path=rel, system=system, text=text, inside_root=inside)
    clean = _strip_comments(text)
    data = None if system in YAML_SYSTEMS_TEXT_ONLY else load_yaml(text)
    if isinstance(data, (dict, list)):
        _collect_commands(data, config.commands, config.actions, [20_000])
    else:
        config.commands = clean.splitlines()
    if system in ("github", "gitea"):
        config.scheduled = _github_scheduled(data)
        config.commands.extend(_local_action_commands(config.actions, repo))
    elif system in SCHEDULE_TEXT:
        config.scheduled = bool(SCHEDULE_TEXT[system].search(clean))
    return config


def _local_action_commands(actions: list[str], repo: RepoModel) -> list[str]:
    """Commands of local composite actions (``uses: ./.github/actions/setup``)."""
    out: list[str] = []
    for action in actions:
        if not action.startswith("./"):
            continue
        base = action[2:].rstrip("/")
        for name in ("action.yml", "action.yaml"):
            data = load_yaml(repo.read_text(f"{base}/{name}"))
            if isinstance(data, dict):
                _collect_commands(data.get("runs", {}), out, [], [5_000])
                break
    return out


# -- what the commands do -------------------------------------------------------------------------
def _compiled(patterns: list[str]) -> list[re.Pattern[str]]:
    out = []
    for pattern in patterns:
        try:
            out.append(re.compile(pattern, re.IGNORECASE))
        except re.error:
            continue
    return out


MAKE_CALL = re.compile(r"(?:^|[\s;&|(])(make|just|task|invoke|inv)\s+([^;&|\n]*)")


def _targets(arguments: str) -> list[str]:
    """Target names of a make/just call, skipping options (and the values of -C/-f/-j)."""
    out, skip = [], False
    for token in arguments.split():
        if skip:
            skip = False
        elif token in ("-C", "-f", "--file", "--directory", "--justfile"):
            skip = True
        elif not token.startswith("-") and "=" not in token:
            out.append(token)
    return out


def make_recipes(text: str | None) -> dict[str, list[str]]:
    """Makefile/justfile targets -> their recipe lines plus their prerequisites' names (``@dep``)."""
    recipes: dict[str, list[str]] = {}
    if not text:
        return recipes
    current: list[str] | None = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0] in " \t":
            if current is not None:
                current.append(line.strip())
            continue
        head = re.match(r"^([^:=#\s][^:=#]*?)\s*:(?!=)\s*(.*)$", line)
        if head and not line.startswith((".PHONY", "export ")):
            current = []
            for target in head.group(1).split():
                recipes[target] = current
            current.extend("@" + dep for dep in head.group(2).split() if not dep.startswith("#"))
        else:
            current = None
    return recipes


#: make/just targets that, when no Makefile/justfile defining them is found, are assumed to run the checks
UNRESOLVED_CHECK_TARGETS = {"check", "checks", "ci", "verify", "validate", "qa", "all"}
SHELL_SCRIPT = re.compile(r"(?:^|[\s;&|(])(?:(?:ba|z)?sh\s+)?(\.?/?[\w./-]+\.sh)\b")
#: A job specification passed to a job runner (`anyscale jobs submit deploy/jobs/workloads.yaml`,
#: `kubectl apply -f k8s/train-job.yaml`, `sky launch task.yaml`): what it runs is what CI runs.
JOB_SPEC = re.compile(r"(?:^|[\s=])(\.?/?[\w./-]+\.ya?ml)\b")
JOB_SPEC_KEYS = {"entrypoint", "command", "cmd", "args", "script", "run", "setup"}


def _job_spec_commands(rel: str, repo: RepoModel) -> list[str]:
    """The commands a job specification runs (its entrypoint/command/args/run strings), and the lines of the
    shell scripts they call."""
    data = load_yaml(repo.read_text(rel.removeprefix("./")))
    found: list[str] = []
    stack: list[Any] = [data]
    while stack and len(found) < 200:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in JOB_SPEC_KEYS:
                    found.extend(s for s in walk_strings(value, 200) if isinstance(s, str))
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    out = list(found)
    for command in found:
        for script in SHELL_SCRIPT.findall(command):
            text = repo.read_text(script.removeprefix("./"))
            if text:
                out.extend(line.strip() for line in text.splitlines()[:500] if line.strip() and not line.startswith("#"))
    return out


def expand_commands(commands: list[str], repo: RepoModel) -> list[str]:
    """Commands plus, one level deep, the recipes of the make/just targets and pre-commit hooks they run."""
    out = list(commands)
    recipes: dict[str, list[str]] | None = None
    for command in commands:
        for match in MAKE_CALL.finditer(command):
            if recipes is None:
                recipes = {}
                for name in ("Makefile", "makefile", "GNUmakefile", "justfile", "Justfile", "Taskfile.yml", "tasks.py"):
                    recipes.update(make_recipes(repo.read_text(name)))
            for target in _targets(match.group(2)):
                if target not in recipes and target in UNRESOLVED_CHECK_TARGETS:
                    # no Makefile/justfile here defines it (e.g. `make -C sub check`): give it the benefit of the doubt
                    out.append(f"make {target} (unresolved target, assumed to run the tests )")
                lines = recipes.get(target, [])
                out.extend(lines)
                for line in lines:
                    if line.startswith("@"):
                        out.extend(recipes.get(line[1:], []))
        for script in SHELL_SCRIPT.findall(command):
            text = repo.read_text(script.removeprefix("./"))
            if text:
                out.extend(line.strip() for line in text.splitlines()[:500] if line.strip() and not line.startswith("#"))
        for spec in JOB_SPEC.findall(command):
            if spec.removeprefix("./") in repo.file_set and not spec.startswith(".github/"):
                out.extend(_job_spec_commands(spec, repo))
        if re.search(r"\bpre-commit\s+run\b", command):
            hooks = load_yaml(repo.read_text(".pre-commit-config.yaml"))
            if isinstance(hooks, dict):
                out.extend(s for s in walk_strings(hooks.get("repos", []), 5_000) if isinstance(s, str))
    return out


def runs_checks(configs: list[CIConfig], repo: RepoModel) -> list[str]:
    """The CI commands (or actions) that run the tests or mllint; empty when none does."""
    knowledge = repo.knowledge.get("ci_commands", {})
    patterns = _compiled(knowledge.get("tests", []))
    action_words = [word.lower() for word in knowledge.get("actions", [])]
    found: list[str] = []
    for config in configs:
        for command in expand_commands(config.commands, repo):
            if any(p.search(command) for p in patterns):
                found.append(f"{config.path}: {command.strip()[:80]}")
                break
        for action in config.actions:
            name = action.split("@", 1)[0].lower()
            if not name.startswith("./") and any(word in name.rsplit("/", 1)[-1] for word in action_words):
                found.append(f"{config.path}: uses {action}")
    return found


def training_in_ci(configs: list[CIConfig], repo: RepoModel) -> list[str]:
    """CI jobs that retrain: scheduled jobs running ML work, or any job running the training pipeline."""
    knowledge = repo.knowledge.get("retraining_schedules", {})
    scheduled_words = _compiled(knowledge.get("job_words", []))
    training_words = _compiled(knowledge.get("training_words", []))
    found = []
    for config in configs:
        commands = expand_commands(config.commands, repo)
        if config.scheduled and any(p.search(c) for c in commands for p in scheduled_words):
            found.append(f"{config.path} (scheduled)")
        elif any(p.search(c) for c in commands for p in training_words):
            found.append(f"{config.path} (runs training)")
    return found


def orchestrator_schedules(repo: RepoModel) -> list[str]:
    """Schedules declared in code (Airflow DAGs, Dagster schedules, Prefect deployments, ...) or config files."""
    knowledge = repo.knowledge.get("retraining_schedules", {})
    found = []
    for facts in repo.code_facts():
        if facts.test:
            continue
        hits = calls_any(facts.calls, knowledge.get("calls", []))
        if not hits and imports_any(facts.imports, knowledge.get("with_imports", [])):
            hits = calls_any(facts.calls, knowledge.get("methods", []))
        if hits:
            found.append(f"{facts.path}: {hits[0]}")
    files = set(knowledge.get("files", []))
    globs = knowledge.get("file_globs", [])
    words = knowledge.get("text_words", [])
    scanned = 0
    for rel in repo.files:
        name = rel.rsplit("/", 1)[-1]
        if name in files or _matches_any(rel, globs):
            found.append(rel)
            continue
        if rel.endswith((".yml", ".yaml", ".tf")) and scanned < MAX_SCAN_FILES:
            scanned += 1
            text = repo.read_text(rel)
            if text and any(word in text for word in words):
                found.append(rel)
    return found
