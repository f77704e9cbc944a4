def test_version(fk):
    r = fk("--version")
    assert r.returncode == 0
    assert r.stdout.startswith("flashkit ")


def test_unknown_command(fk):
    r = fk("frobnicate")
    assert r.returncode == 64
    assert "unknown command 'frobnicate'" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
