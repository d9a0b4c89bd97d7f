"""A version's resources are the modules of its package: each one's blueprint is mounted."""

import pkgutil
from collections.abc import Iterable
from importlib import import_module

from flask import Blueprint


def register_resources(parent: Blueprint, package: str, path: Iterable[str]) -> None:
    """Register on `parent` the blueprint `bp` of every module of `package` (at `path`).

    A new module next to tasks.py, with its own `bp` and declared views, is served,
    validated and documented as it is: no list of modules to keep up to date.
    """
    for module in pkgutil.iter_modules(path):
        blueprint = getattr(import_module(f"{package}.{module.name}"), "bp", None)
        if isinstance(blueprint, Blueprint):
            parent.register_blueprint(blueprint)
