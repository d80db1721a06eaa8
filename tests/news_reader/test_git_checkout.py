"""A fresh checkout (every deploy in GitHub Actions) is fingerprinted by git's word, not file by
file: the unchanged-build check takes each clean file's digest from the blob id an earlier build
recorded with it, instead of reading the file; anything git cannot vouch for is read."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from support.build import CORPUS, build_in_process, tree

from topicfeed import build_inputs, content_stats, git_checkout
from topicfeed.git_checkout import GitWord, blob_id, checkout
from topicfeed.news_reader import item_store, reader


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.email=test@example.com", "-c", "user.name=Test", "-C", str(cwd), *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose ``content/`` holds 40 corpus items, committed."""
    root = tmp_path / "site"
    content = root / "content"
    content.mkdir(parents=True)
    for path in sorted(CORPUS.iterdir())[:40]:
        shutil.copy2(path, content / path.name)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "items")
    return root


def fresh_checkout(root: Path, keep: tuple[str, ...] = ()) -> None:
    """``root`` cloned again at the same path (every file a new inode, mtime and ctime), with
    the untracked folders ``keep`` carried over: what a deploy with a restored cache sees."""
    old = root.with_name(f"{root.name}.old")
    root.rename(old)
    subprocess.run(["git", "clone", "-q", str(old), str(root)], check=True, capture_output=True)
    for name in keep:
        (old / name).rename(root / name)
    shutil.rmtree(old)


def digests_made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files the fingerprint reads from now on (each digest made), in order."""
    read: list[str] = []
    real = build_inputs._digest_file

    def counted(path: str, blob: bool) -> tuple[str, str]:
        read.append(Path(path).name)
        return real(path, blob)

    monkeypatch.setattr(build_inputs, "_digest_file", counted)
    return read


def test_clean_files_are_listed_with_their_blob_ids(repo: Path, tmp_path: Path) -> None:
    content = repo / "content"
    names = sorted(p.name for p in content.iterdir())
    found = checkout(str(content))
    assert found is not None
    assert sorted(found.blobs) == names
    assert found.blobs[names[0]] == git(repo, "hash-object", f"content/{names[0]}").strip()
    (content / names[0]).write_text("edited", encoding="utf-8")
    (content / names[1]).unlink()
    git(repo, "update-index", "--assume-unchanged", f"content/{names[2]}")
    (content / "new.md").write_text("---\ntitle: new\n---\n", encoding="utf-8")
    found = checkout(str(content))
    assert found is not None
    assert sorted(found.blobs) == names[3:]  # modified, deleted, assumed unchanged, untracked: not
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert checkout(str(elsewhere)) is None  # not a repository


def test_what_decides_a_checkouts_bytes_is_in_its_conversions(repo: Path) -> None:
    content = str(repo / "content")
    first = checkout(content)
    (repo / ".gitattributes").write_text("*.txt text eol=crlf\n", encoding="utf-8")
    second = checkout(content)
    git(repo, "config", "core.autocrlf", "true")
    third = checkout(content)
    assert first is not None and second is not None and third is not None
    assert len({first.conversions, second.conversions, third.conversions}) == 3


def test_a_blob_id_is_gits() -> None:
    assert blob_id(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"  # git hash-object


def test_a_fresh_checkout_is_fingerprinted_by_its_blobs(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = repo / "content"
    monkeypatch.setattr(git_checkout, "ASK_AFTER", 1)
    first = build_inputs.tree_records(content, prefix="content/", git=GitWord(str(content)))
    assert all(len(record) == 4 for record in first.values())  # each with its bytes' blob id
    edited = sorted(content.iterdir())[5]
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("title:", "title: Edited", 1), encoding="utf-8"
    )
    git(repo, "commit", "-qam", "one item edited")
    fresh_checkout(repo)
    read = digests_made(monkeypatch)
    again = build_inputs.tree_records(content, prefix="content/", known=first, git=GitWord(str(content)))
    assert read == [edited.name]  # git asked at the first file the stats could not vouch for
    plain = build_inputs.tree_records(content, prefix="content/")
    assert {k: r[:1] + r[2:3] for k, r in again.items()} == {k: r[:1] + r[2:3] for k, r in plain.items()}
    assert again[f"content/{edited.name}"][2] != first[f"content/{edited.name}"][2]
    read.clear()
    (repo / ".gitattributes").write_text("*.txt text\n", encoding="utf-8")  # other conversions
    git(repo, "add", ".gitattributes")
    git(repo, "commit", "-qm", "attributes")
    fresh_checkout(repo)
    build_inputs.tree_records(content, prefix="content/", known=again, git=GitWord(str(content)))
    assert len(read) == len(again)  # blob ids recorded under other conversions vouch for nothing


def test_a_fresh_checkout_of_an_unchanged_site_is_found_unchanged_unread(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A site built, the repository checked out afresh with the output kept (a deploy with its
    cache restored): the check finds nothing changed without reading a content file."""
    content, output = repo / "content", repo / "output"
    (repo / ".gitignore").write_text("output/\ncache/\n.output*\noutput.*\n", encoding="utf-8")
    git(repo, "add", ".gitignore")
    git(repo, "commit", "-qm", "ignore the build")
    monkeypatch.setattr(git_checkout, "ASK_AFTER", 1)
    build_in_process(content, output, SKIP_UNCHANGED_BUILD=True)
    site = tree(output)
    fresh_checkout(
        repo,
        keep=(
            "output",
            "cache",
            *(p.name for p in repo.glob("output.*")),
            *(p.name for p in repo.glob(".output*")),
        ),
    )
    read = digests_made(monkeypatch)
    page = (output / "index.html").stat().st_ino
    build_in_process(content, output, SKIP_UNCHANGED_BUILD=True)
    assert [name for name in read if name.endswith((".txt", ".md"))] == [], read
    assert (output / "index.html").stat().st_ino == page, "the site was built again"
    assert tree(output) == site


@pytest.mark.parametrize("rebuild", [True, False], ids=["from the model", "in full"])
def test_a_fresh_checkout_finds_its_items_records_unread(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rebuild: bool
) -> None:
    """A site built, the repository checked out afresh with the output and cache kept, one item
    edited: the news reader reads the edited file only (every other record is found by its blob
    id), and the site is the one a build from scratch makes."""
    content, output = repo / "content", repo / "output"
    (repo / ".gitignore").write_text("output/\ncache/\n.output*\noutput.*\n", encoding="utf-8")
    git(repo, "add", ".gitignore")
    git(repo, "commit", "-qm", "ignore the build")
    monkeypatch.setattr(git_checkout, "ASK_AFTER", 1)
    build_in_process(content, output, NEWS_READ_PROCESSES=1)
    kept = (
        "output",
        "cache",
        *(p.name for p in repo.glob("output.*")),
        *(p.name for p in repo.glob(".output*")),
    )
    fresh_checkout(repo, keep=kept)
    edited = sorted(content.iterdir())[7]
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("\nexcerpt: ", "\nexcerpt: Edited. ", 1), encoding="utf-8")
    read: list[str] = []
    real = reader.FileParser.read_bytes

    def counted(self: reader.FileParser, source_path: str) -> bytes:
        read.append(Path(source_path).name)
        return real(self, source_path)

    monkeypatch.setattr(reader.FileParser, "read_bytes", counted)
    build_in_process(content, output, NEWS_READ_PROCESSES=1, REBUILD_FROM_MODEL=rebuild)
    assert set(read) == {
        edited.name
    }  # (a rebuild reads a changed file twice: for the plan, then its article)
    monkeypatch.undo()
    shutil.copytree(content, tmp_path / "again")
    build_in_process(tmp_path / "again", tmp_path / "fresh")
    assert tree(output) == tree(tmp_path / "fresh")
    assert "Edited. " in (output / "index.html").read_text(encoding="utf-8") or any(
        "Edited. " in path.read_text(encoding="utf-8") for path in output.rglob("index.html")
    )


def test_a_full_build_records_its_conversions_without_asking_git_about_its_files(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saving the file stats needs only the conversions (a few small commands): ``git status``
    over the content folder is for a run whose stats could not vouch for its files."""
    content = repo / "content"

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("git was asked about every file")

    monkeypatch.setattr(git_checkout, "checkout", refused)
    git_word = GitWord(str(content))
    look = content_stats.Look(str(content), 0, {}, git_word)
    store = item_store.ItemStore(tmp_path / "store", b"key", look)
    store.save(set())
    expected = git_checkout.conversions_of(str(content))
    assert expected is not None
    assert git_word.conversions() == expected[0].hex()[:12]
    loaded = item_store.ItemStore(tmp_path / "store", b"key", look)
    loaded.stats.load()
    assert loaded.stats._conversions == git_word.conversions() != ""
