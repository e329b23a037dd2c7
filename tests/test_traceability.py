"""The regulation's rules of the stages built so far are each proved by a test."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_rule_of_stages_one_to_four_is_proved():
    result = subprocess.run(
        [sys.executable, "scripts/rules_report.py", "--require", "R1", "R2", "R3", "R4"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
