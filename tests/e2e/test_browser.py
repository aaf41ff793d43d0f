"""End to end: a real ``crestline serve`` and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ARTIFACTS, IN_CI, free_port

CHROMIUM = Path("/usr/bin/chromium")
DOCS_IMG = ARTIFACTS / "docs-img"  # `make screenshots` copies them to docs/img
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("e2e") / "crestline.db"
    port = free_port()
    cli = [sys.executable, "-m", "crestline.cli"]
    subprocess.run(
        [*cli, "--db", str(db), "demo", "--scale", "small", "--no-serve"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    proc = subprocess.Popen(
        [*cli, "--db", str(db), "serve", "--port", str(port)],
        cwd=db.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(
                    f"crestline serve did not start: {proc.stderr.read()!r}"
                ) from None
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail("Debian's chromium is not installed (make system-deps installs it)")
        pytest.skip("no /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        yield browser
        browser.close()


def test_accounts_page_in_a_real_browser(server: str, browser: object) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/accounts")
    expect(page).to_have_url(f"{server}/login?next=/accounts")
    page.fill("input[name=login]", "admin")
    page.fill("input[name=password]", "crestline")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{server}/accounts")
    rows = page.locator("#accounts tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 20
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "accounts.png"), full_page=True)
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_IMG / "accounts.png"), full_page=True)

    first_name = rows.first.locator("a").inner_text()
    page.fill("input[name=q]", first_name)
    page.click(".search button")
    expect(page.locator("#count")).to_contain_text("matching")
    page.locator("#accounts tbody tr a", has_text=first_name).first.click()
    expect(page.locator("h1")).to_have_text(first_name)
    expect(page.locator("#people .pname").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "account.png"), full_page=True)
    page.close()


def test_import_page_in_a_real_browser(server: str, browser: object, tmp_path: Path) -> None:
    import zipfile

    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    quirks = Path(__file__).resolve().parent.parent / "data" / "salesforce" / "quirks"
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(quirks.iterdir()):
            zf.write(path, path.name)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/login?next=/import")
    page.fill("input[name=login]", "admin")
    page.fill("input[name=password]", "crestline")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{server}/import")
    page.select_option("#source", "salesforce")
    page.set_input_files("input[name=upload]", str(archive))
    page.click("#import-form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Import preview · salesforce")
    expect(page.locator("#rejected tbody tr")).to_have_count(5)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "import-preview.png"), full_page=True)
    page.click("#confirm")
    expect(page.locator("h1")).to_have_text("Imported · salesforce")
    expect(page.locator("#summary tbody tr")).to_have_count(7)
    page.close()


def largest_account(server: str) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{server}/api/v1/accounts?limit=100",
        headers={"Authorization": "Basic " + base64.b64encode(b"admin:crestline").decode()},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        items = json.load(response)["items"]
    return dict(max(items, key=lambda a: a["people"]))


def sign_in(page: Any, server: str, path: str) -> None:
    page.goto(f"{server}/login?next={path}")
    page.fill("input[name=login]", "admin")
    page.fill("input[name=password]", "crestline")
    page.click("button[type=submit]")


def docs_screenshot(page: Any, name: str, *, first: str | None, last: str) -> None:
    """A picture for docs/img (written to test-artifacts; `make screenshots` copies it) of the
    page from ``first``'s top (the page's top when None) to ``last``'s bottom."""
    page.evaluate("window.scrollTo(0, 0)")
    top, bottom = page.evaluate(
        """([first, last]) => [
             first ? document.querySelector(first).getBoundingClientRect().top - 12 : 0,
             document.querySelector(last).getBoundingClientRect().bottom + 16]""",
        [first, last],
    )
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(DOCS_IMG / name),
        full_page=True,
        clip={"x": 0, "y": top, "width": 1280, "height": bottom - top},
    )


def test_account_decision_makers_in_a_real_browser(server: str, browser: object) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    account = largest_account(server)  # large enough to be folded by branch
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, server, f"/accounts/{account['id']}")
    expect(page.locator("h1")).to_have_text(account["name"])

    chart = page.locator("svg.orgchart")
    expect(chart).to_be_visible()
    assert chart.locator("path[stroke-dasharray]").count() > 0  # inferred lines are dashed
    before = chart.locator("g.node").count()
    folded = page.evaluate(
        """() => [...document.querySelectorAll('svg.orgchart a')]
              .find(a => (a.getAttribute('xlink:href') || '').includes('expand='))
              .closest('g.node').id"""
    )
    page.locator(f"svg.orgchart g[id='{folded}'] text").first.click()
    expect(page).to_have_url(re.compile(r"expand=\d+"))
    assert page.locator("svg.orgchart g.node").count() > before
    expect(page.locator("#collapse-all")).to_be_visible()

    row = page.locator("#power > tbody > tr[id^=row-]").nth(1)
    name = row.locator(".who").inner_text()
    row_id = row.get_attribute("id")
    row.locator("a.correct").click()
    form = page.locator("#assess-form")
    expect(form).to_be_visible()
    form.locator("select[name=seniority]").select_option("board")
    form.locator("select[name=support]").select_option("supporter")
    form.locator("select[name=relationship]").select_option("trusted")
    form.locator("button[type=submit]").click()
    expect(page.locator("#notice")).to_contain_text(f"Saved for {name}")
    corrected = page.locator(f"#power > tbody > tr[id='{row_id}']")
    expect(corrected).to_contain_text("confirmed")
    expect(corrected).to_contain_text("title says")
    expect(corrected).to_contain_text("supporter")

    first, second = page.evaluate(  # two people the chart draws: sway one with the other
        "() => [...document.querySelectorAll('svg.orgchart g.node')].slice(0, 2)"
        ".map(g => g.id.replace('person-', ''))"
    )
    sway = page.locator("#influence-form")
    who = sway.locator("input[name=from_id]")  # suggests people as one types a few letters
    who.press_sequentially(name.split()[-1][:4], delay=30)
    suggested = page.locator(f"#people-choices option[value$='#{row_id.removeprefix('row-')}']")
    expect(suggested).to_have_count(1)
    who.fill(second)  # an id is taken too
    sway.locator("input[name=to_id]").fill(first)
    sway.locator("select[name=strength]").select_option("high")
    sway.locator("input[name=note]").fill("sits on the board with them")
    sway.locator("button[type=submit]").click()
    expect(page.locator("#notice")).to_contain_text("sways")
    expect(page.locator(f"#influence-{second}-{first}")).to_contain_text("sits on the board")
    dotted = page.locator("svg.orgchart g.edge path[stroke='#1f6fb2'][stroke-dasharray]")
    expect(dotted).to_have_count(1)  # the dotted blue arrow

    docs_screenshot(page, "account-decision-makers.png", first=None, last="#committees")
    page.close()


def test_warm_paths_in_a_real_browser(server: str, browser: object) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    account = largest_account(server)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, server, f"/accounts/{account['id']}")
    panel, pairs = page.locator("#warm-paths"), page.locator("#exec-pairs")
    expect(panel.locator(".path").first).to_be_visible(timeout=60_000)  # fetched after the page
    expect(pairs.locator(".pair").first).to_be_visible(timeout=60_000)
    assert panel.locator("li.target").count() == 5
    hop = panel.locator("ol.chain .hop").first
    expect(hop.locator(".hop-arrow")).to_be_visible()
    expect(hop.locator(".hop-label")).to_have_text(re.compile(r"^.+ · \d\.\d\d$"))
    assert hop.get_attribute("title")  # the evidence on hover
    assert panel.locator(".node.ours").count() == panel.locator("ol.chain").count()
    assert page.locator("#warm-paths .loading").count() == 0

    docs_screenshot(page, "account-warm-paths.png", first="#warm-paths", last="#exec-pairs")

    with page.expect_response(lambda r: "execs_only=true" in r.url) as reloaded:
        panel.locator("input[name=execs_only]").check()  # the filter reloads the panel in place
    assert reloaded.value.ok
    expect(panel).not_to_have_attribute("aria-busy", "true")
    expect(panel.locator("input[name=execs_only]")).to_be_checked()
    assert page.url.endswith(f"/accounts/{account['id']}")

    target = panel.locator(".target-head a.who").first
    name = target.inner_text()
    target.click()
    expect(page).to_have_url(re.compile(r"/people/\d+$"))
    expect(page.locator("h1")).to_have_text(name)
    expect(page.locator("#person-facts")).to_contain_text(account["name"])
    expect(page.locator("#power table.factors tr").first).to_be_visible()
    drawn = page.locator("#warm-paths ol.chain")
    expect(drawn.first.or_(page.locator("#warm-paths .no-path"))).to_be_visible(timeout=60_000)
    if drawn.count():
        expect(drawn.first.locator(".node.end")).to_have_text(name)
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_IMG / "person-page.png"), full_page=True)
    page.close()
