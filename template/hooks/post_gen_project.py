"""After generation: keep the chosen model family's files and locks, remove what the options exclude,
fill the DVC cache, `git init` + a first commit.

Runs with the Python that runs cookiecutter (mllint's), so it uses the standard library only. When
git is not installed the project is left as plain files and the README says how to start versioning.
"""

import hashlib
import shutil
import subprocess
from pathlib import Path

ROOT = Path.cwd()
CI_PROVIDER = "{{ cookiecutter.ci_provider }}"
FAMILY = "{{ cookiecutter.model_family }}"
REMOTE = "{{ cookiecutter.dvc_remote }}"
PACKAGE = "{{ cookiecutter.package_name }}"
FAMILIES = ("sklearn", "pytorch")
LICENSE = "{{ cookiecutter.license }}"
AUTHOR = "{{ cookiecutter.author_name }}"
EMAIL = "{{ cookiecutter.author_email }}"


def remove(rel: str) -> None:
    path = ROOT / rel
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def keep_family() -> None:
    """``model_<family>.py`` becomes ``model.py`` (and its test ``test_model_family.py``); the
    chosen lock pair becomes ``requirements.lock`` / ``requirements-dev.lock``."""
    package = ROOT / "src" / PACKAGE
    for family in FAMILIES:
        module, test = package / f"model_{family}.py", ROOT / "tests" / f"test_model_{family}.py"
        if family == FAMILY:
            module.rename(package / "model.py")
            test.rename(ROOT / "tests" / "test_model_family.py")
        else:
            module.unlink()
            test.unlink()
    locks = ROOT / "_locks"
    (locks / f"{FAMILY}-runtime.lock").rename(ROOT / "requirements.lock")
    (locks / f"{FAMILY}-{REMOTE}-dev.lock").rename(ROOT / "requirements-dev.lock")
    shutil.rmtree(locks)


def fill_dvc_cache() -> None:
    """Put the raw data into DVC's local cache (DVC 3 layout), as `dvc add` would have: `dvc push`,
    `dvc checkout` and `dvc status` then work without running anything first."""
    raw = ROOT / "data" / "raw" / "breast_cancer.csv"
    digest = hashlib.md5(raw.read_bytes()).hexdigest()
    cached = ROOT / ".dvc" / "cache" / "files" / "md5" / digest[:2] / digest[2:]
    cached.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(raw, cached)
    cached.chmod(0o444)


def git(*args: str) -> None:
    subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True)


def has_identity() -> bool:
    probe = subprocess.run(["git", "config", "user.email"], cwd=ROOT, capture_output=True, text=True)
    return probe.returncode == 0 and probe.stdout.strip() != ""


def init_git() -> None:
    if shutil.which("git") is None:
        print("git not found: the project was generated without a repository (run `git init` yourself).")
        return
    if (ROOT / ".git").exists():
        return
    try:
        git("init", "--quiet")
        git("symbolic-ref", "HEAD", "refs/heads/main")
        git("add", "--all")
        identity = [] if has_identity() else ["-c", f"user.name={AUTHOR}", "-c", f"user.email={EMAIL}"]
        git(*identity, "commit", "--quiet", "--no-verify", "-m", "Initial commit from the twelve-factor-ml template")
    except subprocess.CalledProcessError as exc:
        print(f"warning: git setup incomplete ({exc.stderr.strip() or exc}); the files are all there.")


keep_family()
if CI_PROVIDER != "github":
    remove(".github")
if CI_PROVIDER != "gitlab":
    remove(".gitlab-ci.yml")
if LICENSE == "Proprietary":
    remove("LICENSE")

fill_dvc_cache()
init_git()
