"""ML0303 hardcoded-path: absolute or user-specific filesystem paths in string literals."""

from __future__ import annotations

import ast
import re

from mllint.analysis.containerpaths import ContainerPaths
from mllint.catalogue.rule import CodeRule, Example

WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def _root(value: str) -> str:
    """The location a path lives under: its first two components (``/kaggle/input``, ``/home/alice``, ``C:\\Users``)."""
    parts = [p for p in re.split(r"[\\/]", value) if p]
    head = "/" if value.startswith("/") else ""
    return head + "/".join(parts[:2]) if parts else value


REGEX_HINTS = re.compile(r"\\[dwsDWSb]|\(\?|\[\^|[*+?]\)|\$$")


class HardcodedPath(CodeRule):
    code = "ML0303"
    name = "hardcoded-path"
    factor = 3
    severity = "warning"
    summary = "An absolute or user-specific filesystem path is written into the code."
    why = """
        Factor 3 (configuration separate from code): `/home/alice/data/train.csv`,
        `C:\\Users\\bob\\...`, `/content/drive/...` or `/kaggle/input/...` only exist on one machine.
        The code cannot run in CI, on a colleague's laptop or in production without edits, and where
        data comes from is hidden in code instead of being declared (factor 1, versioned data).
    """
    how_to_fix = """
        Use paths relative to the project root (`Path(__file__).parent / "data"`), or read the
        location from configuration or the environment (`params["data"]["raw"]`,
        `os.environ["DATA_DIR"]`). Track data with DVC or similar so that paths are part of the
        pipeline, not of someone's home directory. One finding per location and file (`/kaggle/input`
        used twelve times is one place to configure). Not reported: comparisons that detect a
        platform, mount points an API requires, defaults of environment lookups, probes of system
        install locations, and paths inside a container the code builds or starts: a value that
        reaches a container-side argument or key (`remote_path=`, `mount_path=`, a Kubernetes
        `mountPath`, Docker's `{"bind": ...}`) directly or through the names it is bound to, a name
        saying `container`, or the attributes and parameter defaults of a class or function whose
        docstring says they live in a container or the generated Dockerfile.
    """
    violating = [
        Example("""
            import pandas as pd
            df = pd.read_csv("/home/alice/projects/churn/data.csv")
        """, lines=(2,)),
        Example("""
            DATA_DIR = r"C:\\Users\\bob\\Documents\\data"
            MODEL_DIR = "D:/models/churn"
        """, lines=(1, 2), note="Windows drive paths, module constants"),
        Example(cells=("from google.colab import drive\ndrive.mount('/content/drive')",
                       "df = pd.read_csv('/content/drive/MyDrive/train.csv')"),
                path="colab.ipynb", note="Colab drive paths in a notebook"),
        Example("""
            import os
            model_path = os.path.expanduser("~/models/best.pt")
            train_dir = f"/kaggle/input/{competition}/train"
        """, lines=(2, 3), note="home-relative paths and f-strings"),
        Example("""
            from pathlib import Path
            def load(name):
                return Path("/mnt/datasets/images") / name
        """),
        Example("""
            import docker
            DATA = "/home/alice/datasets"
            docker.from_env().containers.run("trainer", volumes={DATA: {"bind": "/data", "mode": "ro"}})
            settings = DockerSettings(dockerfile="/Users/bob/zenml/Dockerfile")
        """, lines=(2, 4), note="the host side of a container: a volume's source and the Dockerfile to build"),
        Example("""
            import pandas as pd
            train = pd.read_csv("/kaggle/input/titanic/train.csv")
            test = pd.read_csv("/kaggle/input/titanic/test.csv")
            sample = pd.read_csv("/kaggle/input/titanic/gender_submission.csv")
        """, lines=(2,), note="one finding per location and file: the three paths share /kaggle/input"),
    ]
    compliant = [
        Example('''
            """Reads data from /home/alice/data when run on the lab machine."""
            import os
            # the old location was /home/alice/data
            DATA = os.environ.get("DATA_DIR", "data/raw")
        ''', note="docstrings and comments"),
        Example("""
            from flask import Flask
            app = Flask(__name__)
            @app.route("/predict", methods=["POST"])
            def predict():
                return "ok"
            URL = "https://example.com/home/user/data.csv"
        """, note="HTTP routes and URLs"),
        Example("""
            import re
            HOME = re.compile(r"^/home/(\\w+)/")
            pattern = "/Users/[^/]+/Library"
        """, note="regular expressions"),
        Example(cells=("from pathlib import Path\nROOT = Path.cwd().parent",
                       "df = pd.read_csv(ROOT / 'data' / 'train.csv')"),
                path="analysis.ipynb", note="relative paths"),
        Example("""
            def test_resolves_home(tmp_path):
                assert resolve("~/data") == "/home/user/data"
        """, path="tests/test_paths.py", note="test fixtures"),
        Example("""
            import os
            cache = os.path.expanduser("~/.cache/churn")
            token = open(os.path.expanduser("~/.kaggle/kaggle.json")).read()
        """, note="conventional per-user dot directories exist on every machine"),
        Example("""
            import argparse
            parser = argparse.ArgumentParser()
            parser.add_argument("--data", help="e.g. /home/me/data or ~/data (default: data/)")
        """, note="prose that mentions a path"),
        Example("""
            import os
            def is_kaggle():
                return os.environ.get("PWD") == "/kaggle/working"
            def on_colab(path):
                return str(path).startswith("/content/drive")
        """, note="comparisons that detect the platform"),
        Example(cells=("from google.colab import drive\ndrive.mount('/content/drive')",),
                path="colab.ipynb", note="the mount point the Colab API requires"),
        Example("""
            import os
            import modal
            PREPROCESS_PATH = os.getenv("PREPROCESS_PATH", "/mnt/volume/preprocess.pkl")
            image = modal.Image.debian_slim().add_local_file("src/config.py", remote_path="/root/src/config.py")
        """, note="an environment variable's default, and a path inside a container image"),
        Example("""
            from huggingface_hub import Sandbox, Volume
            def create(bucket_id):
                mount_path = f"/mnt/buckets/{bucket_id}"
                return Sandbox.create(volumes=[Volume(type="bucket", source=bucket_id, mount_path=mount_path)])
            MNT_PATH = "/mnt/data"
            POD_SETTINGS = {"volume_mounts": [{"name": "data-volume", "mountPath": MNT_PATH}]}
        """, note="mount points of a cloud job's container and a Kubernetes pod, reached through a name"),
        Example('''
            import docker
            class Paths:
                """Paths mapping inside the Triton container."""
                MODEL_REPOSITORY = "/mnt/triton-models"
            def start(host_dir):
                return docker.from_env().containers.run("tritonserver", volumes={host_dir: {"bind": Paths.MODEL_REPOSITORY}})
            HOME = "/home/app/"
            def in_image(*parts, root=f"{HOME}service"):
                """The path of parts in the generated Dockerfile."""
                return "/".join([root, *parts])
        ''', note="values documented as living in the container the code starts or describes"),
        Example("""
            import os
            candidates = [r"C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA", r"C:\\NVIDIA\\cuda\\include\\cudnn.h"]
            found = [c for c in candidates if os.path.exists(c)]
        """, note="system install locations probed to find a library"),
    ]

    def __init__(self, ctx, options=None) -> None:
        super().__init__(ctx, options)
        spec = ctx.knowledge.get("hardcoded_paths", {})
        self.prefixes = tuple(spec.get("prefixes", ()))
        self.windows = bool(spec.get("windows_drive", True))
        self.dot_homes = tuple(spec.get("conventional", ("~/.", "/root/.")))
        self.mount_calls = set(spec.get("mount_calls", ()))
        self.system_locations = tuple(p.lower() for p in spec.get("system_locations", ()))
        self.env_lookups = set(spec.get("env_lookups", ()))
        self.active = not ctx.is_test
        self.idle = not self.active  # a test file: nothing of it is visited
        self.found: dict[str, list[tuple[ast.AST, str]]] = {}  # root of the path -> (node, shown value)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if not self.active or not isinstance(value, str) or not value:
            return
        if not self._rooted(value):
            return  # no location (most strings): nothing below notes it, whatever the parent
        parent = self.ctx.parent
        if isinstance(parent, ast.Expr):
            return  # docstrings and bare string statements
        if isinstance(parent, ast.JoinedStr) and parent.values and parent.values[0] is not node:
            return
        if isinstance(parent, ast.JoinedStr):
            # f-string parts carry no position before Python 3.12: report at the f-string
            if self._is_path(value, complete=False) and not self._not_a_use(parent):
                self._note(parent, value, value + "{…}")
            return
        if self._is_path(value, complete=True) and not self._not_a_use(node):
            self._note(node, value, value)

    def _not_a_use(self, node: ast.AST) -> bool:
        """The path is compared or matched (platform detection), is a mount point the platform requires, is
        the default of an environment lookup (configuration), or names a location inside a container."""
        parents = self.ctx.parents
        index = len(parents) - 1
        while index >= 0 and parents[index] is not node:
            index -= 1
        child, rest = node, parents[:index]
        for ancestor in reversed(rest[-3:]):
            if isinstance(ancestor, ast.Compare):
                return True
            if isinstance(ancestor, ast.Call):
                name = self.ctx.call_name(ancestor)
                if name in self.mount_calls or name in self.env_lookups:
                    return True
                func = ancestor.func
                if isinstance(func, ast.Attribute) and func.attr in ("startswith", "endswith", "removeprefix", "replace") \
                        and child is not func:
                    return True
                break
            if isinstance(ancestor, ast.stmt):
                break
            child = ancestor
        return ContainerPaths.of(self.ctx).inside(node)

    def _note(self, node: ast.AST, value: str, shown: str) -> None:
        self.found.setdefault(_root(value), []).append((node, shown))

    def finish(self) -> None:
        """One finding per location root and file: `/kaggle/input/...` used twelve times is one place to configure."""
        for root, uses in self.found.items():
            node, shown = uses[0]
            more = f" (and {len(uses) - 1} more under {root} in this file)" if len(uses) > 1 else ""
            self.report(node, self._message(shown) + more)

    def _is_path(self, value: str, complete: bool) -> bool:
        if "\n" in value or "://" in value or value.count(" ") > 2 or len(value) > 400:
            return False
        if not self._rooted(value):
            return False
        if REGEX_HINTS.search(value) and not WINDOWS_DRIVE.match(value):
            return False
        if value.startswith(self.dot_homes):
            return False  # ~/.cache, ~/.kaggle, /root/.config: conventional per-user locations, same on every machine
        if value.lower().startswith(self.system_locations):
            return False  # C:\Program Files\..., C:\NVIDIA\cuda: a system install probed to find a library
        return not (complete and value.rstrip("/") in ("~", ""))

    def _rooted(self, value: str) -> bool:
        """Starts like an absolute or user-specific location (the first test of :meth:`_is_path`)."""
        return value.startswith(self.prefixes) or bool(self.windows and WINDOWS_DRIVE.match(value))

    @staticmethod
    def _message(value: str) -> str:
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"hardcoded absolute/user-specific path {shown!r}; make it relative to the project or read it from configuration"
