"""Data files shipped in the package (styles, voice profiles): listing and validated loading."""

from __future__ import annotations

from importlib import resources
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from troubadour.errors import DocumentError, InputError, describe_choice

M = TypeVar("M", bound=BaseModel)


def yaml_files(package: str, folder: str) -> dict[str, str]:
    """{name: text} of the .yaml files in a package folder."""
    root = resources.files(package) / folder
    return {entry.name[:-5]: entry.read_text("utf-8") for entry in root.iterdir() if entry.name.endswith(".yaml")}


def load_model(model: type[M], files: dict[str, str], name: str, *, what: str) -> M:
    """Validate one named file against its schema; unknown names and broken files are one-line errors."""
    if name not in files:
        raise InputError(describe_choice(what, name, list(files)))
    try:
        return model.model_validate(yaml.safe_load(files[name]))
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "(top level)"
        raise DocumentError(f"{what} file {name}.yaml is broken: {where}: {error['msg']}") from None
    except yaml.YAMLError as exc:
        raise DocumentError(f"{what} file {name}.yaml is not valid YAML: {exc}") from None
