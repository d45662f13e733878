"""ML0303 leaves out paths inside a container the code builds or starts (mllint.analysis.containerpaths):
only code evidence counts — a container-side argument or key the value reaches, a name saying container, a
docstring placing a class's or function's values in a container; host-side paths of the same code stay."""

from __future__ import annotations

import pytest

from mllint.config.settings import Settings
from mllint.testing import check_source


def lines(source: str, knowledge: dict | None = None) -> list[int]:
    settings = Settings(select=["ML0303"], knowledge=knowledge or {})
    return [f.line for f in check_source(source, "runner.py", settings=settings) if f.code == "ML0303"]


@pytest.mark.parametrize("source", [
    # through two names and an f-string into a keyword the container API names
    "ROOT = '/mnt/shared'\nMODELS = f'{ROOT}/models'\ndef start(client):\n    client.run(volumes={'x': {'bind': MODELS}})\n",
    # through os.path.join and a dictionary entry set by key
    "import os\nspec = {}\nspec['mountPath'] = os.path.join('/mnt/cache', 'hf')\n",
    # a name saying container
    "CONTAINER_ROOT = '/home/app'\n",
    "def serve(container_dir='/root/models'):\n    return container_dir\n",
    # a class documented as holding the container's paths (attribute read through the class elsewhere)
    ("class Layout:\n    '''Where things live inside the serving container.'''\n    MODELS = '/mnt/models'\n"
     "def args():\n    return ['--model-repository', Layout.MODELS]\n"),
])
def test_container_side_paths_are_not_reported(source):
    assert lines(source) == []


@pytest.mark.parametrize("source, expected", [
    # the host side of a volume and the build inputs of an image are the developer's machine
    ("import docker\nHOST = '/home/alice/data'\ndocker.from_env().containers.run('t', volumes={HOST: {'bind': '/data'}})\n", [2]),
    ("settings = DockerSettings(dockerfile='/home/alice/Dockerfile', build_context_root='/Users/bob/src')\n", [1, 1]),
    # "mount" alone is no container: a Colab drive folder or a WSL mount stays user-specific
    ("MOUNT_DIR = '/content/drive/MyDrive/project'\nmount_path = '/mnt/c/Users/bob/data'\n", [1, 2]),
    # "container" as a data structure, and a docstring that is not about where values live
    ("class Paths:\n    '''A container for the data paths.'''\n    DATA = '/home/alice/data'\n", [3]),
    ("def build(src='/home/alice/model.pt'):\n    '''Build the container image.'''\n", [1]),
    # a name bound to itself does not loop
    ("ROOT = '/home/alice/x'\nROOT = ROOT + '/y'\nopen(ROOT)\n", [1]),
])
def test_host_side_and_undocumented_paths_are_reported(source, expected):
    assert lines(source) == expected


def test_container_keys_are_knowledge():
    source = "VM = {'guestPath': '/mnt/guest'}\n"
    assert lines(source) == [1]
    assert lines(source, {"hardcoded_paths": {"container_keys": ["guestPath"]}}) == []
