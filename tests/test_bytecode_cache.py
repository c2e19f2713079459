"""The bytecode cache of dataclass methods (codemod/_bytecode_cache.py): the same functions as
without it, written and read like .pyc files, and harmless when its file is bad or unwritable.
Where ``dataclasses`` does not make each method from its own text (Python 3.13), the block is
the plain import: nothing counted, nothing written, the same classes."""

from __future__ import annotations

import dataclasses
import marshal
import os
import subprocess
import sys
import textwrap
from importlib.util import MAGIC_NUMBER

from codemod._bytecode_cache import compiles_each_method_alone, dataclass_methods_cached

CACHED = compiles_each_method_alone(dataclasses)  # else every block below is the plain import

MODULE = '''
from dataclasses import dataclass, field

@dataclass(frozen=True)
class Point:
    x: int
    y: int = 0
    tags: tuple = field(default_factory=tuple)

@dataclass(order=True)
class Span:
    start: int
    end: int
'''


def _import_fresh(tmp_path, cache=None, name="dcmod"):
    """Import a new module of two dataclasses, within the cache block unless ``cache`` is None:
    (module, counts)."""
    (tmp_path / f"{name}.py").write_text(MODULE)
    sys.path.insert(0, str(tmp_path))
    try:
        sys.modules.pop(name, None)
        if cache is None:
            return __import__(name), {}
        with dataclass_methods_cached(name, str(cache)) as counts:
            module = __import__(name)
        return module, dict(counts)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(name, None)


def test_the_cache_is_used_only_where_dataclasses_makes_each_method_from_its_own_text():
    """Up to 3.12 ``_create_fn`` compiles one text per method; 3.13 compiles one per class."""
    assert CACHED == (sys.version_info < (3, 13))


def test_second_import_compiles_nothing_and_behaves_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    cache = tmp_path / "__pycache__" / "dcmod.marshal"
    first, counts = _import_fresh(tmp_path, cache)
    second, again = _import_fresh(tmp_path, cache)
    if CACHED:
        assert counts["hits"] == 0 and counts["misses"] > 5
        assert cache.is_file()
        assert again == {"hits": counts["misses"], "misses": 0}
    else:  # the plain import, twice
        assert counts == again == {"hits": 0, "misses": 0}
        assert not cache.exists()
    for module in (first, second):
        point = module.Point(1)
        assert point == module.Point(1, 0, ()) and repr(point) == "Point(x=1, y=0, tags=())"
        assert module.Span(1, 2) < module.Span(2, 0)
        assert hash(point.__class__(2, 3)) == hash(module.Point(2, 3))
    # compiled as dataclasses compiles them, not under this file's `from __future__ import annotations`
    plain, _ = _import_fresh(tmp_path)
    for cls in ("Point", "Span"):
        for method in ("__init__", "__eq__", "__repr__", "__lt__"):
            made, cached = getattr(getattr(plain, cls), method, None), getattr(getattr(second, cls), method, None)
            if hasattr(made, "__code__"):
                assert made.__code__.co_code == cached.__code__.co_code
                assert made.__code__.co_flags == cached.__code__.co_flags
                assert made.__annotations__ == cached.__annotations__
    assert "exec" not in vars(__import__("dataclasses"))  # the block leaves dataclasses as it was


def test_a_bad_cache_file_is_ignored_and_replaced(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    cache = tmp_path / "dcmod.marshal"
    for junk in (b"", b"not marshal data at all", MAGIC_NUMBER + b"\x00garbage", MAGIC_NUMBER + marshal.dumps({"text": 1})):
        cache.write_bytes(junk)
        module, counts = _import_fresh(tmp_path, cache)
        assert counts["hits"] == 0 and (counts["misses"] > 0) == CACHED
        assert module.Point(1, 2).y == 2
        assert (cache.read_bytes() != junk) == CACHED  # rewritten with good entries; else not read at all
    assert _import_fresh(tmp_path, cache)[1]["misses"] == 0


def test_nothing_is_written_without_bytecode_writing_or_where_it_cannot_be(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # PYTHONDONTWRITEBYTECODE, python -B
    cache = tmp_path / "dcmod.marshal"
    assert _import_fresh(tmp_path, cache)[0].Point(3).x == 3
    assert not cache.exists()
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    blocked = tmp_path / "a-file" / "dcmod.marshal"  # its folder cannot be made
    (tmp_path / "a-file").write_text("")
    assert _import_fresh(tmp_path, blocked)[0].Point(3).x == 3
    assert not blocked.exists()
    assert [p for p in os.listdir(tmp_path) if p.endswith(".tmp")] == []


def test_libcst_imported_through_the_cache_is_libcst(tmp_path):
    """LibCST's own node classes: each generated method has the same code, cold or warm (the
    rest of the suite runs the scanners with the cache on)."""
    script = textwrap.dedent(
        f"""
        import dataclasses, hashlib, marshal, sys
        from codemod._bytecode_cache import dataclass_methods_cached
        sys.dont_write_bytecode = False
        with dataclass_methods_cached("codemod.scanners.python", {str(tmp_path / "cst.marshal")!r}) as counts:
            import codemod.scanners.python
        import libcst
        digest = hashlib.sha256()
        for name in sorted(dir(libcst)):
            cls = getattr(libcst, name)
            if isinstance(cls, type) and dataclasses.is_dataclass(cls):
                for method in ("__init__", "__eq__", "__repr__", "__setattr__", "__hash__"):
                    function = vars(cls).get(method)
                    if function is not None and hasattr(function, "__code__"):
                        digest.update(name.encode() + marshal.dumps(function.__code__.co_code))
        print(counts["hits"], counts["misses"], digest.hexdigest())
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True).stdout.split()
            for _ in range(2)]
    (cold_hits, cold_misses, cold_digest), (warm_hits, warm_misses, warm_digest) = runs
    assert int(cold_hits) == 0 and (int(cold_misses) > 500 if CACHED else int(cold_misses) == 0)
    assert int(warm_misses) == 0 and int(warm_hits) == int(cold_misses)
    assert warm_digest == cold_digest
    assert (tmp_path / "cst.marshal").exists() == CACHED
