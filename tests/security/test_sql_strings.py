"""No SQL built by string formatting: an AST scan of the application, benchmarks and migrations.

A statement whose text is made with an f-string, ``%``, ``.format`` or ``+`` can carry user
input into SQL. The scan finds every call that hands raw SQL to the database — ``text()``,
``literal_column()``, ``.execute()``, ``.executemany()``, ``.exec_driver_sql()``,
``op.execute()`` — whose SQL argument is such an expression, or a name bound to one in the same
function or module. The few safe cases are listed below, each with the reason; anything new
fails the test. Bind parameters (``:name`` with a dict) are the way to pass values.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("enforcement", "workflows", "bench", "migrations")

#: calls that take raw SQL as their first argument (by the called name)
SQL_SINKS = frozenset({"text", "literal_column", "execute", "executemany", "executescript",
                       "exec_driver_sql"})

#: (file, enclosing function) → why the formatted SQL there cannot carry outside input
ALLOWED = {
    # table names come from the database's own catalogue (inspect().get_table_names()),
    # quoted; no request or file content reaches them
    ("enforcement/backup.py", "_counts"):
        "table names from the database catalogue",
    # trigger names and events from the module constant AUDIT_TRIGGERS × ("UPDATE", "DELETE")
    ("migrations/versions/20261128_b8e6dedae192_initial_schema.py", "_protect_audit_log"):
        "trigger names and events from module constants",
    ("migrations/versions/20261128_b8e6dedae192_initial_schema.py", "downgrade"):
        "trigger names from the module constant AUDIT_TRIGGERS",
    # GRANT/REVOKE take no bind parameters: the role is the module constant APP_ROLE, the
    # privileges the constant AUDIT_REFUSED, the schema quote_ident(current_schema())
    ("migrations/versions/20261128_b10e12000015_audit_grants.py", "upgrade"):
        "role, privileges and schema from constants and the database itself",
    ("migrations/versions/20261128_b10e12000015_audit_grants.py", "downgrade"):
        "role and schema from constants and the database itself",
    # sequence and table names from the fixed tuple of model classes (bench-data)
    ("enforcement/bench/data.py", "_reset_sequences"):
        "table names from model classes",
    ("enforcement/bench/data.py", "generate"):
        "VACUUM ANALYZE over a fixed tuple of table names",
    # CREATE/DROP DATABASE take no bind parameters: the name is the benchmark's own
    # database URL given on its command line, quoted
    ("bench/quarterly_stats.py", "create_database"): "benchmark database name from its URL",
    ("bench/quarterly_stats.py", "drop_database"): "benchmark database name from its URL",
    ("bench/workspace.py", "create_database"): "benchmark database name from its URL",
    # HAND_FACTS is built once from the module constant SUMS (column sums); the quarter is
    # passed as bind parameters
    ("bench/quarterly_stats.py", "facts_run"): "module constant built from constants",
}


def _is_str_constant(node) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _is_formatted(node) -> bool:
    """An expression that builds a string from pieces at run time."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.FormattedValue) for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _is_str_constant(node.left) or _is_formatted(node.left)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        sides = (node.left, node.right)
        # "SELECT … " + var, var + " WHERE …", or a formatted piece on either side
        return any(_is_str_constant(s) or _is_formatted(s) for s in sides) and not all(
            _is_str_constant(s) for s in sides)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        target = node.func.value
        if node.func.attr == "format" and (_is_str_constant(target) or _is_formatted(target)):
            return True
        if node.func.attr == "join" and _is_str_constant(target):
            return True
    return False


def _sink_name(call: ast.Call) -> str | None:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return name if name in SQL_SINKS else None


class _Scanner(ast.NodeVisitor):
    """Collects (function, line, sink) of every sink fed a formatted string."""

    def __init__(self, module: ast.Module):
        self.findings: list[tuple[str, int, str]] = []
        #: functions of the module itself that share a sink's name (a form helper ``text``)
        self.own_functions = {n.name for n in ast.walk(module)
                              if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        self.scopes: list[tuple[str, dict[str, ast.AST]]] = [("<module>", _bindings(module))]

    def _visit_function(self, node):
        self.scopes.append((node.name, _bindings(node)))
        self.generic_visit(node)
        self.scopes.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _visit_function

    def _bound_formatted(self, name: str) -> bool:
        for _scope, bound in reversed(self.scopes):
            if name in bound:
                return _is_formatted(bound[name])
        return False

    def visit_Call(self, node: ast.Call):
        sink = _sink_name(node)
        if isinstance(node.func, ast.Name) and node.func.id in self.own_functions:
            sink = None
        if sink and node.args:
            sql = node.args[0]
            if _is_formatted(sql) or (isinstance(sql, ast.Name) and self._bound_formatted(sql.id)):
                self.findings.append((self.scopes[-1][0], node.lineno, sink))
        self.generic_visit(node)


def _bindings(scope) -> dict[str, ast.AST]:
    """Names assigned directly in this scope (not in nested functions), last value wins."""
    bound: dict[str, ast.AST] = {}
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    bound[target.id] = node.value
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target,
                                                                             ast.Name):
            value = node.value if isinstance(node, ast.AnnAssign) else ast.BinOp(
                left=ast.Constant(""), op=node.op, right=node.value)
            if value is not None:
                bound[node.target.id] = value
    return bound


def scan_source(source: str) -> list[tuple[str, int, str]]:
    scanner = _Scanner(tree := ast.parse(source))
    scanner.visit(tree)
    return scanner.findings


def _python_files():
    for top in SCANNED:
        yield from sorted((ROOT / top).rglob("*.py"))


def test_the_scan_covers_the_code():
    files = [p.relative_to(ROOT).as_posix() for p in _python_files()]
    assert len(files) > 100
    for expected in ("enforcement/cases/queries.py", "workflows/definition.py",
                     "bench/workspace.py", "enforcement/backup.py"):
        assert expected in files


@pytest.mark.parametrize("source", [
    'db.session.execute(text(f"SELECT * FROM cases WHERE id = {case_id}"))',
    'conn.exec_driver_sql("DELETE FROM users WHERE name = \'%s\'" % name)',
    'cursor.execute("SELECT * FROM t WHERE a = {}".format(a))',
    'session.execute(text("SELECT * FROM t ORDER BY " + sort))',
    'def f(q):\n    sql = f"SELECT {q}"\n    return db.session.execute(text(sql))',
    'def f(q):\n    sql = "SELECT 1 WHERE x = " + q\n    conn.execute(sql)',
    'op.execute(f"DROP TABLE {name}")',
    'select(literal_column(f"{col} AS x"))',
    'def f(parts):\n    sql = " AND ".join(parts)\n    conn.execute(sql)',
])
def test_the_scan_finds_formatted_sql(source):
    assert scan_source(source), source


@pytest.mark.parametrize("source", [
    'db.session.execute(text("SELECT * FROM cases WHERE id = :id"), {"id": case_id})',
    'op.execute("UPDATE reports SET registered_at = created_at")',
    'db.session.execute(select(Case).where(Case.id == case_id))',
    'conn.execute("SELECT 1 " "FROM t")',
    'def text(name):\n    return form.get(name)\ntext(f"{prefix}-{key}")',
    'sql = "SELECT a " + "FROM t"\nconn.execute(sql)',
])
def test_the_scan_accepts_bound_parameters(source):
    assert scan_source(source) == []


def test_no_sql_built_by_string_formatting():
    found, used = [], set()
    for path in _python_files():
        rel = path.relative_to(ROOT).as_posix()
        for function, line, sink in scan_source(path.read_text(encoding="utf-8")):
            if (rel, function) in ALLOWED:
                used.add((rel, function))
            else:
                found.append(f"{rel}:{line} in {function}(): {sink}() with formatted SQL")
    assert found == [], "SQL built by string formatting (use bind parameters):\n" + "\n".join(
        found)
    assert set(ALLOWED) == used, f"allow-list entries no longer needed: {set(ALLOWED) - used}"
