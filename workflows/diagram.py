"""Mermaid source of the workflow, drawn from the definition itself."""
from workflows.definition import ACTIONS, STATE_LABELS
from workflows.states import STAGES, CaseState


def mermaid(translate=lambda s: s, include_loops: bool = True) -> str:
    lines = ["stateDiagram-v2"]
    for state in CaseState:
        lines.append(f"    {state.value}: {translate(STATE_LABELS[state])}")
    lines.append(f"    [*] --> {CaseState.registered.value}")
    for action in ACTIONS:
        if action.is_loop and not include_loops:
            continue
        for source in action.sources:
            dest = action.dest or source
            lines.append(f"    {source.value} --> {dest.value}: {translate(action.label)}")
    for state, stage in STAGES.items():
        if stage is None:
            lines.append(f"    {state.value} --> [*]")
    return "\n".join(lines) + "\n"


def graphviz(translate=lambda s: s) -> str:
    """Graphviz DOT source; self-loops are listed inside their state's box."""
    loops: dict = {}
    for action in ACTIONS:
        if action.is_loop:
            for source in action.sources:
                loops.setdefault(source, []).append(translate(action.label))
    lines = [
        "digraph workflow {",
        '  graph [rankdir=TB, fontname="Noto Sans CJK SC", nodesep=0.4, ranksep=0.5];',
        '  node [shape=box, style="rounded,filled", fillcolor="#f8f9fa", '
        'fontname="Noto Sans CJK SC", fontsize=11];',
        '  edge [fontname="Noto Sans CJK SC", fontsize=9, color="#495057"];',
    ]
    for state in CaseState:
        label = _escape(translate(STATE_LABELS[state]))
        extra = loops.get(state, [])
        if extra:
            label += "\\n" + "\\n".join("↻ " + _escape(name) for name in extra[:4])
            if len(extra) > 4:
                label += f"\\n↻ … +{len(extra) - 4}"
        fill = "#e9ecef" if STAGES[state] is None else "#f8f9fa"
        lines.append(f'  {state.value} [label="{label}", fillcolor="{fill}"];')
    for action in ACTIONS:
        if action.is_loop:
            continue
        for source in action.sources:
            lines.append(f'  {source.value} -> {action.dest.value} '
                         f'[label="{_escape(translate(action.label))}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace('"', '\\"')
