"""The README and docs/: short, every relative link and anchor resolves, every page is
reachable from the index; flashkit(1) and --help agree on every subcommand and option."""
import re

import pytest

from firstuse import BUILD, FLASHKIT, ROOT, out, run

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to '-'."""
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def anchors(path):
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.S)
    return {slug(m.group(1)) for m in re.finditer(r"^#+ (.*)$", text, re.M)}


def links(path):
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.S)
    text = re.sub(r"`[^`\n]*`", "", text)
    return LINK.findall(text)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    for target in links(page):
        if re.match(r"^[a-z]+:", target):
            continue  # http:, https:, mailto:
        file, _, anchor = target.partition("#")
        dest = (page.parent / file).resolve() if file else page
        assert dest.exists(), f"{page.name}: link to {target}: {dest} does not exist"
        if anchor and dest.suffix == ".md":
            assert anchor in anchors(dest), f"{page.name}: {target}: no heading '#{anchor}' in {dest.name}"


def test_every_docs_page_is_linked_from_the_index():
    index = ROOT / "docs" / "index.md"
    linked = {(index.parent / l.partition("#")[0]).resolve() for l in links(index)}
    for page in (ROOT / "docs").glob("*.md"):
        if page.name != "index.md":
            assert page.resolve() in linked, f"docs/index.md does not link {page.name}"
    readme = {(ROOT / l.partition("#")[0]).resolve() for l in links(ROOT / "README.md")}
    assert index.resolve() in readme


def test_readme_fits_on_a_few_screens():
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= 120
    assert "DESIGN.md" not in text
    # No hand-written test count: pytest's summary line gives it.
    assert not re.search(r"\b\d{2,} tests\b", text)
    for heading in ("## The two commands", "## Quick reference", "## Boards"):
        assert heading in text
    assert "make check" in text and "make demo" in text


def test_no_page_cites_a_design_file_outside_the_project():
    for page in PAGES:
        assert "DESIGN.md" not in page.read_text(), page


def help_text(*cmd):
    r = run([FLASHKIT, *cmd, "--help"])
    assert r.returncode == 0, out(r)
    return r.stdout


def subcommands():
    block = help_text().split("Commands:", 1)[1].split("\n\n", 1)[0]
    return [l.split()[0] for l in block.splitlines() if l.strip()]


def options(text):
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]+)", text))


def test_man_page_and_help_agree():
    """Data-driven: each subcommand in 'flashkit --help' has its section in flashkit(1),
    with every option its --help names. A new subcommand needs only its --help (the page
    is generated from it by tools/gen-manpage)."""
    page = BUILD / "man" / "flashkit.1"
    r = run(["make", "--no-print-directory", "-C", ROOT, f"BUILD={BUILD}", page])
    assert r.returncode == 0, out(r)
    r = run(["man", "-l", page], env={"MANWIDTH": "200", "PATH": "/usr/bin:/bin", "MANPAGER": "cat"})
    assert r.returncode == 0, out(r)
    sections = re.split(r"^   flashkit ([a-z-]+)$", r.stdout, flags=re.M)
    found = dict(zip(sections[1::2], sections[2::2]))
    cmds = subcommands()
    assert len(cmds) >= 8 and "run" in cmds and "usb-wait" in cmds
    assert sorted(found) == sorted(cmds)
    for c in cmds:
        want = options(help_text(c))
        missing = want - options(found[c].replace("\u2010", "-"))
        assert not missing, f"flashkit(1), section {c}: missing {missing}"


def test_the_board_file_in_plugin_md_builds_blinky(tmp_path):
    """docs/plugin.md's 'Adding a board' example, as written, is a board: info shows
    its address without stray blanks, and examples/blinky builds and checks for it."""
    from firstuse import need_arm_gcc
    need_arm_gcc()
    text = (ROOT / "docs" / "plugin.md").read_text()
    block = re.search(r"```make\n(# My board.*?)```", text, re.S).group(1)
    (tmp_path / "boards").mkdir()
    (tmp_path / "boards" / "my-board.mk").write_text(block)
    ext = f"EXTERNAL_BOARD_DIRS={tmp_path / 'boards'}"
    r = run(["make", "--no-print-directory", "-f", ROOT / "makefiles" / "flashkit.mk",
             "BOARD=my-board", ext, f"FLASHKIT={FLASHKIT}", "info"])
    assert r.returncode == 0, out(r)
    assert "IMAGE_OFFSET 0)" in r.stdout, out(r)
    r = run(["make", "--no-print-directory", "-C", ROOT / "examples" / "blinky", "BOARD=my-board",
             ext, f"BUILDDIR={tmp_path / 'out'}", f"FLASHKIT={FLASHKIT}", "check"])
    assert r.returncode == 0, out(r)
