"""gitlog: trailers, commit classification, blame (renames, uncommitted, shallow), notes, cache."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from provenance.evidence.blame import blame_print
from provenance.evidence.blamecache import Blames
from provenance.evidence.collect import (
    BlameSpan,
    classify_commit,
    collect,
    dirty_files,
    read_commits,
)
from provenance.evidence.trailers import trailer_lines
from provenance.model import Agent
from tests.helpers import Repo, git

SHA = "a" * 40


def lines(n: int, tag: str = "l") -> str:
    return "".join(f"{tag}{i}\n" for i in range(1, n + 1))


def per_line(spans: tuple[BlameSpan, ...]) -> list[str | None]:
    out: list[str | None] = []
    for s in spans:
        out.extend([s.commit] * s.length)
    return out


# -- trailers (pure) -------------------------------------------------------------------

def test_trailers_are_read_from_the_last_paragraph_only() -> None:
    msg = "Title\n\nBody mentions Assisted-by: fake:model in prose.\n\nAssisted-by: claude-code:opus\nSigned-off-by: A <a@b>\n"
    assert trailer_lines(msg) == [("Assisted-by", "claude-code:opus"), ("Signed-off-by", "A <a@b>")]


def test_a_title_alone_is_never_a_trailer() -> None:
    assert trailer_lines("Assisted-by: claude-code:opus\n") == []


def test_a_mixed_last_paragraph_is_prose_unless_git_generated_trailers_dominate() -> None:
    assert trailer_lines("T\n\nThis is prose.\nAssisted-by: x:y\n") == []
    msg = "T\n\nsome note\nAssisted-by: x:y\nSigned-off-by: A <a@b>\nCo-authored-by: B <b@c>\n"
    assert ("Assisted-by", "x:y") in trailer_lines(msg)


def test_trailer_continuation_lines_and_case_insensitive_tokens() -> None:
    info = classify_commit(SHA, "Ada", "Ada", "T\n\nco-authored-BY: Claude\n <noreply@anthropic.com>\n")
    assert info.agents == (Agent("claude-code", "unknown"),)


def test_classify_forms_of_ai_evidence() -> None:
    assisted = classify_commit(SHA, "Ada", "Ada", "T\n\nAssisted-by: claude-code:claude-opus-4-1\n")
    assert assisted.agents == (Agent("claude-code", "claude-opus-4-1"),)
    assert assisted.evidence[0].source == "trailer"
    claude = classify_commit(SHA, "Ada", "Ada", "T\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n")
    assert claude.agents == (Agent("claude-code", "unknown"),)
    aider = classify_commit(SHA, "Ada (aider)", "Ada", "feat: x\n")
    assert aider.agents == (Agent("aider", "unknown"),) and aider.evidence[0].source == "author-name"
    none = classify_commit(SHA, "Ada", "Ada", "T\n\nAssisted-by: none\n")
    assert none.agents == () and none.declared_none
    untagged = classify_commit(SHA, "Ada", "Ada", "T\n\nplain body\n")
    assert untagged.agents == () and not untagged.declared_none
    session = classify_commit(SHA, "Ada", "Ada", "T\n\nAssisted-by: codex:gpt-5\nPaperprov-Session: 2026-01-01T00:00:00Z\n")
    assert session.agents == (Agent("codex", "gpt-5"),)
    assert {e.source for e in session.evidence} == {"trailer", "session"}


def test_agent_evidence_outweighs_assisted_by_none() -> None:
    info = classify_commit(SHA, "Ada (aider)", "Ada", "T\n\nAssisted-by: none\n")
    assert info.is_ai and not info.declared_none


# -- real repositories -----------------------------------------------------------------

def test_read_commits_in_one_call_handles_non_utf8_messages(repo: Repo) -> None:
    repo.write("a.txt", "x\n")
    repo.git("add", "a.txt")
    msg = b"Caf\xe9 title\n\nAssisted-by: claude-code:opus\n"
    subprocess.run(["git", "commit", "-q", "-F", "-"], cwd=repo.path, input=msg, check=True)
    head = repo.git("rev-parse", "HEAD").strip()
    info = read_commits(repo.path, [head])
    assert info[head].agents == (Agent("claude-code", "opus"),)


def test_blame_follows_renames_and_maps_original_paths(repo: Repo) -> None:
    c1 = repo.commit("human", {"old/a.tex": lines(4)})
    (repo.path / "new").mkdir()
    repo.git("mv", "old/a.tex", "new/b.tex")
    repo.commit("move")
    c3 = repo.commit("ai\n\nAssisted-by: claude-code:opus", {"new/b.tex": lines(4) + "added\n"})
    ev = collect(repo.path, ["new/b.tex"])
    spans = ev.blame["new/b.tex"]
    assert per_line(spans) == [c1] * 4 + [c3]
    assert spans[0].orig_path == "old/a.tex" and spans[-1].orig_path == "new/b.tex"
    assert ev.commits[c3].is_ai and not ev.commits[c1].is_ai


def test_uncommitted_and_untracked_lines(repo: Repo) -> None:
    c1 = repo.commit("one", {"a.tex": lines(3)})
    repo.write("a.tex", lines(3) + "new line\n")
    repo.write("b.tex", "untracked\nfile\n")
    ev = collect(repo.path, ["a.tex", "b.tex"])
    assert per_line(ev.blame["a.tex"]) == [c1, c1, c1, None]
    assert per_line(ev.blame["b.tex"]) == [None, None]
    assert dirty_files(repo.path, ["a.tex", "b.tex"]) == ["a.tex", "b.tex"]


def test_repository_without_commits(repo: Repo) -> None:
    repo.write("a.tex", lines(2))
    ev = collect(repo.path, ["a.tex"])
    assert ev.available and ev.head is None
    assert per_line(ev.blame["a.tex"]) == [None, None]


def test_not_a_repository(tmp_path: Path) -> None:
    (tmp_path / "a.tex").write_text("x\n")
    ev = collect(tmp_path, ["a.tex"])
    assert not ev.available
    assert ev.warnings == ("not a git repository: declarations only",)


def test_detached_head_and_non_utf8_content(repo: Repo) -> None:
    c1 = repo.commit("one", {"a.tex": b"caf\xe9\nline\n"})
    repo.commit("two", {"b.tex": "x\n"})
    repo.git("checkout", "-q", "--detach", c1)
    ev = collect(repo.path, ["a.tex"])
    assert ev.head == c1
    assert per_line(ev.blame["a.tex"]) == [c1, c1]


def test_shallow_clone_marks_boundary(make_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = make_repo("src")
    src.commit("one", {"a.tex": lines(3)})
    c2 = src.commit("two\n\nAssisted-by: claude-code:opus", {"a.tex": lines(3) + "x\n"})
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{src.path}", str(clone))
    ev = collect(clone, ["a.tex"])
    assert ev.shallow and c2 in ev.boundary
    assert any("shallow clone" in w for w in ev.warnings)


def test_notes_from_paperprov_tag_are_read(repo: Repo) -> None:
    c1 = repo.commit("human", {"p/a.tex": lines(6)})
    note = json.dumps({"paperprov": 1, "tags": [{"path": "p/a.tex", "start": 2, "end": 3, "agent": "chatgpt:gpt-5"}]})
    repo.git("notes", "--ref", "refs/notes/paperprov", "add", "-m", note, c1)
    ev = collect(repo.path, ["p/a.tex"])
    (tag,) = ev.notes[c1]
    assert (tag.path, tag.start, tag.end, tag.agent) == ("p/a.tex", 2, 3, Agent("chatgpt", "gpt-5"))


def test_warm_cache_gives_the_same_answer_after_edits_and_commits(repo: Repo) -> None:
    repo.commit("one", {"a.tex": lines(5), "b.tex": lines(5, "b")})
    first = collect(repo.path, ["a.tex", "b.tex"])
    assert (repo.path / ".git/paperprov/blame-cache.json").is_file()
    repo.write("a.tex", "top\n" + lines(5))
    warm = collect(repo.path, ["a.tex", "b.tex"])
    assert warm.blame == collect(repo.path, ["a.tex", "b.tex"], use_cache=False).blame
    assert warm.blame["b.tex"] == first.blame["b.tex"]
    assert per_line(warm.blame["a.tex"])[0] is None
    c2 = repo.commit("two\n\nAssisted-by: codex:gpt-5")
    after = collect(repo.path, ["a.tex", "b.tex"])
    assert after.blame == collect(repo.path, ["a.tex", "b.tex"], use_cache=False).blame
    assert per_line(after.blame["a.tex"])[0] == c2 and after.commits[c2].is_ai


def test_corrupt_cache_is_ignored(repo: Repo) -> None:
    c1 = repo.commit("one", {"a.tex": lines(2)})
    collect(repo.path, ["a.tex"])
    (repo.path / ".git/paperprov/blame-cache.json").write_text("{not json")
    assert per_line(collect(repo.path, ["a.tex"]).blame["a.tex"]) == [c1, c1]


def test_a_cache_with_damaged_commit_ids_is_ignored(repo: Repo) -> None:
    c1 = repo.commit("one", {"a.tex": lines(2), "b.tex": lines(2, "b")})
    collect(repo.path, ["a.tex", "b.tex"])
    path = repo.path / ".git/paperprov/blame-cache.json"
    cache = json.loads(path.read_text())
    path.write_text(json.dumps({**cache, "shas": [7] * len(cache["shas"])}))
    assert per_line(collect(repo.path, ["a.tex", "b.tex"]).blame["a.tex"]) == [c1, c1]
    repo.write("a.tex", lines(2) + "new\n")  # an edit: b.tex's entry, rewritten, is kept as it is
    kept = collect(repo.path, ["a.tex", "b.tex"])
    assert kept.blame == collect(repo.path, ["a.tex", "b.tex"], use_cache=False).blame
    assert json.loads(path.read_text())["shas"] == [c1]


def test_a_cached_entry_that_does_not_decode_is_blamed_again(repo: Repo) -> None:
    c1 = repo.commit("one", {"a.tex": lines(2), "b.tex": lines(2, "b")})
    collect(repo.path, ["a.tex", "b.tex"])
    path = repo.path / ".git/paperprov/blame-cache.json"
    cache = json.loads(path.read_text())
    for damage in ([1, 2, 99, 0, 1], [1, 2, 0, 5, 1], [1, 2, "x", 0, 1], [1, 2, 0]):  # sha, path, type, length
        cache["files"]["a.tex"]["spans"] = damage
        path.write_text(json.dumps(cache))
        ev = collect(repo.path, ["a.tex", "b.tex"])
        assert per_line(ev.blame["a.tex"]) == [c1, c1] and per_line(ev.blame["b.tex"]) == [c1, c1], damage


def test_a_cached_blame_keeps_its_print(repo: Repo) -> None:
    repo.commit("one", {"a.tex": lines(3), "b.tex": lines(2, "b")})
    fresh = collect(repo.path, ["a.tex", "b.tex"], use_cache=False)
    collect(repo.path, ["a.tex", "b.tex"])
    path = repo.path / ".git/paperprov/blame-cache.json"
    assert json.loads(path.read_text())["files"]["a.tex"]["print"] == blame_print(fresh.blame["a.tex"])
    warm = collect(repo.path, ["a.tex", "b.tex"]).blame
    assert isinstance(warm, Blames) and warm.print("a.tex") == blame_print(fresh.blame["a.tex"])
    cache = json.loads(path.read_text())
    del cache["files"]["b.tex"]["print"]  # as a cache written before prints were kept
    path.write_text(json.dumps(cache))
    assert collect(repo.path, ["a.tex", "b.tex"]).blame.print("b.tex") == blame_print(fresh.blame["b.tex"])
    assert json.loads(path.read_text())["files"]["b.tex"]["print"] == blame_print(fresh.blame["b.tex"])


def test_trailer_parsing_agrees_with_git_interpret_trailers(tmp_path: Path) -> None:
    messages = [
        "Title\n\nBody.\n\nAssisted-by: claude-code:opus\nSigned-off-by: A <a@b>\n",
        "Title\n\nprose line\nAssisted-by: x:y\n",
        "Title\n\nnote one\nAssisted-by: x:y\nSigned-off-by: A <a@b>\nCo-authored-by: B <b@c>\n",
        "Title\n\nCo-authored-by: Claude\n  <noreply@anthropic.com>\nAssisted-by : none\n",
        "Assisted-by: only-a-title:x\n",
        "Title\n\nAssisted-by: a:b\n\n\n",
        "Title\n\nFirst: paragraph\n\nlast paragraph is prose\n",
    ]
    for msg in messages:
        proc = subprocess.run(["git", "interpret-trailers", "--parse"], input=msg.encode(), cwd=tmp_path,
                              capture_output=True, check=True)
        theirs = [tuple(part.strip() for part in ln.split(":", 1)) for ln in proc.stdout.decode().splitlines()]
        ours = [(k, v) for k, v in trailer_lines(msg)]
        assert ours == theirs, msg


def test_paths_with_spaces_quotes_and_non_ascii(repo: Repo) -> None:
    name = 'sections/caf\u00e9 "draft" one.tex'
    c1 = repo.commit("one\n\nAssisted-by: codex:gpt-5", {name: lines(2)})
    ev = collect(repo.path, [name])
    assert per_line(ev.blame[name]) == [c1, c1]
    assert ev.blame[name][0].orig_path == name
    assert dirty_files(repo.path, [name]) == []


def test_a_change_and_its_revert_since_the_cache_give_the_lines_to_the_revert(repo: Repo) -> None:
    """The tree is as it was, but git blame gives the restored line to the revert: so must
    the cached answer."""
    c1 = repo.commit("one", {"a.tex": "a\nb\nc\n", "b.tex": "x\n"})
    collect(repo.path, ["a.tex", "b.tex"])
    repo.commit("two", {"a.tex": "a\nB\nc\n"})
    c3 = repo.commit("revert two", {"a.tex": "a\nb\nc\n"})
    cached = collect(repo.path, ["a.tex", "b.tex"]).blame
    assert per_line(cached["a.tex"]) == [c1, c3, c1]
    assert cached == collect(repo.path, ["a.tex", "b.tex"], use_cache=False).blame
