"""Every bundle under spec-examples/ runs."""
import os
import subprocess

import pytest

from conftest import SKIFF

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "spec-examples")
NAMES = sorted(d for d in os.listdir(EXAMPLES) if os.path.isfile(os.path.join(EXAMPLES, d, "config.json")))


@pytest.mark.parametrize("name", NAMES)
def test_example_runs(skiff, name):
    b = os.path.abspath(os.path.join(EXAMPLES, name))
    assert subprocess.run([SKIFF, "check", "--bundle", b], capture_output=True).returncode == 0
    # `run` with stdin from a script: the interactive shell reads it and exits.
    r = subprocess.run(skiff.cmd("run", "--bundle", b, f"ex-{name}"), input="echo from-stdin; exit 0\n",
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    expected = open(os.path.join(b, "expected-output")).read().strip()
    assert expected in r.stdout.replace("\r", "")
