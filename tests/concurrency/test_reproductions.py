"""The failures of issue #10, each as it was found: a real server, real commands, one database.

- Corrections saved on the web while the paths panel reads the relationship graph: the server
  died of SIGBUS (its -shm truncated under it: the process had lost its own file locks).
- ``crestline accounts list`` while the server ran deleted the server's -wal and -shm; the
  server's next corrections failed with "disk I/O error", each process then saw only its own
  writes, and the CLI's write was gone once the server stopped.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from tests.concurrency.harness import (
    Server,
    World,
    rows,
    run_cli,
    serving,
    sqlite_files,
    stopped_cleanly,
)
from tests.web.forms import TOKEN

SUPPORT = ("mentor", "supporter", "neutral", "non_supporter", "enemy")
SHM_HEADER = 32_768  # a -shm in use is at least one 32 KiB region; the issue saw 3 bytes


def largest_account(client: httpx.Client) -> dict[str, Any]:
    answer = client.get("/api/v1/accounts", params={"limit": 1000})
    assert answer.status_code == 200, answer.text
    return dict(max(answer.json()["items"], key=lambda a: a["people"]))


def people_of(client: httpx.Client, account_id: int) -> list[dict[str, Any]]:
    answer = client.get(f"/api/v1/accounts/{account_id}")
    assert answer.status_code == 200, answer.text
    return list(answer.json()["people"])


def support_seen_by_server(client: httpx.Client, account_id: int) -> dict[int, str | None]:
    answer = client.get(f"/api/v1/accounts/{account_id}/decision-makers")
    assert answer.status_code == 200, answer.text
    return {p["id"]: p["support"] for p in answer.json()["people"]}


def support_seen_by_cli(world: World, account_id: int) -> dict[int, str | None]:
    shown = run_cli(world, "account", "show", str(account_id), "--format", "json")
    assert shown.code == 0, shown.describe()
    return {p["id"]: p["support"] for p in shown.json()["ranked"]}


def stored(world: World, person_id: int) -> tuple[Any, ...] | None:
    found = rows(
        world, "SELECT support, note FROM person_assessments WHERE person_id = ?", (person_id,)
    )
    return found[0] if found else None


def status(client: httpx.Client, path: str) -> str:
    """``path`` and the status it was answered with, or how the request failed."""
    try:
        return f"{path} {client.get(path).status_code}"
    except httpx.HTTPError as exc:
        return f"{path} {type(exc).__name__}: {exc}"


def save(client: httpx.Client, person_url: str, support: str, csrf: str) -> str:
    """The row editor's Save (with the page's form token): its status and the page it leads
    to, or how it failed."""
    try:
        answer = client.post(f"{person_url}/assessment", data={"support": support, "csrf": csrf})
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"
    return f"{answer.status_code} {answer.text}"


def assert_alive(server: Server, when: str) -> None:
    assert server.alive(), f"the server died {when}: {server.status()}"


def test_api_correction_then_a_dozen_parallel_reads_with_paths(
    world: World, tmp_path: Path
) -> None:
    """One PATCH, then twelve reads at once (paths among them), several rounds: each answered,
    the server alive, each correction stored."""
    with serving(world, tmp_path) as server, server.client() as client:
        account = largest_account(client)
        people = people_of(client, account["id"])[:6]
        reads = [
            f"/api/v1/accounts/{account['id']}/paths",
            f"/api/v1/accounts/{account['id']}",
            f"/api/v1/accounts/{account['id']}/decision-makers",
            f"/api/v1/people/{people[0]['id']}/paths",
        ] * 3

        written: dict[int, str] = {}
        with ThreadPoolExecutor(len(reads)) as pool:
            for round_no, person in enumerate(people):
                value = SUPPORT[round_no % len(SUPPORT)]
                patched = client.patch(
                    f"/api/v1/people/{person['id']}/assessment", json={"support": value}
                )
                assert patched.status_code == 200, (round_no, patched.text, server.status())
                written[person["id"]] = value
                answers = list(pool.map(lambda path: status(client, path), reads))
                assert_alive(server, f"in round {round_no} of PATCH + {len(reads)} reads")
                assert [a for a in answers if not a.endswith(" 200")] == [], answers
        assert support_seen_by_server(client, account["id"]).items() >= written.items()
        assert stopped_cleanly(server), server.status()
    for person_id, value in written.items():
        assert stored(world, person_id) == (value, None)


def test_seller_saves_a_correction_five_times_on_the_account_page(
    world: World, tmp_path: Path
) -> None:
    """The web form as a seller uses it (sign in, open the row's editor, save), each save sent
    while the page's lazy panels (warm paths, executive pairs, the chart) are still loading."""
    with serving(world, tmp_path) as server, server.client("seller") as api:
        account = largest_account(api)  # the largest the seller sees
        person = people_of(api, account["id"])[0]
        page = f"/accounts/{account['id']}"
        with server.browser("seller") as browser:
            editor = browser.get(page, params={"edit": person["id"]})
            assert editor.status_code == 200 and 'id="assess-form"' in editor.text
            csrf = TOKEN.search(editor.text)[1]  # type: ignore[index]
            values = [SUPPORT[i % len(SUPPORT)] for i in range(5)]
            lazy = [f"{page}/paths?part=paths", f"{page}/paths?part=pairs"]
            lazy += [f"{page}/orgchart.svg", f"/api/v1/accounts/{account['id']}/paths"]
            for i, value in enumerate(values):
                # the seller saves while the panels of the page before are still loading
                with ThreadPoolExecutor(len(lazy) + 1) as pool:
                    saving = pool.submit(
                        save, browser, f"{page}/people/{person['id']}", value, csrf
                    )
                    loaded = list(pool.map(lambda part: status(browser, part), lazy))
                    saved = saving.result()
                assert_alive(server, f"at save {i + 1} ({value})")
                assert saved.startswith("200 ") and "Saved for" in saved, (i, saved[:500])
                assert loaded == [f"{part} 200" for part in lazy], (i, loaded)
                if world.path is not None:
                    files = sqlite_files(world)
                    assert files.get("-shm", 0) >= SHM_HEADER, files
        assert support_seen_by_server(api, account["id"])[person["id"]] == values[-1]
        assert stopped_cleanly(server), server.status()
    assert stored(world, person["id"]) == (values[-1], None)


def test_commands_beside_the_server_share_one_database(world: World, tmp_path: Path) -> None:
    """``crestline accounts list`` while the server runs leaves the server's journal alone; the
    server's next correction succeeds; a correction made on the web is seen by the command line
    and one made on the command line by the server; both are there once the server stopped."""
    web_note, cli_note = f"web {uuid.uuid4().hex[:8]}", f"cli {uuid.uuid4().hex[:8]}"
    with serving(world, tmp_path) as server, server.client() as client:
        account = largest_account(client)
        web_person, cli_person = (p["id"] for p in people_of(client, account["id"])[:2])
        paths = client.get(f"/api/v1/accounts/{account['id']}/paths")  # the graph is read
        assert paths.status_code == 200, paths.text
        before = sqlite_files(world) if world.path is not None else {}

        listed = run_cli(world, "accounts", "list", "--format", "json")
        assert listed.code == 0, listed.describe()
        assert {a["id"] for a in listed.json()} >= {account["id"]}
        assert_alive(server, "while crestline accounts list ran")
        if world.path is not None:
            after = sqlite_files(world)
            assert "-wal" in after and "-shm" in after, (
                f"the server's journal went while it ran: before {before}, after {after}"
            )
            assert after["-shm"] >= SHM_HEADER, after

        patched = client.patch(
            f"/api/v1/people/{web_person}/assessment", json={"support": "mentor", "note": web_note}
        )
        assert patched.status_code == 200, patched.text
        assessed = run_cli(
            world, "person", "assess", str(cli_person), "--support", "enemy",
            "--note", cli_note, "--format", "json",
        )  # fmt: skip
        assert assessed.code == 0, assessed.describe()
        assert assessed.json()["support"] == "enemy"

        assert support_seen_by_cli(world, account["id"])[web_person] == "mentor"
        seen = support_seen_by_server(client, account["id"])
        assert (seen[web_person], seen[cli_person]) == ("mentor", "enemy")
        again = client.patch(f"/api/v1/people/{web_person}/assessment", json={"coverage": "light"})
        assert again.status_code == 200, again.text
        assert_alive(server, "after the corrections")
        assert stopped_cleanly(server), server.status()
    assert stored(world, web_person) == ("mentor", web_note)
    assert stored(world, cli_person) == ("enemy", cli_note)
    assert rows(
        world, "SELECT coverage FROM person_assessments WHERE person_id = ?", (web_person,)
    )[0] == ("light",)
