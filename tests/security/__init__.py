"""Security tests: input, access matrix, headers."""
import pytest

# the support modules check with plain asserts: rewritten like the tests' own, a failing one
# shows its values
pytest.register_assert_rewrite("tests.security.workflow_desk", "tests.security.xss_support")
