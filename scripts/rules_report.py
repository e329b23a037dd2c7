#!/usr/bin/env python
"""List each rule of docs/rules.md with the tests that prove it, and the rules nothing proves.

A test proves a rule when its docstring starts with the rule's ID ("R5.3: ...").

    python scripts/rules_report.py                 # the whole table
    python scripts/rules_report.py --require R1 R2 # exit 1 if a rule of these groups is unproved
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The same parse as the portal's traceability page (/insight/rules/).
from insight.traceability import declared_rules, proving_tests  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--require",
        nargs="*",
        default=[],
        metavar="GROUP",
        help="rule groups (e.g. R1 R2) that must all be proved",
    )
    args = parser.parse_args(argv)

    rules = [rule.id for rule in declared_rules(ROOT / "docs" / "rules.md")]
    proofs = {
        rule: [proof.test for proof in found]
        for rule, found in proving_tests(ROOT / "tests", ROOT).items()
    }
    unknown = sorted(set(proofs) - set(rules))
    unproved = [rule for rule in rules if not proofs.get(rule)]

    for rule in rules:
        tests = proofs.get(rule, [])
        print(f"{rule:<6} {len(tests):>3} test(s)")
        for test in tests:
            print(f"         {test}")
    print()
    print(f"{len(rules) - len(unproved)} of {len(rules)} rules proved.")
    if unproved:
        print("Not proved yet: " + ", ".join(unproved))
    if unknown:
        print("Tests name rules that docs/rules.md does not declare: " + ", ".join(unknown))

    required = [r for r in unproved if any(r.startswith(g + ".") for g in args.require)]
    if required:
        print("Required but not proved: " + ", ".join(required), file=sys.stderr)
        return 1
    return 1 if unknown else 0


if __name__ == "__main__":
    sys.exit(main())
