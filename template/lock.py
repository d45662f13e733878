"""Regenerate the lock files the template ships (a maintainer's tool, not part of generated projects).

    python template/lock.py [--torch-find-links DIR_OR_URL]

For each model family and DVC remote it renders the project's ``pyproject.toml`` and compiles, with
uv, every transitive dependency with hashes into ``{{cookiecutter.project_slug}}/_locks/``:

- ``<family>-<remote>-dev.lock``: runtime + dev tools + DVC with the remote's plugin (what ``make``
  and CI install);
- ``<family>-runtime.lock``: what the service needs (what the Docker image installs), constrained
  to the local dev lock so both agree on every shared pin.

scikit-learn locks are universal (any platform, Python 3.11+). The PyTorch locks pin the CPU build
of torch (``+cpu``, from PyTorch's CPU index or a folder holding that wheel) for Linux x86_64 and
Python 3.11, the platform of the Docker image and CI. The post-generation hook keeps the pair that
matches the answers. Run it after changing any pin in the template's ``pyproject.toml``
(tests/test_template.py checks that the locks agree with the pins).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jinja2 import Environment

HERE = Path(__file__).resolve().parent
PROJECT = HERE / "{{cookiecutter.project_slug}}"
LOCKS = PROJECT / "_locks"
FAMILIES = ("sklearn", "pytorch")
REMOTES = ("local", "s3", "gcs", "azure")
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
TORCH_CPU = "torch==2.13.0+cpu"


def render_pyproject(family: str, remote: str) -> str:
    """The template's pyproject.toml for these answers (``remote="all"``: every remote's plugin)."""
    text = (PROJECT / "pyproject.toml").read_text()
    if remote == "all":
        text = text.replace('[cookiecutter.dvc_remote] %}', '["s3"] %}').replace('dvc{{ dvc_extra }}', 'dvc[s3,gs,azure]')
    context = {"cookiecutter": {
        "project_slug": "project", "package_name": "project", "description": "", "python_version": "3.11",
        "license": "MIT", "author_name": "", "author_email": "", "model_family": family, "dvc_remote": remote,
    }}
    return Environment(keep_trailing_newline=True).from_string(text).render(**context)


def compile_lock(uv: str, folder: Path, family: str, extras: list[str], output: Path, torch_links: str,
                 constraint: Path | None = None) -> None:
    command = [uv, "pip", "compile", "pyproject.toml", "--quiet", "--generate-hashes", "--no-header",
               "--python-version", "3.11", "-o", str(output)]
    for extra in extras:
        command += ["--extra", extra]
    if constraint is not None:  # without its option lines (an index line would be fetched)
        pins = folder / "constraints.txt"
        pins.write_text("".join(line for line in constraint.read_text().splitlines(keepends=True)
                                if not line.startswith("--")))
        command += ["--constraint", str(pins)]
    if family == "pytorch":
        pins = folder / "torch-cpu.txt"
        pins.write_text(TORCH_CPU + "\n")
        command += ["--python-platform", "x86_64-manylinux_2_28", "--override", str(pins)]
        command += ["--find-links", torch_links] if Path(torch_links).is_dir() else ["--extra-index-url", torch_links]
        command += ["--index-strategy", "unsafe-best-match"]
    else:
        command += ["--universal"]
    subprocess.run(command, cwd=folder, check=True)
    install = "make setup" if "dev" in extras else "the Dockerfile"
    header = [f"# Every transitive dependency, pinned with hashes; installed by {install}.",
              "# Regenerate with `make lock` after changing a pin in pyproject.toml."]
    if family == "pytorch":
        header.append("# torch is PyTorch's CPU build (Linux x86_64, Python 3.11), from its CPU index:")
        header.append(f"--extra-index-url {TORCH_CPU_INDEX}")
    output.write_text("\n".join(header) + "\n" + output.read_text())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--torch-find-links", default=TORCH_CPU_INDEX,
                        help="a folder holding the torch CPU wheel, or an index URL (default: PyTorch's CPU index)")
    args = parser.parse_args()
    uv = shutil.which("uv")
    if uv is None:
        print("uv is required: pip install uv", file=sys.stderr)
        return 2
    LOCKS.mkdir(exist_ok=True)
    for family in FAMILIES:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            # One resolution with every remote's plugin: the shipped locks are constrained to it, so
            # they all agree on every shared pin (the service's image and the tests run the same code).
            (folder / "pyproject.toml").write_text(render_pyproject(family, "all"))
            joint = folder / "joint.lock"
            compile_lock(uv, folder, family, ["dev", "dvc"], joint, args.torch_find_links)
            for remote in REMOTES:
                (folder / "pyproject.toml").write_text(render_pyproject(family, remote))
                dev = LOCKS / f"{family}-{remote}-dev.lock"
                compile_lock(uv, folder, family, ["dev", "dvc"], dev, args.torch_find_links, joint)
                print(f"wrote {dev.relative_to(HERE)}")
            runtime = LOCKS / f"{family}-runtime.lock"
            compile_lock(uv, folder, family, [], runtime, args.torch_find_links, joint)
            print(f"wrote {runtime.relative_to(HERE)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
