"""The PDF opens (pdftotext from poppler), is A4, speaks Chinese and lists the right rows."""

import shutil
import subprocess

import pytest

from tests.unit.test_reports import day_of_gate  # noqa: F401  (the shared realistic day)

pytestmark = pytest.mark.gui


def pdf_text(path, *extra):
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed (scripts/system-deps.txt)")
    return subprocess.run(
        ["pdftotext", "-layout", *extra, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_pdf_report_has_chinese_totals_chart_and_exact_rows(qapp, day_of_gate, tmp_path):  # noqa: F811
    from ui.reports.pdf import render_pdf

    day_of_gate.pdf_renderer = render_pdf
    out = tmp_path / "day.pdf"
    assert day_of_gate.export("pdf", out, "2026-11-29", pin="246810") == 13
    assert out.read_bytes().startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", str(out)], check=True, capture_output=True, text=True).stdout
    assert "(A4)" in info and "Pages:           1" in info
    text = pdf_text(out)
    assert "门岗日报" in text and "2026-11-29" in text
    assert "发热（初测）" in text and "王阿姨" in text and "检查组来访" in text
    # one fever row (with its re-test) and two non-fever refusals
    assert text.count("送发热门诊") == 1 and "37.8" in text
    assert text.count("红码") == 1 and text.count("重点人员") >= 1
    assert "350203199001011234" not in text and "3502**********1234" in text
    assert " 23" in text  # the chart's last hour label
    assert [p for p in tmp_path.iterdir()] == [out]


def test_pdf_unmasked_shows_the_id(qapp, day_of_gate, tmp_path):  # noqa: F811
    from ui.reports.pdf import render_pdf

    day_of_gate.pdf_renderer = render_pdf
    out = tmp_path / "u.pdf"
    day_of_gate.export("pdf", out, "2026-11-29", pin="246810", unmasked=True)
    assert "350203199001011234" in pdf_text(out)


def test_a_long_pdf_breaks_pages_and_keeps_every_row(qapp, gdb, tmp_path):
    from datetime import datetime, timedelta, timezone

    from app.clock import FakeClock
    from app.gate.service import GateService, PassageDraft
    from app.reports.service import ReportService
    from ui.reports.pdf import render_pdf

    clock = FakeClock(datetime(2026, 11, 29, 6, 0, tzinfo=timezone(timedelta(hours=8))))
    gate = GateService(gdb, clock)
    for i in range(120):
        gate.record(PassageDraft(code_color="red", payload_text=f"r{i}", note=f"第{i:03d}号"))
        clock.advance(60)
    svc = ReportService(gdb, clock, pdf_renderer=render_pdf)
    svc.officer.set_pin("246810")
    out = tmp_path / "long.pdf"
    svc.export("pdf", out, "2026-11-29", pin="246810")
    info = subprocess.run(["pdfinfo", str(out)], check=True, capture_output=True, text=True)
    pages = int(next(x for x in info.stdout.splitlines() if x.startswith("Pages:")).split()[1])
    assert pages >= 3
    text = pdf_text(out)
    assert text.count("红码") == 120


def test_pdf_tables_have_headers_and_stay_inside_the_margin(qapp, day_of_gate, tmp_path):  # noqa: F811
    """#17: 按类别 and 值班与交班 have column headers; no word crosses the right margin."""
    import re

    from ui.reports.pdf import render_pdf

    day_of_gate.pdf_renderer = render_pdf
    out = tmp_path / "day.pdf"
    day_of_gate.export("pdf", out, "2026-11-29", pin="246810")
    lines = pdf_text(out).splitlines()
    cat = next(i for i, line in enumerate(lines) if line.strip() == "按类别")
    assert re.search(r"类别\s+进出\s+通行\s+禁止通行", lines[cat + 1])
    shifts = next(i for i, line in enumerate(lines) if line.strip() == "值班与交班")
    assert re.search(r"值班志愿者\s+开始\s+结束\s+数量\s+交班备注\s+接班确认", lines[shifts + 1])
    # A4 is 595.3 pt wide with 15 mm (42.5 pt) margins: every word ends before 552.8 pt
    bbox = pdf_text(out, "-bbox")
    ends = [float(x) for x in re.findall(r'xMax="([\d.]+)"', bbox)]
    assert ends and max(ends) <= 595.3 - 42.5 + 0.5


def test_pdf_footer_carries_the_signed_digest_as_text_and_qr(qapp, day_of_gate, tmp_path):  # noqa: F811
    """#17: the digest in the footer, read back by verify-report (text) and a QR reader."""
    import cv2
    import zxingcpp  # the scan engine's reader

    from app.reports.verify import verify_file
    from app.sync.identity import load_identity
    from ui.reports.pdf import render_pdf

    day_of_gate.pdf_renderer = render_pdf
    day_of_gate.signer = load_identity
    out = tmp_path / "day.pdf"
    day_of_gate.export("pdf", out, "2026-11-29", pin="246810")
    key = load_identity(day_of_gate.gdb.conn).public_key_hex
    verdict = verify_file(out, key)
    assert verdict.ok and [(d.day, d.n) for d in verdict.digests] == [("2026-11-29", 13)]
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(out), str(tmp_path / "p")], check=True)
    page = cv2.imread(str(tmp_path / "p-1.png"))
    texts = [r.text for r in zxingcpp.read_barcodes(page)]
    assert texts == [verdict.digests[0].text()]


def test_the_server_checks_an_uploaded_pdf_against_the_gate_and_its_events(
    qapp,
    day_of_gate,  # noqa: F811
    tmp_path,
):
    """#17: the officer page's check of a PDF: the footer's digest, the gate's enrolled key,
    and the passages the server holds for that day."""
    from app.sync.bundle import export_bundle
    from app.sync.identity import load_identity
    from server import devices
    from server.bundles import import_bundle
    from server.day_check import check_report
    from server.store import SqliteStore
    from ui.reports.pdf import render_pdf

    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed (scripts/system-deps.txt)")
    day_of_gate.pdf_renderer = render_pdf
    day_of_gate.signer = load_identity
    out = tmp_path / "day.pdf"
    day_of_gate.export("pdf", out, "2026-11-29", pin="246810")
    ident = load_identity(day_of_gate.gdb.conn)
    store = SqliteStore(tmp_path / "server.db")
    store.migrate()
    try:
        devices.enrol_offline(store, ident.device_id, ident.public_key_hex, officer="t")
        (tmp_path / "usb").mkdir()
        import_bundle(store, export_bundle(day_of_gate.gdb.conn, tmp_path / "usb"))
        result = check_report(store, out)
    finally:
        store.close()
    assert result.ok and result.verdict.ok and result.device_id == ident.device_id
    assert [(d.day, d.signed, d.held) for d in result.days] == [("2026-11-29", 13, 13)]
