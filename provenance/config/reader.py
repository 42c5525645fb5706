"""Reading provenance.yaml within bounds, with the key path at hand, so every error can
name it. Every section of the config (validate.py, and any new one) reads through here:

- `read_bounded` opens the file without blocking (a FIFO or a device is refused, not
  read) and reads at most MAX_CONFIG_BYTES;
- `parse_yaml` composes the YAML, refuses an alias bomb (more than MAX_VALUES values once
  aliases are expanded, nesting deeper than MAX_DEPTH, a scalar over MAX_SCALAR characters)
  before anything is constructed or printed, and refuses duplicate keys;
- `Reader` checks types, ranges, list lengths and paths (inside the repository, symlinks
  followed) and prints a value only through `show`, which bounds it.
"""

from __future__ import annotations

import functools
import os
import re
import stat
from pathlib import Path, PurePosixPath
from typing import Any

from provenance.errors import ConfigError
from provenance.paths import CONFIG_NAME
from provenance.vocab import declaration_problem

MAX_CONFIG_BYTES = 1 << 20
MAX_VALUES = 50_000  # YAML nodes, counting each alias as the value it stands for
MAX_DEPTH = 64
MAX_SCALAR = 10_000  # characters of one YAML scalar
MAX_LIST = 1_000  # items of one list of strings (args, inputs, outputs, ...)
MAX_PATH = 1_024  # characters of a repo-relative path
MAX_NAME = 100  # characters of a name used in file and task names
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")  # a name used in file and task names


def show(value: Any, limit: int = 60) -> str:
    """repr(value), cut short: a message never prints a huge or deeply nested value."""
    if isinstance(value, (list, dict)):
        return f"a {type(value).__name__} of {len(value)} item(s)"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def read_bounded(path: Path) -> str:
    """The text of provenance.yaml: a regular file of at most MAX_CONFIG_BYTES of UTF-8."""
    try:
        # O_NONBLOCK: opening a FIFO for reading must not wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ConfigError(f"{path}: not found; run `paperprov init` in your paper repository") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot open it ({exc.strerror}); check the file and its permissions") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = "a FIFO" if stat.S_ISFIFO(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode) or \
                stat.S_ISBLK(st.st_mode) else "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
            raise ConfigError(f"{path}: is {kind}; {CONFIG_NAME} must be a regular file")
        if st.st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: {st.st_size} bytes; refusing a {CONFIG_NAME} over 1 MiB")
        chunks, total = [], 0
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
            total += len(chunk)
            if total > MAX_CONFIG_BYTES:
                raise ConfigError(f"{path}: grew past 1 MiB while being read; refusing it")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror})") from None
    finally:
        os.close(fd)
    try:
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (byte {exc.start}); save it as UTF-8") from None


def _check_nodes(root: Any) -> None:
    """Walk the composed YAML as if aliases were expanded, and stop at the bounds: an
    alias bomb costs at most MAX_VALUES steps here, and is never constructed."""
    import yaml

    stack, seen = [(root, 1)], 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        where = f"{CONFIG_NAME}:{node.start_mark.line + 1}"
        if seen > MAX_VALUES:
            raise ConfigError(f"{where}: more than {MAX_VALUES} values once aliases are expanded "
                              "(an alias bomb?); write the values out")
        if depth > MAX_DEPTH:
            raise ConfigError(f"{where}: nested more than {MAX_DEPTH} levels deep (or a recursive alias)")
        if isinstance(node, yaml.ScalarNode):
            if len(node.value) > MAX_SCALAR:
                raise ConfigError(f"{where}: a value of {len(node.value)} characters; at most {MAX_SCALAR}")
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend((child, depth + 1) for pair in node.value for child in pair)


def _count_events(loader: Any) -> None:
    """Parse events only (no nodes: ~4x cheaper) and stop past MAX_VALUES, so a huge
    document is refused before it is composed."""
    seen = 0
    while loader.check_event():
        event = loader.get_event()
        seen += 1
        if seen > MAX_VALUES:
            raise ConfigError(f"{CONFIG_NAME}:{event.start_mark.line + 1}: more than {MAX_VALUES} values; "
                              "a provenance.yaml holds far fewer")


@functools.cache
def _loader() -> type:
    import yaml

    # libyaml's parser when present: same safe semantics, ~10x faster (commit hooks load this)
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[valid-type,misc]
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # `<<: *defaults` may be overridden by the keys beside it
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                try:
                    first = seen.get(key)
                except TypeError:
                    continue  # unhashable: the base constructor says so
                if first is not None:
                    raise ConfigError(f"{CONFIG_NAME}:{line}: key {show(key)} given twice (first on line "
                                      f"{first}); keep one")
                seen[key] = line
            return super().construct_mapping(node, deep=deep)

    return Loader


def parse_yaml(text: str) -> Any:
    """The YAML document in `text`, within the bounds above; ConfigError otherwise."""
    import yaml

    loader = _loader()(text)
    try:
        _count_events(loader)
        loader.dispose()
        loader = _loader()(text)
        node = loader.get_single_node()
        if node is None:
            return None
        _check_nodes(node)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{CONFIG_NAME}{where}: {problem}; fix the YAML syntax") from None
    except (ValueError, RecursionError, OverflowError) as exc:
        raise ConfigError(f"{CONFIG_NAME}: a value cannot be read ({show(str(exc))}); fix it") from None
    finally:
        loader.dispose()


class _Values:
    """Types, ranges, names and lists, each error naming the key path."""

    def fail(self, key: str, msg: str) -> ConfigError:
        return ConfigError(f"{CONFIG_NAME}: {key}: {msg}")

    def mapping(self, value: Any, key: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a mapping, got {type(value).__name__}")
        for k in value:
            if k not in allowed:
                text = k if isinstance(k, str) and len(k) <= 60 and k.isprintable() else show(k)
                raise self.fail(f"{key}.{text}" if key else text, f"unknown key; expected one of {', '.join(allowed)}")
        return value

    def typed(self, value: Any, key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        if value is None:
            return default
        if kind in (int, float) and isinstance(value, bool):
            raise self.fail(key, f"expected a number, got {show(value)}")
        if kind is float and isinstance(value, int):
            return float(value)
        if not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise self.fail(key, f"expected {names}, got {type(value).__name__} {show(value)}")
        return value

    def number(self, value: Any, key: str, kind: type, lo: float, hi: float, default: Any) -> Any:
        """An int or float within [lo, hi] (NaN is in no range)."""
        n = self.typed(value, key, kind, default)
        if not lo <= n <= hi:
            raise self.fail(key, f"{show(n)} is not between {lo} and {hi}")
        return n

    def name(self, value: Any, key: str, what: str) -> str:
        """A name that becomes part of file and task names."""
        name = self.typed(value, key, str)
        if not name or len(name) > MAX_NAME or not NAME_RE.match(name):
            raise self.fail(key, f"required; up to {MAX_NAME} letters, digits, '.', '_' or '-' ({what})")
        return name

    def strings(self, value: Any, key: str, max_items: int = MAX_LIST) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "expected a list of strings")
        if len(value) > max_items:
            raise self.fail(key, f"{len(value)} items; at most {max_items}")
        return tuple(value)

    def declared(self, key: str, field: str, value: str) -> str:
        """An annotation's value, by the same rule as a `paperprov:` marker in a source."""
        problem = declaration_problem(field, value)
        if problem is not None:
            raise self.fail(key, problem)
        return value

class Reader(_Values):
    """Walks the parsed YAML with the key path at hand, so every error can name it; the
    paths it names stay inside the repository at `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._real_root = root.resolve()

    def relative(self, rel: Any, key: str) -> str:
        """A repo-relative path or glob, normalised: not absolute, no '..', bounded."""
        if not isinstance(rel, str) or not rel.strip():
            raise self.fail(key, f"expected a path relative to the repository, got {show(rel)}")
        if len(rel) > MAX_PATH or "\0" in rel or any(len(p) > 255 for p in rel.split("/")):
            raise self.fail(key, f"{show(rel)}: longer than {MAX_PATH} characters (or a part over 255); shorten it")
        p = PurePosixPath(rel)
        if p.is_absolute() or rel.startswith("~") or ".." in p.parts or "\\" in rel:
            raise self.fail(key, f"{show(rel)} must be a path inside the repository, relative to it")
        return p.as_posix()

    def inside(self, rel: Any, key: str) -> str:
        """A repo-relative path that, with every symlink followed, stays in the repository."""
        norm = self.relative(rel, key)
        try:
            real = (self.root / norm).resolve()
        except (OSError, RuntimeError) as exc:
            raise self.fail(key, f"{show(rel)}: cannot resolve it ({exc}); fix the path") from None
        if not real.is_relative_to(self._real_root):
            raise self.fail(key, f"{show(rel)} resolves to {show(str(real), 200)}, outside the repository "
                                 "(a symlink?); keep the file in the repository")
        return norm

    def existing(self, rel: Any, key: str) -> str:
        norm = self.inside(rel, key)
        if (self.root / norm).is_dir():
            raise self.fail(key, f"{norm} is a directory; give file paths (list several files one by one)")
        if not (self.root / norm).is_file():
            if any(c in norm for c in "*?["):
                raise self.fail(key, f"{show(norm)}: patterns are not expanded; list the files one by one")
            raise self.fail(key, f"file {norm} does not exist; fix the path or create the file")
        return norm

    def distinct(self, owned: list[tuple[str, str]], key: str) -> None:
        """(owner, repo-relative path) pairs: no path twice and none inside another (a
        file cannot also be a directory); the message names both owners."""
        by_path: dict[str, str] = {}
        for owner, path in owned:
            if path in by_path:
                raise self.fail(key, f"{path} is an output of both {by_path[path]} and {owner}; "
                                     "give every output its own path")
            by_path[path] = owner
        for path, owner in by_path.items():
            parts = PurePosixPath(path).parts
            for i in range(1, len(parts)):
                prefix = "/".join(parts[:i])
                if prefix in by_path:
                    raise self.fail(key, f"{path} of {owner} is inside {prefix} of {by_path[prefix]}; "
                                         "give every output its own path")
