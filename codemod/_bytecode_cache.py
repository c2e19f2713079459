"""A bytecode cache for the methods ``dataclasses`` generates, kept like Python's own .pyc files.

LibCST's ~200 node classes are frozen dataclasses. At every import, ``dataclasses`` writes the
source text of their ``__init__``, ``__eq__``, ``__repr__``, ``__setattr__``... and compiles
each text: about 1,000 compilations, some 40% of LibCST's import (0.1 s of 0.3 s). While a
scanner (with LibCST) or the pipeline's own modules are imported, ``dataclasses`` is given an
``exec`` that compiles a text only once and then takes its code object from a marshal file in
this package's ``__pycache__``.

The functions are those ``dataclasses`` makes itself: a text always gets the code object that
``compile`` gives it (the cache is keyed by the whole text, and by the interpreter's bytecode
magic number). Python's rules for .pyc files apply: nothing is written under
PYTHONDONTWRITEBYTECODE, and a file that cannot be read or written is ignored.

It leans on how ``dataclasses`` makes methods up to Python 3.12: ``_create_fn`` compiles each
method's own text through the module-global ``exec``. Where that is not so (3.13 builds one text
per class in ``_FuncBuilder``), the block does nothing and the import is the plain one.
"""

from __future__ import annotations

import builtins
import os
import sys
from contextlib import contextmanager
from types import CodeType
from typing import Dict, Iterator, Optional


def compiles_each_method_alone(dataclasses) -> bool:
    """Whether ``dataclasses`` makes each method with ``_create_fn`` through a global ``exec``:
    the implementation detail the cache was made and checked for."""
    create_fn = vars(dataclasses).get("_create_fn")
    code = getattr(create_fn, "__code__", None)
    return code is not None and "exec" in code.co_names


def cache_path(module: str) -> Optional[str]:
    tag = sys.implementation.cache_tag
    if tag is None:  # an interpreter without bytecode caching
        return None
    here = os.path.dirname(os.path.abspath(__file__))
    # where Python puts this package's .pyc files (PYTHONPYCACHEPREFIX moves them)
    folder = os.path.join(sys.pycache_prefix, here.lstrip(os.sep)) if sys.pycache_prefix else os.path.join(here, "__pycache__")
    return os.path.join(folder, f"{module}.dataclasses.{tag}.marshal")


@contextmanager
def dataclass_methods_cached(module: str, path: Optional[str] = None) -> Iterator[Dict[str, int]]:
    """Within this block, the import of ``module`` (and all it imports), dataclasses compile
    each method text once across runs: one cache per module imported this way, holding what
    its last import used. Yields the counts of texts found and compiled ("hits", "misses"):
    both stay 0 where ``dataclasses`` works otherwise (see ``compiles_each_method_alone``)."""
    import dataclasses
    import marshal
    from importlib.util import MAGIC_NUMBER

    path = path or cache_path(module)
    counts = {"hits": 0, "misses": 0}
    if path is None or "exec" in vars(dataclasses) or not compiles_each_method_alone(dataclasses):
        # no cache, already inside this block, or a dataclasses the cache was not made for
        yield counts
        return
    cached = _load(path, MAGIC_NUMBER, marshal)
    used: Dict[str, object] = {}

    def cached_exec(source, globals=None, locals=None):
        if not isinstance(source, str):
            return builtins.exec(source, globals, locals)
        code = cached.get(source)
        if code is None:
            counts["misses"] += 1
            # dont_inherit: compiled as exec() in dataclasses compiles it, without this
            # module's `from __future__ import annotations`
            code = compile(source, "<string>", "exec", dont_inherit=True)
        else:
            counts["hits"] += 1
        used[source] = code
        return builtins.exec(code, globals, locals)

    dataclasses.exec = cached_exec  # found before the builtin by dataclasses' own code
    try:
        yield counts
    finally:
        del dataclasses.exec
    if counts["misses"] and not sys.dont_write_bytecode:
        _store(path, MAGIC_NUMBER + marshal.dumps(used))  # only what this import used: no growth


def _load(path: str, magic: bytes, marshal) -> Dict[str, object]:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        if data[: len(magic)] == magic:
            table = marshal.loads(data[len(magic) :])
            if isinstance(table, dict) and all(type(code) is CodeType for code in table.values()):
                return table
    except (OSError, ValueError, EOFError, TypeError):  # absent, unreadable, or not a table
        pass
    return {}


def _store(path: str, data: bytes) -> None:
    temp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temp, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)  # readers see the old file or the new one, never a part
    except OSError:  # a read-only install: LibCST is imported as usual next time
        try:
            os.unlink(temp)
        except OSError:
            pass
