"""The officer's page in a real headless browser (Debian's chromium + chromedriver, Selenium).

Nothing is downloaded: the test uses /usr/bin/chromium and /usr/bin/chromedriver, and skips
only outside CI when they are missing (in CI, .ci/run installs them and a miss fails).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app.sync.bundle import export_bundle
from server.officer import set_officer
from server.run import ServerThread

from .conftest import add_events, enrol_offline_gate

SQLITE_ONLY = pytest.mark.parametrize("store", ["sqlite"], indirect=True)


@pytest.fixture
def browser(monkeypatch):
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must never fetch a driver
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not (os.path.exists(chromium) and os.path.exists(driver_path)):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium and chromium-driver are required in CI")
        pytest.skip("Debian chromium / chromium-driver not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def text_of(browser, element_id: str, want) -> str:
    """Wait (event-driven polling by WebDriverWait, no fixed sleeps) until the new page shows it."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def check(driver):
        try:
            text = driver.find_element(By.ID, element_id).text
        except WebDriverException:  # the old page is going away
            return False
        return text if want(text) else False

    return WebDriverWait(browser, 15, ignored_exceptions=(WebDriverException,)).until(check)


@pytest.mark.slow
@SQLITE_ONLY
def test_officer_logs_in_uploads_a_bundle_and_sees_the_gate(browser, store, gate, tmp_path):
    from selenium.webdriver.common.by import By

    set_officer(store, "jiedao", "correct horse")
    add_events(gate.conn, 30)
    enrol_offline_gate(store, gate.conn)  # bundles come only from gates enrolled beforehand
    bundle = export_bundle(gate.conn, tmp_path)
    with ServerThread(store) as srv:
        browser.get(f"{srv.url}/login")
        browser.find_element(By.ID, "username").send_keys("jiedao")
        browser.find_element(By.ID, "password").send_keys("wrong password")
        browser.find_element(By.ID, "login").click()
        text_of(browser, "error", lambda t: "用户名或密码不对" in t)
        browser.find_element(By.ID, "username").send_keys("jiedao")
        browser.find_element(By.ID, "password").send_keys("correct horse")
        browser.find_element(By.ID, "login").click()
        text_of(browser, "gates", lambda t: True)
        assert len(browser.find_elements(By.CSS_SELECTOR, "tr.gate")) == 1  # enrolled, no data
        browser.find_element(By.ID, "bundle").send_keys(str(bundle))
        browser.find_element(By.ID, "upload").click()
        text_of(browser, "message", lambda t: t == "新增 30，重复 0，拒收 0")
        row = browser.find_element(By.CSS_SELECTOR, "tr.gate")
        assert row.get_attribute("data-device") == gate.device.device_id
        assert row.find_element(By.CSS_SELECTOR, ".gaps").text == "—"
        # today's numbers per gate (these generic events name no direction), local time
        assert [
            row.find_element(By.CSS_SELECTOR, f".n-{k}").text
            for k in ("in", "out", "refused", "fevers")
        ] == ["0", "0", "0", "0"]
        assert "Asia/Shanghai" in browser.find_element(By.ID, "gates").text
        # the signed ack for the stick, offered right after the upload
        link = browser.find_element(By.ID, "ack-download")
        assert link.text == "下载回执"
        assert link.get_attribute("href").endswith(f"/devices/{gate.device.device_id}/ack")
        # the same bundle again changes nothing
        browser.find_element(By.ID, "bundle").send_keys(str(bundle))
        browser.find_element(By.ID, "upload").click()
        text_of(browser, "message", lambda t: t == "新增 0，重复 30，拒收 0")
        # a damaged file is refused with the reason
        junk = tmp_path / "junk.zip"
        junk.write_bytes(b"not a zip")
        browser.find_element(By.ID, "bundle").send_keys(str(junk))
        browser.find_element(By.ID, "upload").click()
        text_of(browser, "message", lambda t: t.startswith("数据包被拒收：文件已损坏"))
        browser.find_element(By.ID, "pair").click()
        text_of(browser, "enrol-text", lambda t: t.startswith("gatepost://enrol?"))
        assert browser.find_element(By.CSS_SELECTOR, "#qr svg")
        # revoke and logout are forms with the session's CSRF token (#13)
        from server.devices import get_device

        browser.get(f"{srv.url}/")
        text_of(browser, "gates", lambda t: True)
        browser.find_element(By.CSS_SELECTOR, "tr.gate a.revoke").click()
        # revoke asks first, on a page of its own (#15); cancelled, nothing happens
        text_of(browser, "revoke-question", lambda t: t.startswith("确定吊销卡口"))
        browser.find_element(By.ID, "revoke-no").click()
        text_of(browser, "gates", lambda t: True)
        assert not get_device(store, gate.device.device_id).revoked
        browser.find_element(By.CSS_SELECTOR, "tr.gate a.revoke").click()
        text_of(browser, "revoke-question", lambda t: True)
        browser.find_element(By.ID, "revoke-yes").click()
        text_of(browser, "gates", lambda t: "已吊销" in t)
        assert get_device(store, gate.device.device_id).revoked
        browser.find_element(By.ID, "logout").click()
        text_of(browser, "login", lambda t: True)
        browser.get(f"{srv.url}/")
        text_of(browser, "login", lambda t: True)  # the session is gone on the server


SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "officer-district.png"


@pytest.mark.slow
@SQLITE_ONLY
def test_a_district_of_300_gates_in_chromium(browser, store, monkeypatch):
    """#15: totals at the top, gates grouped by compound, 失联 gates in red and counted, the
    filter; the screenshot in docs/screenshots/ is taken here."""
    from datetime import UTC, datetime

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from app.clock import FakeClock
    from tests.fakes.district import make_district

    monkeypatch.delenv("GATEPOST_SILENT_MINUTES", raising=False)
    now = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)
    set_officer(store, "jiedao", "correct horse")
    made = make_district(store, 300, "2026-11-29", now)
    with ServerThread(store, clock=FakeClock(now)) as srv:
        browser.set_window_size(1600, 1000)
        browser.get(f"{srv.url}/login")
        browser.find_element(By.ID, "username").send_keys("jiedao")
        browser.find_element(By.ID, "password").send_keys("correct horse")
        browser.find_element(By.ID, "login").click()
        text_of(browser, "gates", lambda t: True)  # logged in: today's page (the real today)
        browser.get(f"{srv.url}/?date=2026-11-29")
        # the day asked for, not the login's redirect still arriving (a loaded box showed it)
        text_of(browser, "shown", lambda t: True)
        assert "2026-11-29" in browser.find_element(By.TAG_NAME, "h2").text
        total = {
            key: int(browser.find_element(By.CSS_SELECTOR, f"#total-{key} dd").text)
            for key in ("gates", "in", "out", "refused", "fevers", "voids", "backfill", "silent")
        }
        assert total == {k: made.totals.get(k, 0) for k in total}
        assert total["gates"] == 300 and total["silent"] == len(made.silent) > 0
        silent_box = browser.find_element(By.ID, "total-silent")
        assert silent_box.value_of_css_property("color") == "rgba(176, 0, 32, 1)"  # red
        assert len(browser.find_elements(By.CSS_SELECTOR, "tr.gate")) == 300
        groups = [
            g.get_attribute("data-compound")
            for g in browser.find_elements(By.CSS_SELECTOR, "tbody.compound")
        ]
        assert groups[-1] == "未分组" and "鼓楼街道 · 东街社区" in groups
        row = browser.find_element(By.CSS_SELECTOR, f"tr.gate[data-device='{made.silent[0]}']")
        state = row.find_element(By.CSS_SELECTOR, "td.state")
        assert (
            state.text == "失联" and state.value_of_css_property("color") == "rgba(176, 0, 32, 1)"
        )
        browser.get(f"{srv.url}/?date=2026-11-29&sort=state")  # 失联 first, for the picture
        text_of(browser, "gates", lambda t: "失联" in t)
        first = browser.find_element(By.CSS_SELECTOR, "tr.gate")
        assert first.get_attribute("data-device") in made.silent
        browser.save_screenshot(str(SCREENSHOT))
        # the filter, as the officer uses it: 失联 only
        Select(browser.find_element(By.ID, "filter-state")).select_by_value("silent")
        browser.find_element(By.ID, "filter-go").click()
        text_of(browser, "shown", lambda t: t == f"显示 {len(made.silent)} / 300 个卡口")
        rows = browser.find_elements(By.CSS_SELECTOR, "tr.gate")
        assert {r.get_attribute("data-device") for r in rows} == set(made.silent)
        assert int(browser.find_element(By.CSS_SELECTOR, "#total-gates dd").text) == 300
