"""conftest.py — fixtures of the arbiter package's tests: the source tree,
the arbiter command of the build (ARBITER_BIN), generated claims, and the
findings `arbiter check` writes for them (what the package must equal)."""

import os
import subprocess

import pytest

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# The source tree's standard library, named (as the arbiter command takes it
# from ARBITER_STDLIB): the library's default would prefer an install beside
# the running program, /usr/share/arbiter when the .deb is installed.
os.environ.setdefault("ARBITER_STDLIB", os.path.join(SRC, "stdlib-rules"))


@pytest.fixture(scope="session")
def src():
    return SRC


@pytest.fixture(scope="session")
def stdlib():
    return os.path.join(SRC, "stdlib-rules")


@pytest.fixture(scope="session")
def arbiter_bin():
    path = os.environ.get("ARBITER_BIN")
    if not path:
        pytest.skip("ARBITER_BIN (the arbiter command) not set")
    return path


@pytest.fixture(scope="session")
def claims(tmp_path_factory, arbiter_bin):
    """300 generated claims (JSON Lines), seed 7."""
    d = tmp_path_factory.mktemp("claims")
    path = str(d / "claims.jsonl")
    subprocess.run(
        [arbiter_bin, "gen", "claims", "--n", "300", "--seed", "7", "-o", path],
        check=True,
        capture_output=True,
    )
    return path


def run_check(arbiter_bin, rules, claims, out, *extra):
    """`arbiter check` of claims: its exit code (findings written to out)."""
    r = subprocess.run(
        [arbiter_bin, "check", *rules, "--claims", claims, "-o", out, "--quiet", *extra],
        capture_output=True,
    )
    return r.returncode
