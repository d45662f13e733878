"""Tables of ``rules/knowledge/pipelines.toml``: how code loads a params file and reads its keys, and how a
DVC stage's command runs Python (ML0403-ML0407; read by ``mllint/analysis/paramreads.py`` and
``mllint/repo/pipeline.py``)."""

from __future__ import annotations

from pydantic import Field

from mllint.knowledge.fields import Regex, Strings, Table


class ParamsLoading(Table):
    """How a params file is loaded and its keys are read."""

    loaders: Strings = Field(description="Calls that read a params file into a mapping (`yaml.safe_load`, `json.load`, `omegaconf.OmegaConf.load`).")
    loader_classes: Strings = Field(description="Classes whose instances load files with their `load` method (ruamel's `YAML`).")
    dvc: Strings = Field(description="Calls returning the params of the DVC project (`dvc.api.params_show`).")
    wrappers: Strings = Field(description="Calls that return their argument with the same keys (`box.Box`, `copy.deepcopy`).")
    openers: Strings = Field(description="Calls that turn a file name into a path or an open file (`open`, `pathlib.Path`).")
    opener_methods: Strings = Field(description="Methods of a path or file that keep it the same file (`read_text`, `open`).")
    joins: Strings = Field(description="Joins whose last argument names the file (`os.path.join`).")
    inert: Strings = Field(description="Functions a params object can be given without any of its keys being used (`isinstance`, `len`).")
    optional_methods: Strings = Field(description="Mapping methods that read a key with a default (`get`).")
    write_methods: Strings = Field(description="Mapping methods that write (`update`, `setdefault`).")
    file_inert: Strings = Field(description="Calls (resolved names, or `.method`) a params file name can be given to without being read there.")
    read_openers: Strings = Field(description="Calls that open the file they are given, a read unless the mode writes (`open`, `io.open`).")
    read_methods: Strings = Field(description="Methods of a path that read it (`read_text`; `open` in a reading mode).")
    reader_pattern: Regex = Field(description="Other calls read the params file name they are given when the last part of their name matches (`load_params`).")
    writer_pattern: Regex = Field(description="Calls whose name also matches this write or hand on the file, they do not read it (`save_to_yaml`, `log_asset_data`).")
    call_pattern: Regex = Field(description="Project functions whose result is followed as a possible params object, by the last part of the name (`load_params`).")
    hydra_main: Strings = Field(description="Hydra entry-point decorators (`hydra.main`).")
    hydra_compose: Strings = Field(description="Hydra composition calls (`hydra.compose`).")
    schema_methods: Strings = Field(description="Class methods validating a mapping into a config class (`model_validate`).")
    schema_functions: Strings = Field(description="Functions validating a mapping into a config class (`dacite.from_dict`).")
    model_bases: Strings = Field(description="Base classes of config models (`pydantic.BaseModel`).")
    settings_bases: Strings = Field(description="Base classes whose values may also come from the environment (`pydantic_settings.BaseSettings`).")
    dataclass_decorators: Strings = Field(description="Decorators making a class a dataclass (`dataclasses.dataclass`, `attrs.define`).")
    missing_key_errors: Strings = Field(description="Exceptions whose handler makes a missing key an expected case (`KeyError`).")
    suffixes: Strings = Field(description="Suffixes of files a loader may read as params (`.yaml`, `.json`).")


class PipelineCommands(Table):
    """How a stage's command runs Python."""

    launchers: Strings = Field(description="Launchers whose script (or `-m` module) is the Python entry point (`torchrun`, `uv`).")
    option_values: Strings = Field(description="Python options that take a value (`-W`, `-X`).")
    metric_writers: Strings = Field(description="Imports that write DVC metrics and plots themselves (`dvclive`).")
