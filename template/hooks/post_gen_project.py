"""After generation: remove what the chosen options exclude, fill the DVC cache, `git init` + a first commit.

Runs with the Python that runs cookiecutter (mllint's), so it uses the standard library only. When
git is not installed the project is left as plain files and the README says how to start versioning.
"""

import hashlib
import shutil
import subprocess
from pathlib import Path

ROOT = Path.cwd()
CI_PROVIDER = "{{ cookiecutter.ci_provider }}"
LICENSE = "{{ cookiecutter.license }}"
AUTHOR = "{{ cookiecutter.author_name }}"
EMAIL = "{{ cookiecutter.author_email }}"


def remove(rel: str) -> None:
    path = ROOT / rel
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


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


if CI_PROVIDER != "github":
    remove(".github")
if CI_PROVIDER != "gitlab":
    remove(".gitlab-ci.yml")
if LICENSE == "Proprietary":
    remove("LICENSE")

fill_dvc_cache()
init_git()
