"""Running git on a repository nobody vetted: read-only, and nothing the repository configures runs.

A checked repository controls its ``.git/config`` (a tarball, a committed bare repository that git
would discover inside the tree, a clone whose config a hook rewrote) and its ``.gitattributes``.
Through them git can be told to run programs: clean/smudge/process filter drivers (the driver's name
is chosen by ``.gitattributes``, its command by the config), ``core.fsmonitor``, hooks, external diff
and textconv drivers, pagers, credential helpers, ssh commands of a lazy fetch. Every git process
mllint starts goes through :func:`run_git`, which:

- refuses implicit bare repositories (``safe.bareRepository=explicit``): a bare repository committed
  as a folder of the tree is never used as the repository of the checked code;
- overrides, on the command line (the scope git reads last, so it wins over the repository's own
  config and its includes), every key that names a program: ``core.fsmonitor``, ``core.hooksPath``,
  ``core.pager``, ``core.sshCommand``, ``core.askPass``, ``credential.helper``, ``diff.external``,
  every transport (``protocol.*.allow=never``: no lazy fetch, no network), automatic gc/maintenance;
- lists the filter and diff drivers the effective configuration defines (``git config --list``,
  itself run with the same overrides) and blanks each one's ``clean``, ``smudge``, ``process``,
  ``textconv`` and ``command`` (an empty command is no command for git); the listing is reused only
  while the files it came from are unchanged (within a process, and across runs through the user's
  cache: the same check of the same files, so a run need not start one more git process);
- never prompts (no terminal, ``GIT_TERMINAL_PROMPT=0``), takes no locks, runs under a timeout;
- tells a refusal (git's "dubious ownership" check, a refused bare repository) apart from other
  failures, so the caller can report that it could not look instead of passing silently.

The user's own system and global configuration stay in effect (they hold ``safe.directory`` and
``git lfs install``'s settings): they are the user's, not the repository's, and the overrides above
apply on top of them too.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from mllint.core.programs import which

GIT_TIMEOUT = 30.0
#: Transports whose use is refused: a read-only command must never reach the network or another repo.
_PROTOCOLS = ("file", "git", "ssh", "http", "https", "ext", "fd")
#: Keys set on every command line; later ``-c`` values win over every configuration file.
_OVERRIDES: tuple[tuple[str, str], ...] = (
    ("safe.bareRepository", "explicit"),
    ("core.fsmonitor", "false"),
    ("core.hooksPath", os.devnull),
    ("core.pager", "cat"),
    ("core.sshCommand", "false"),
    ("core.askPass", ""),
    ("core.gitProxy", ""),
    ("credential.helper", ""),
    ("diff.external", ""),
    ("gc.auto", "0"),
    ("maintenance.auto", "false"),
    ("submodule.recurse", "false"),
    ("protocol.allow", "never"),
    *((f"protocol.{name}.allow", "never") for name in _PROTOCOLS),
)
#: Driver keys that hold a command, per section: blanked for every driver the configuration defines.
_DRIVER_KEYS = {"filter": ("clean", "smudge", "process"), "diff": ("textconv", "command")}
_DRIVER = re.compile(r"^(filter|diff)\.(.+)\.([A-Za-z0-9-]+)$", re.DOTALL)
#: What git prints when it will not read a repository (ownership check, refused bare repository).
_REFUSALS = ("dubious ownership", "unsafe repository", "cannot use bare repository", "safe.bareRepository")
_Signature = tuple[tuple[int, int, int] | None, ...]
_drivers_memo: dict[tuple[str, str, tuple[tuple[str, str], ...]], tuple[tuple[str, ...], _Signature, tuple[tuple[str, str], ...]]] = {}


@dataclass(frozen=True)
class GitRun:
    """The outcome of one git command. ``ok`` when it ran and its exit code was accepted."""

    ok: bool
    stdout: bytes = b""
    stderr: bytes = b""
    returncode: int | None = None  # None: git did not run (missing, timed out, could not start)
    problem: str = ""  # why it is not ok, one line, for messages
    refused: bool = False  # git would not read the repository (ownership, bare repository, unsafe driver)
    timed_out: bool = False

    def text(self) -> str:
        return self.stdout.decode("utf-8", "surrogateescape")


def git_environment() -> dict[str, str]:
    """The environment of every git process: no prompts, pagers, locks or lazy fetches; C locale."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("GIT_EXTERNAL_DIFF", "GIT_PAGER", "GIT_ASKPASS", "SSH_ASKPASS", "GIT_SSH", "GIT_SSH_COMMAND",
                          "GIT_EDITOR", "GIT_SEQUENCE_EDITOR", "GIT_PROXY_COMMAND")}
    env.update({
        "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "PAGER": "cat",
        "GIT_NO_LAZY_FETCH": "1", "GIT_PROTOCOL_FROM_USER": "0", "LC_ALL": "C", "GIT_NO_REPLACE_OBJECTS": "1",
    })
    return env


def _config_args(pairs: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> list[str]:
    args: list[str] = []
    for key, value in pairs:
        args += ["-c", f"{key}={value}"]
    return args


def _spawn(git: str, args: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[bytes] | GitRun:
    """The finished process, or a failed :class:`GitRun` when git could not run or did not finish."""
    try:
        return subprocess.run([git, *args], cwd=cwd, capture_output=True, timeout=timeout, env=git_environment(),
                              stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        command = next((arg for arg in args if not arg.startswith("-") and "=" not in arg), "")
        return GitRun(False, problem=f"git {command} did not finish within {timeout:g} s", timed_out=True)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        return GitRun(False, problem=f"cannot run git: {exc}")


def _driver_overrides(git: str, cwd: Path, timeout: float) -> tuple[tuple[str, str], ...] | GitRun:
    """``(key, "")`` for every command key of every filter/diff driver the effective configuration
    defines (from any scope, includes resolved), or a reason why they cannot be neutralised.

    The listing is reused while the configuration files it came from (and the repository's ``HEAD``,
    which ``includeIf onbranch:`` reads) are unchanged: a run makes several git calls, a language
    server many, and a configuration edited in between is listed again."""
    key = (git, str(cwd), tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("GIT_"))))
    memo = _drivers_memo.get(key)
    if memo is not None and _signature(memo[0]) == memo[1]:
        return memo[2]
    remembered = _remembered_drivers(key)
    if remembered is not None:
        _drivers_memo[key] = remembered
        return remembered[2]
    listed = _spawn(git, [*_config_args(_OVERRIDES), "config", "-z", "--show-origin", "--name-only", "--list"], cwd, timeout)
    if isinstance(listed, GitRun):
        return listed
    if listed.returncode not in (0, 1):  # 1: nothing configured
        return _failure(listed, ["config"])
    names: set[tuple[str, str]] = set()
    origins: set[str] = set()
    parts = listed.stdout.decode("utf-8", "surrogateescape").split("\0")
    for origin, name in zip(parts[0::2], parts[1::2]):
        origins.add(origin)
        match = _DRIVER.match(name.strip("\n"))
        if match is None:
            continue
        section, driver = match.group(1), match.group(2)
        if "=" in driver or "\n" in driver or "\0" in driver:
            # `-c section.name.key=` splits at the first "=": such a driver cannot be overridden reliably
            return GitRun(False, problem=f"the git configuration defines a {section} driver named {driver!r}, which "
                          "mllint cannot neutralise: git was not run", refused=True)
        names.add((section, driver))
    overrides = tuple((f"{section}.{driver}.{item}", "") for section, driver in sorted(names)
                      for item in _DRIVER_KEYS[section])
    overrides += tuple((f"filter.{driver}.required", "false") for section, driver in sorted(names) if section == "filter")
    if len(_drivers_memo) > 64:
        _drivers_memo.clear()
    watched = _watched_files(cwd, origins)
    _drivers_memo[key] = (watched, _signature(watched), overrides)
    _remember_drivers(key, _drivers_memo[key])
    return overrides


def _snapshot_key(key: tuple[str, str, tuple[tuple[str, str], ...]]) -> str:
    """The listing's key across runs: the git binary (and its file), the folder, git's environment, the
    folders the user's own configuration files are found from, and mllint's code."""
    from mllint.core import snapshots
    from mllint.core.stamp import code_stamp

    git, cwd, environment = key
    try:
        st = os.stat(git)
        binary = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"
    except OSError:
        binary = "?"
    homes = [os.environ.get(name, "") for name in ("HOME", "XDG_CONFIG_HOME")]
    return snapshots.key_of(code_stamp(), git, binary, cwd, *homes, *(f"{k}={v}" for k, v in environment))


def _remembered_drivers(key: tuple[str, str, tuple[tuple[str, str], ...]]
                        ) -> tuple[tuple[str, ...], _Signature, tuple[tuple[str, str], ...]] | None:
    """An earlier run's listing for this key, if every file it came from is unchanged (else None)."""
    from mllint.core import snapshots

    data = snapshots.load("gitconfig", _snapshot_key(key))
    try:
        watched = tuple(str(path) for path in data["watched"] if isinstance(path, str))
        signature = tuple(None if item is None else (int(item[0]), int(item[1]), int(item[2])) for item in data["signature"])
        overrides = tuple((str(k), str(v)) for k, v in data["overrides"] if isinstance(k, str) and isinstance(v, str))
    except (TypeError, KeyError, ValueError, IndexError):
        return None
    if len(watched) != len(data["watched"]) or len(overrides) != len(data["overrides"]) or _signature(watched) != signature:
        return None
    return watched, signature, overrides


def _remember_drivers(key: tuple[str, str, tuple[tuple[str, str], ...]],
                      memo: tuple[tuple[str, ...], _Signature, tuple[tuple[str, str], ...]]) -> None:
    from mllint.core import snapshots

    watched, signature, overrides = memo
    snapshots.save("gitconfig", _snapshot_key(key), {"watched": list(watched), "signature": [list(s) if s else None for s in signature],
                                                      "overrides": [list(pair) for pair in overrides]})


def _watched_files(cwd: Path, origins: set[str]) -> tuple[str, ...]:
    """The files whose change may change the drivers: every configuration file git read, the standard
    ones (even if missing now), and each ``.git`` above ``cwd`` with its ``config`` and ``HEAD``."""
    home = os.path.expanduser("~")
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    files = {"/etc/gitconfig", os.path.join(home, ".gitconfig"), os.path.join(xdg, "git", "config")}
    files.update(value for name in ("GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM") if (value := os.environ.get(name)))
    folders = [cwd, *cwd.parents]
    for origin in origins:
        if not origin.startswith("file:"):
            continue
        path = origin[len("file:"):]
        if os.path.isabs(path):
            files.add(path)
        else:  # relative to the work tree's top, an ancestor of cwd
            files.update(str(folder / path) for folder in folders)
    for folder in folders:
        dot_git = folder / ".git"
        files.update((str(dot_git), str(dot_git / "config"), str(dot_git / "config.worktree"), str(dot_git / "HEAD")))
        files.update((str(folder / "config"), str(folder / "HEAD")))  # a bare repository
    return tuple(sorted(files))


def _signature(files: tuple[str, ...]) -> tuple[tuple[int, int, int] | None, ...]:
    out: list[tuple[int, int, int] | None] = []
    for path in files:
        try:
            st = os.stat(path)
            out.append((st.st_mtime_ns, st.st_size, st.st_ino))
        except (OSError, ValueError):
            out.append(None)
    return tuple(out)


def _first_line(data: bytes) -> str:
    text = data.decode("utf-8", "replace").strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
    return (fatal or lines or [""])[0][:300]


def _failure(done: subprocess.CompletedProcess[bytes], args: list[str]) -> GitRun:
    stderr = done.stderr.decode("utf-8", "replace")
    reason = _first_line(done.stderr) or f"git {' '.join(args[:2])} exited with {done.returncode}"
    refused = any(marker in stderr for marker in _REFUSALS)
    return GitRun(False, done.stdout, done.stderr, done.returncode, problem=reason, refused=refused)


def run_git(args: list[str], cwd: Path, timeout: float = GIT_TIMEOUT, ok_codes: tuple[int, ...] = (0,)) -> GitRun:
    """Run ``git <args>`` in ``cwd`` with every repository-configured program neutralised (module doc)."""
    git = which("git")
    if git is None:
        return GitRun(False, problem="git is not installed (not on PATH)")
    deadline = time.monotonic() + timeout
    drivers = _driver_overrides(git, cwd, timeout)
    if isinstance(drivers, GitRun):
        return drivers
    done = _spawn(git, [*_config_args(_OVERRIDES), *_config_args(drivers), *args], cwd, max(0.5, deadline - time.monotonic()))
    if isinstance(done, GitRun):
        return done
    if done.returncode in ok_codes:
        return GitRun(True, done.stdout, done.stderr, done.returncode)
    return _failure(done, args)
