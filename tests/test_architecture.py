"""The package's layers import downwards only, and nothing imports in a cycle.

Every import counts, including those inside functions (they run just the same). The layers,
bottom-up, are those of README.md, "How it works".
"""
from __future__ import annotations

import ast
from pathlib import Path

import gananim

PACKAGE = Path(gananim.__file__).parent
LAYERS = [  # bottom-up; a module may import from its own layer and the ones before it
    ("gananim.errors", "gananim.progress", "gananim.version", "gananim.devices", "gananim.forked"),
    ("gananim.trace",),
    ("gananim.config",),
    ("gananim.data",),
    ("gananim.model",),
    ("gananim.analysis",),
    ("gananim.training", "gananim.rendering"),
    ("gananim.sweep", "gananim.cluster"),
    ("gananim.report",),
    ("gananim.cli",),
    ("gananim", "gananim.__main__", "gananim.scenes"),
]
INDEPENDENT = {("gananim.training", "gananim.rendering"), ("gananim.rendering", "gananim.training")}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every gananim module that `path` imports, wherever the import statement sits."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("gananim")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if base.startswith("gananim"):
                if base != "gananim":  # every module runs the package root anyway; count what it names
                    found.add(base)
                found |= {f"{base}.{a.name}" for a in node.names
                          if (PACKAGE.parent / f"{base}.{a.name}".replace(".", "/")).with_suffix(".py").exists()
                          or (PACKAGE.parent / f"{base}.{a.name}".replace(".", "/")).is_dir()}
    return found


def _layer(module: str) -> tuple[int, str]:
    best = None
    for rank, names in enumerate(LAYERS):
        for prefix in names:
            if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[1])):
                best = (rank, prefix)
    assert best is not None, f"{module} belongs to no layer; add it to LAYERS"
    return best


def _graph() -> dict[str, set[str]]:
    modules = [p for p in PACKAGE.rglob("*.py") if "scenes" not in p.relative_to(PACKAGE).parts]
    return {_module_name(p): _imports(p) for p in modules}


def test_imports_run_down_the_layers():
    upward = []
    for module, imported in _graph().items():
        rank, own = _layer(module)
        for target in imported:
            target_rank, target_layer = _layer(target)
            if target_rank > rank or (own, target_layer) in INDEPENDENT:
                upward.append(f"{module} imports {target}")
    assert not upward, "imports that run up the layers:\n" + "\n".join(sorted(upward))


def test_no_import_cycles():
    graph = _graph()
    graph = {m: {t for t in targets if t in graph and t != m} for m, targets in graph.items()}
    cycles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(" → ".join(path[path.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_the_trainer_knows_no_data_set():
    """The training loop reaches data sets' scorers through one interface, never by name."""
    specific = {"gananim.data.digits", "gananim.analysis.digit_scores", "gananim.analysis.classifier",
                "gananim.analysis.frechet"}
    for path in (PACKAGE / "training").glob("*.py"):
        assert not _imports(path) & specific, f"{path.name} imports {_imports(path) & specific}"


def test_the_layer_check_sees_an_upward_import(tmp_path):
    """The check itself can fail: a function-level import of the renderer from analysis is caught."""
    probe = PACKAGE / "analysis" / "_probe_upward.py"
    probe.write_text("def f():\n    from gananim.rendering import layout\n")
    try:
        graph = _graph()
        assert "gananim.rendering.layout" in graph["gananim.analysis._probe_upward"]
        assert _layer("gananim.rendering.layout")[0] > _layer("gananim.analysis._probe_upward")[0]
    finally:
        probe.unlink()


def test_the_scene_names_every_objective_the_model_implements():
    from gananim.config.scene import LOSSES
    from gananim.model.objectives import REGISTRY

    assert tuple(REGISTRY) == LOSSES
