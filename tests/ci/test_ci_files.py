"""examples/ci/: the GitHub Actions workflow and the GitLab CI file, parsed and run.

Each file's shell steps run in order on this machine, in a fresh copy of the tree
committed to git (as a CI checkout), for every board of the matrix: the matrix step's
own output must equal `make list-boards FORMAT=json`, and every board must end with
its artifacts built, checked and flashed onto a virtual board (tools/ci/vflash).
`uses:` steps (checkout, upload) are GitHub's own; the test checks they are there and
publish the right path. The helper's build directory is shared with the copy (a
symlink), so `make all` there is the usual no-op."""
import json
import os
import shutil
import stat
import subprocess

import pytest
import yaml

import cikit
from cikit import BUILD, ROOT, out

CI = ROOT / "examples" / "ci"


def list_boards():
    r = cikit.run(["make", "-s", "--no-print-directory", "-C", ROOT / "examples" / "blinky",
                   "list-boards", "FORMAT=json"])
    assert r.returncode == 0, out(r)
    return [b["board"] for b in json.loads(r.stdout)]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A CI checkout: the tree's files (tracked and new), a git commit, build/ shared."""
    cikit.need_tools()
    cikit.need_cross()
    ws = tmp_path_factory.mktemp("ws") / "checkout"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split("\n")
    for f in filter(None, files):
        src = ROOT / f
        if not src.is_file():
            continue
        (ws / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, ws / f)
    (ws / "build").symlink_to(BUILD)
    env = {"GIT_AUTHOR_NAME": "ci", "GIT_AUTHOR_EMAIL": "ci@example.invalid",
           "GIT_COMMITTER_NAME": "ci", "GIT_COMMITTER_EMAIL": "ci@example.invalid",
           "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    for cmd in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"],
                ["git", "commit", "-q", "-m", "ci"], ["git", "tag", "v0.1"]):
        r = cikit.run(cmd, cwd=ws, env=env)
        assert r.returncode == 0, out(r)
    # As root here there may be no sudo: a stand-in that runs the command.
    shims = ws.parent / "shims"
    shims.mkdir()
    if not shutil.which("sudo"):
        s = shims / "sudo"
        s.write_text('#!/bin/sh\nwhile [ "${1#-}" != "$1" ]; do shift; done\nexec "$@"\n')
        s.chmod(s.stat().st_mode | stat.S_IXUSR)
    return ws, shims


def sh(script, ws, shims, env, shell=("bash", "-e")):
    e = cikit.clean_env({**env, "PATH": f"{shims}:{os.environ['PATH']}"})
    e.pop("FLASHKIT_BUILD", None)
    return subprocess.run([*shell, "-c", script], cwd=ws, env=e, capture_output=True,
                          text=True, timeout=600)


def check_published(ws, board):
    d = ws / "artifacts" / board
    m = json.loads((d / "manifest.json").read_text())
    assert m["board"] == board and m["version"] == "v0.1"
    assert (d / "SHA256SUMS").exists()


# --- GitHub Actions -----------------------------------------------------------------

def gh_expr(text, values):
    for k, v in values.items():
        text = text.replace("${{ " + k + " }}", v)
    assert "${{" not in text, f"unresolved expression in: {text}"
    return text


def test_github_workflow(workspace):
    ws, shims = workspace
    wf = yaml.safe_load((CI / "github-workflow.yml").read_text())
    on = wf.get("on", wf.get(True))
    assert "push" in on and "pull_request" in on
    assert list(wf["jobs"]) == ["boards", "build"]
    env = dict(wf["env"])

    # Job 1: the matrix, exactly as the step writes it to $GITHUB_OUTPUT.
    outputs = ws.parent / "github_output"
    outputs.write_text("")
    job = wf["jobs"]["boards"]
    assert job["steps"][0]["uses"].startswith("actions/checkout@")
    for step in job["steps"]:
        if "run" in step:
            r = sh(gh_expr(step["run"], {}), ws, shims, {**env, "GITHUB_OUTPUT": str(outputs)})
            assert r.returncode == 0, (step["name"], out(r))
    got = dict(l.split("=", 1) for l in outputs.read_text().splitlines())
    matrix = json.loads(got["boards"])
    assert matrix == list_boards()
    assert job["outputs"]["boards"] == "${{ steps.list.outputs.boards }}"

    # Job 2: every board of the matrix, its steps in order.
    job = wf["jobs"]["build"]
    assert job["needs"] == "boards"
    assert job["strategy"]["matrix"]["board"] == "${{ fromJSON(needs.boards.outputs.boards) }}"
    steps = job["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@") and steps[0]["with"]["fetch-depth"] == 0
    upload = steps[-1]
    assert upload["uses"].startswith("actions/upload-artifact@")
    assert upload["with"]["path"] == "artifacts/${{ matrix.board }}"
    for board in matrix:
        values = {"matrix.board": board}
        benv = {**env, **{k: gh_expr(v, values) for k, v in job["env"].items()}}
        for step in steps:
            if "run" in step:
                r = sh(gh_expr(step["run"], values), ws, shims, benv)
                assert r.returncode == 0, (board, step["name"], out(r))
        if board == matrix[0]:
            assert "read back equal" in r.stdout, out(r)
        check_published(ws, board)


# --- GitLab CI ----------------------------------------------------------------------

def gl_script(job):
    """GitLab runs a job's script lines one after another in one shell, stopping at
    the first failure."""
    return "\n".join(job.get("before_script", []) + job["script"])


def test_gitlab_ci(workspace):
    ws, shims = workspace
    path = "examples/ci/gitlab-ci.yml"
    ci = yaml.safe_load((ws / path).read_text())
    assert ci["stages"] == ["matrix", "boards"]
    variables = {k: str(v) for k, v in ci["variables"].items()}
    base = {**variables, "CI_PROJECT_DIR": str(ws), "CI_CONFIG_PATH": path}
    # The matrix job writes the child pipeline.
    r = sh(gl_script(ci["matrix"]), ws, shims, base)
    assert r.returncode == 0, out(r)
    assert set(ci["matrix"]["artifacts"]["paths"]) == {"boards.json", "boards.yml"}
    assert ci["boards"]["trigger"]["include"] == [{"artifact": "boards.yml", "job": "matrix"}]
    child = yaml.safe_load((ws / "boards.yml").read_text())
    jobs = {k: v for k, v in child.items() if k.startswith("board:")}
    assert [k[len("board:"):] for k in jobs] == list_boards()
    for name, job in jobs.items():
        board = job["variables"]["CI_BOARD"]
        assert name == "board:" + board and job["stage"] in child["stages"]
        assert job["artifacts"]["paths"] == ["artifacts/$CI_BOARD/"]
        r = sh(gl_script(job), ws, shims, {**base, **job["variables"]})
        assert r.returncode == 0, (name, out(r))
        check_published(ws, board)
