"""The docs tell the truth: every command is in the CLI reference, the README starts right."""

from __future__ import annotations

from pathlib import Path

from typer.main import get_command

from crestline.cli.main import app

ROOT = Path(__file__).resolve().parent.parent


def command_paths() -> list[str]:
    root = get_command(app)
    paths: list[str] = []

    def walk(cmd: object, prefix: str) -> None:
        sub = getattr(cmd, "commands", None)
        if sub and getattr(cmd, "invoke_without_command", False) and prefix:
            paths.append(prefix)  # a group that is also a command: `crestline demo`
        if sub:
            for name, child in sub.items():
                walk(child, f"{prefix} {name}".strip())
        else:
            paths.append(prefix)

    walk(root, "")
    return paths


def test_every_command_is_in_the_cli_reference() -> None:
    reference = (ROOT / "docs" / "cli.md").read_text()
    paths = command_paths()
    assert {"init", "demo", "serve", "accounts list", "account show"} <= set(paths)
    for path in paths:
        assert f"`crestline {path}" in reference, path


def test_readme_starts_with_the_two_commands() -> None:
    head = "\n".join((ROOT / "README.md").read_text().splitlines()[:12])
    assert "make demo" in head and "make test" in head


def test_docs_links_resolve() -> None:
    readme = (ROOT / "README.md").read_text()
    for target in (
        "docs/getting-started.md",
        "docs/cli.md",
        "docs/demo-world.md",
        "docs/data-model.md",
        "docs/importing.md",
        "docs/benchmarks.md",
        "docs/img/accounts.png",
    ):
        assert target in readme and (ROOT / target).exists(), target
