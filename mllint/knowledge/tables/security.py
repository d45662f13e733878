"""Tables of ``rules/knowledge/security.toml``: calls that deserialise code, code trusted from a model hub, and
what a committed credential looks like (ML1401-ML1403; read by those rules and ``mllint/analysis/secrets.py``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from mllint.knowledge.fields import Flag, Kind, Number, Regex, Strings, StringsMap, Table, Text


class FlagRequired(Table):
    """A call that unpickles unless a keyword makes it safe."""

    call: Text = Field(description="The call (`torch.load`).")
    keyword: Text = Field(description="The keyword that makes it safe (`weights_only`).")
    safe: Flag = Field(description="The keyword's safe value.")
    safe_from: Text = Field("", description="`<package> <major.minor>` from which the default is safe (`torch 2.6`).")
    note: Text = Field("", description="Shown in the message.")


class FlagOptIn(Table):
    """A call that unpickles only when a keyword turns it on."""

    call: Text = Field(description="The call (`numpy.load`).")
    keyword: Text = Field(description="The keyword (`allow_pickle`).")
    unsafe: Flag = Field(description="The value that turns unpickling on.")


class Deserialization(Table):
    """Loads that run code stored in the file (ML1401)."""

    flag_required: Annotated[list[FlagRequired], Kind("list of tables")] = Field(description="Calls safe only with a keyword (`torch.load(weights_only=True)`).")
    flag_opt_in: Annotated[list[FlagOptIn], Kind("list of tables")] = Field(description="Calls unsafe only with a keyword (`np.load(allow_pickle=True)`).")
    yaml_loads: Strings = Field(description="PyYAML loads that need a safe `Loader`.")
    yaml_unsafe: Strings = Field(description="PyYAML loads that are always unsafe (`yaml.unsafe_load`).")
    safe_loaders: Strings = Field(description="Safe PyYAML loaders (`yaml.SafeLoader`).")
    unsafe_loaders: Strings = Field(description="Loaders that build Python objects (`yaml.FullLoader`).")
    pickle_loads: Strings = Field(description="Calls that always unpickle (`pickle.load`, `joblib.load`).")
    pickle_anchors: Strings = Field(default_factory=list, description="Words one of which every `pickle_loads` name contains, lower-cased (a fast first test: a file without any is not followed).")
    untrusted_calls: Strings = Field(description="Where untrusted bytes come from: downloads and request data (fnmatch globs).")
    untrusted_methods: Strings = Field(description="Methods that read a download or a request body (`.download_file`).")
    untrusted_types: Strings = Field(description="Parameter annotations that make an argument request data (`fastapi.UploadFile`).")
    serving_apps: Strings = Field(description="Calls that build a web application (`fastapi.FastAPI`).")
    serving_decorators: Strings = Field(description="Endpoint and service decorators (`bentoml.service`, `.post`).")
    serving_bases: Strings = Field(description="Base classes of model-server handlers (`kserve.Model`).")
    serving_handler_parameters: Strings = Field(default_factory=list, description="Parameter lists of module-level serverless handlers, comma-separated (`event, context`: AWS Lambda).")
    verification_calls: Strings = Field(description="Calls that verify bytes before loading them (`hashlib.*`).")


class RemoteCode(Table):
    """Code run from a model hub (ML1402)."""

    trust_keywords: Strings = Field(description="Keywords that run hub code when True (`trust_remote_code`).")
    hub_code_calls: Strings = Field(description="Calls that run a remote repository's code (`torch.hub.load`).")
    moving_refs: Strings = Field(description="Branch names that pin nothing (`main`).")
    hub_downloads: Strings = Field(description="Hub downloads the `require-revision` option wants pinned (fnmatch globs).")


class SecretToken(Table):
    """A credential recognisable by its shape."""

    name: Text = Field(description="What it is (`Hugging Face token`).")
    regex: Regex = Field(description="Its shape.")
    anchors: Strings = Field(default_factory=list, description="Plain substrings one of which every match contains (a fast first test).")


class Secrets(Table):
    """Committed credentials (ML1403)."""

    tokens: Annotated[list[SecretToken], Kind("list of tables")] = Field(description="Credentials by shape.")
    names: Regex = Field(description="Names whose literal value is a credential when it looks random (`WANDB_API_KEY`).")
    password_names: Regex = Field(description="Names whose value is a password.")
    keyword_names: StringsMap = Field(description="Callee → keywords that take a credential (`wandb.login` → `key`).")
    placeholders: Strings = Field(description="Words that make a value a placeholder (`your`, `xxxx`).")
    min_length: Annotated[int, Kind("integer")] = Field(description="Shortest value taken for a key or token.")
    min_password_length: Annotated[int, Kind("integer")] = Field(description="Shortest value taken for a password.")
    min_entropy: Number = Field(description="Least Shannon entropy (bits per character) of a key or token.")
    min_password_entropy: Number = Field(description="Least entropy of a password.")
    config_names: Strings = Field(description="Configuration files scanned besides code, by base name (`.env`).")
    config_suffixes: Strings = Field(description="Configuration suffixes scanned (`.yaml`, `.env`).")
    skip_names: Strings = Field(description="Files never scanned (`package-lock.json`).")
    max_config_bytes: Annotated[int, Kind("integer")] = Field(description="Larger configuration files are not scanned.")
