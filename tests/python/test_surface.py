# SPDX-License-Identifier: MIT
"""The public surface: the 24 names, pinned against the stubs."""

import ast
import inspect
from pathlib import Path

import snapdir
import snapdir.snapdir as native

PUBLIC = [
    "SnapdirError",
    "HashMismatchError",
    "StoreError",
    "InFluxError",
    "CatalogError",
    "PathType",
    "ManifestEntry",
    "Manifest",
    "DiffEntry",
    "SnapshotId",
    "StoreUri",
    "DiffOptions",
    "version",
    "id_from_manifest",
    "manifest",
    "id",
    "stage",
    "push",
    "fetch",
    "pull",
    "checkout",
    "sync",
    "diff",
    "verify",
]
ASYNC = ["manifest", "id", "stage", "push", "fetch", "pull", "checkout", "sync", "diff", "verify"]
PKG = Path(snapdir.__file__).parent


def stub_module(name: str) -> ast.Module:
    return ast.parse((PKG / name).read_text())


def stub_all(tree: ast.Module) -> list[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return list(ast.literal_eval(node.value))
    raise AssertionError("no __all__ in the stub")


def stub_names(tree: ast.Module) -> dict[str, ast.AST]:
    names: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[node.name] = node
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                names[alias.asname or alias.name] = node
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    names[t.id] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node
    return names


def test_all_is_the_24_names():
    assert snapdir.__all__ == PUBLIC
    assert len(set(snapdir.__all__)) == 24


def test_stub_all_matches_the_package():
    tree = stub_module("__init__.pyi")
    assert stub_all(tree) == snapdir.__all__
    names = stub_names(tree)
    for name in PUBLIC:
        assert name in names, name
    for name in ASYNC:
        assert isinstance(names[name], ast.AsyncFunctionDef), name
    for name in ("version", "id_from_manifest"):
        assert isinstance(names[name], ast.FunctionDef), name


def test_every_public_name_exists_and_star_import_gives_exactly_them():
    for name in PUBLIC:
        assert hasattr(snapdir, name), name
    ns: dict[str, object] = {}
    exec("from snapdir import *", ns)
    assert sorted(k for k in ns if k != "__builtins__") == sorted(PUBLIC)


def test_async_functions_are_coroutine_functions_and_sync_ones_are_not():
    for name in ASYNC:
        assert inspect.iscoroutinefunction(getattr(snapdir, name)), name
    assert not inspect.iscoroutinefunction(snapdir.version)
    assert not inspect.iscoroutinefunction(snapdir.id_from_manifest)


def test_signatures_match_the_documentation():
    sig = inspect.signature(snapdir.manifest)
    assert list(sig.parameters) == ["path", "no_follow", "absolute", "exclude", "progress"]
    for opt in ("no_follow", "absolute", "exclude", "progress"):
        assert sig.parameters[opt].kind is inspect.Parameter.KEYWORD_ONLY
    assert sig.parameters["no_follow"].default is False
    assert sig.parameters["absolute"].default is False
    assert sig.parameters["exclude"].default is None
    positional = {
        "id": ["path"],
        "stage": ["path"],
        "push": ["path", "store"],
        "fetch": ["snapshot_id", "store"],
        "pull": ["snapshot_id", "store", "dest"],
        "checkout": ["snapshot_id", "dest"],
        "sync": ["snapshot_id", "src", "dst"],
        "diff": ["opts"],
        "verify": ["snapshot_id", "store"],
    }
    for name, params in positional.items():
        sig = inspect.signature(getattr(snapdir, name))
        got = [
            p.name
            for p in sig.parameters.values()
            if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        ]
        assert got == params, name


def test_version_is_the_package_version():
    assert snapdir.version() == "1.11.0"
    assert native.version() == "1.11.0"


def test_native_module_is_abi3_with_stubs_and_py_typed():
    assert native.__name__ == "snapdir.snapdir"
    assert Path(native.__file__).name == "snapdir.abi3.so"
    assert (PKG / "py.typed").is_file()
    assert (PKG / "__init__.pyi").is_file()
    assert (PKG / "snapdir.pyi").is_file()


def test_native_stub_declares_the_native_functions():
    names = stub_names(stub_module("snapdir.pyi"))
    for name in dir(native):
        if name.startswith("_"):
            continue
        assert name in names, name


def test_exceptions_live_in_the_package_module():
    for name in ("SnapdirError", "HashMismatchError", "StoreError", "InFluxError", "CatalogError"):
        cls = getattr(snapdir, name)
        assert cls.__module__ == "snapdir"
        assert cls.__name__ == name
        assert cls is getattr(native, name)


def test_diff_options_uses_from_refs_not_reserved_from():
    assert hasattr(snapdir.DiffOptions, "from_refs")
    assert not hasattr(snapdir.DiffOptions, "from")
    assert snapdir.DiffOptions.from_refs([], []) is not None


def test_calling_an_async_function_without_a_loop_returns_an_awaitable():
    coro = snapdir.manifest("/nonexistent-and-never-walked")
    try:
        assert inspect.isawaitable(coro)
        assert not isinstance(coro, snapdir.Manifest)
    finally:
        coro.close()
