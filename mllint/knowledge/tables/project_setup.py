"""Tables of ``rules/knowledge/project_setup.toml``: project set-up signals for ML0204 (data schema), ML0304
(config file), ML0305 (linter config) and ML0402 (pipeline definition)."""

from __future__ import annotations

from pydantic import Field

from mllint.knowledge.fields import Strings, Table


class DataSchema(Table):
    """A schema or data contract is declared or validated (ML0204)."""

    imports: Strings = Field(description="Schema and validation libraries (`pandera`, `great_expectations`).")
    files: Strings = Field(description="Files or folders that are a schema by name (base name or a path segment).")
    suffixes: Strings = Field(description="Suffixes of schema files (`.schema.json`).")
    modules: Strings = Field(description="Module names of schemas (`schema`, `contracts`).")


class ConfigFiles(Table):
    """Configuration files training code reads (ML0304)."""

    names: Strings = Field(description="Base names, any folder (`params.yaml`, `MLproject`).")
    prefixes: Strings = Field(description="Base names starting with one of these and ending with one of `suffixes` count (`config_train.json`).")
    suffixes: Strings = Field(description="Configuration suffixes (`.yaml`, `.toml`).")
    folders: Strings = Field(description="Folders whose files with a configuration suffix are configuration (`conf`, `configs`).")
    always_suffixes: Strings = Field(description="Suffixes that are configuration anywhere (`.gin`).")


class ConfigLoaders(Table):
    """Code driven by a configuration system (ML0304)."""

    imports: Strings = Field(description="Configuration libraries (`hydra`, `omegaconf`).")
    calls: Strings = Field(description="Calls that load a configuration file (`yaml.safe_load`).")


class Linters(Table):
    """Python linter configuration (ML0305)."""

    files: Strings = Field(description="Configuration files (base names, in the root or a parent up to the git root).")
    pyproject_tools: Strings = Field(description="`[tool.<name>]` tables of pyproject.toml.")
    ini_sections: Strings = Field(description="Sections of setup.cfg / tox.ini.")
    commands: Strings = Field(description="Words in hooks, workflows, Makefiles, tox.ini or noxfile.py that mean a linter runs.")


class PipelineTools(Table):
    """A declared pipeline (ML0402)."""

    files: Strings = Field(description="Files that declare a pipeline (base names: `dvc.yaml`, `Snakefile`).")
    suffixes: Strings = Field(description="Suffixes of files that declare a pipeline (`.smk`).")
    imports: Strings = Field(description="Pipeline and orchestration frameworks (`kedro`, `airflow`).")
    make_targets: Strings = Field(description="Makefile/justfile targets that run the training pipeline (`train`).")
    make_recipes: Strings = Field(description="Words in a Makefile recipe that mean it runs training (`dvc repro`).")
