"""Runs every scripts/tests/test_*.py suite and ends with "python: N passed, M failed" for scripts/test.sh."""
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
suite = unittest.defaultTestLoader.discover(str(HERE), pattern="test_*.py", top_level_dir=str(HERE))
result = unittest.TextTestRunner(verbosity=1).run(suite)
# A setUpClass error counts once, though the tests of that class never ran; a skipped test counts as failed
# (the suites skip nothing: a command waiting for its route is checked as such, not skipped).
failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
passed = result.testsRun - len(result.failures) - len(result.errors) - len(result.skipped) - len(result.expectedFailures) \
    - len(result.unexpectedSuccesses)
print(f"python: {max(passed, 0)} passed, {failed + len(result.skipped)} failed")
sys.exit(0 if result.wasSuccessful() and not result.skipped else 1)
