"""End to end: a real ``crestline serve`` and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ARTIFACTS, IN_CI, free_port

CHROMIUM = Path("/usr/bin/chromium")
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
        env={**os.environ, "CRESTLINE_SECRET_KEY": "e2e"},
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
