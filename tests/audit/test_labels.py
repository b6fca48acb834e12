"""Every action the code records has a label in learning/audit/messages.py, so the trail page and its exports
never show a raw code for a new event. The source is read, not run: an action added anywhere under learning/
without a label fails here."""

import ast
from pathlib import Path

from learning.audit.messages import ACTIONS, DETAILS

LEARNING = Path(__file__).resolve().parents[2] / "learning"
# record(session, action, …) and Entry(action, …): where the action is.
POSITION = {"record": 1, "Entry": 0}
# Where the code must compute an action, the values it can take (keep in step with the code named).
COMPUTED = {
    ("desk/handling.py", "f'faq_{status}'"): {"faq_published", "faq_retired", "faq_draft"},
}
# The definitions themselves pass the caller's action on.
FORWARDING = {("audit/services.py", "action")}


def audit_calls():
    """(file, call node, keywords) for every record(...) and Entry(...) call under learning/."""
    for path in sorted(LEARNING.rglob("*.py")):
        relative = path.relative_to(LEARNING).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = isinstance(node, ast.Call) and (getattr(node.func, "id", None) or getattr(node.func, "attr", None))
            if name in POSITION:
                yield relative, name, node, {k.arg: k.value for k in node.keywords}


def recorded_actions() -> tuple[dict[str, list[str]], list[str]]:
    """Every action named in a record(...) or Entry(...) call under learning/ (with where), and the calls whose
    action the scan cannot read."""
    found: dict[str, list[str]] = {}
    unreadable = []
    for relative, name, node, keywords in audit_calls():
        if len(node.args) > POSITION[name]:
            action = node.args[POSITION[name]]
        elif "action" in keywords:
            action = keywords["action"]
        else:
            continue  # another function of that name (FaqEntry(...) is not Entry(...))
        where = f"{relative}:{node.lineno}"
        source = ast.unparse(action)
        if (relative, source) in FORWARDING:
            continue
        values = literals(action) or COMPUTED.get((relative, source))
        if values is None:
            unreadable.append(f"{where}: {source}")
            continue
        for value in values:
            found.setdefault(value, []).append(where)
    return found, unreadable


def literals(node) -> set[str] | None:
    """The strings an action expression can be: a literal, or a conditional between literals."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        body, orelse = literals(node.body), literals(node.orelse)
        return body | orelse if body is not None and orelse is not None else None
    return None


def test_every_recorded_action_has_a_label():
    found, unreadable = recorded_actions()
    assert unreadable == [], (
        "pass the action as a string literal (or a conditional between literals), or list the values it can take "
        f"in COMPUTED here: {unreadable}"
    )
    missing = {action: where for action, where in found.items() if action not in ACTIONS}
    assert missing == {}, f"add a label for each of these actions to ACTIONS in learning/audit/messages.py: {missing}"


def test_the_scan_sees_the_actions_of_every_kind_of_call():
    """The scan itself finds what it must: literals, conditionals, security events, refusals' audit entries."""
    found, _ = recorded_actions()
    for action in ("authn_login_success", "authn_token_reuse", "report_exported", "authz_fail", "draft_approved"):
        assert action in found, action
    assert {"faq_published", "faq_retired", "faq_draft", "audit_trail_exported"} <= set(found)


def test_every_detail_written_out_has_a_label():
    """The keys of a details dict written in the call itself (details={"role": …}); details built elsewhere
    show unlabelled keys with their underscores as spaces."""
    missing = {}
    for relative, name, node, keywords in audit_calls():
        details = keywords.get("details")
        if details is None and name == "Entry" and len(node.args) > 4:
            details = node.args[4]
        if isinstance(details, ast.Dict):
            for key in details.keys:
                if isinstance(key, ast.Constant) and key.value not in DETAILS:
                    missing.setdefault(key.value, []).append(f"{relative}:{node.lineno}")
    assert missing == {}, (
        f"add a label for each of these detail keys to DETAILS in learning/audit/messages.py: {missing}"
    )
