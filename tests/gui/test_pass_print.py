"""Printed passes: A4 sheets of 8 with Chinese embedded, a single card whose QR scans back."""

import subprocess
from datetime import timedelta

import cv2
import pytest
import zxingcpp

from app.roster import passes
from app.roster.printing import pass_cards
from app.roster.service import RosterService
from main import main
from tests.fakes import roster_files as rf

pytestmark = pytest.mark.gui


@pytest.fixture
def ten(gdb, clock):
    svc = RosterService(gdb, clock)
    for i in range(10):
        svc.add(
            {
                "name": f"居民{i}号",
                "id_number": rf.make_id("19700101", i + 1),
                "building": str(1 + i // 5),
                "unit": "1",
                "room": str(101 + i),
            }
        )
    gone = svc.add({"name": "搬走了", "id_number": rf.ZHANG, "building": "9", "room": "1"})
    svc.set_status(gone["id"], "moved_out")
    return svc


def pdf_pages(path):
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def test_a4_sheets_of_eight_with_chinese_embedded(ten, tmp_path):
    from ui.roster.pass_print import write_pdf

    cards = pass_cards(ten.conn, ten.clock, "翔鹭花城", days=90)
    assert len(cards) == 10  # the moved-out resident gets no card
    assert cards[0].masked_name == "居**号" and cards[0].place == "1栋1单元101"
    assert (cards[0].valid_from, cards[0].valid_until) == ("2026-11-29", "2027-02-26")
    out = tmp_path / "passes.pdf"
    seen = []
    assert write_pdf(cards, out, progress=lambda d, t: seen.append(d)) == 2
    assert pdf_pages(out) == 2 and seen[-1] == 10
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
    cjk = [line for line in fonts.splitlines() if "Hei" in line or "CJK" in line or "Han" in line]
    assert cjk and all(" yes " in line for line in cjk), fonts
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "翔鹭花城" in text and "居**号" in text and "2027-02-26" in text


def test_a_single_card_scans_back_to_a_valid_pass(ten, tmp_path):
    from ui.roster.pass_print import write_pdf

    resident = ten.all()[3]
    cards = pass_cards(ten.conn, ten.clock, "小区正门", days=30, resident_ids=[resident["id"]])
    out = tmp_path / "card.pdf"
    assert write_pdf(cards, out, single=True) == 1
    subprocess.run(["pdftoppm", "-png", "-r", "200", str(out), str(tmp_path / "card")], check=True)
    image = cv2.imread(str(next(tmp_path.glob("card*.png"))))
    found = zxingcpp.read_barcodes(image)
    assert [b.text for b in found] == [cards[0].qr_text]
    check = passes.resolve_pass(ten.conn, found[0].text, ten.clock.now())
    assert check.ok and check.resident_id == resident["id"]
    later = ten.clock.now() + timedelta(days=30)
    assert passes.resolve_pass(ten.conn, found[0].text, later).reason_code == "pass_expired"


def test_cancel_leaves_no_file(ten, tmp_path):
    from ui.roster.pass_print import write_pdf

    cards = pass_cards(ten.conn, ten.clock, "x")
    out = tmp_path / "passes.pdf"
    done = []
    pages = write_pdf(
        cards, out, progress=lambda d, t: done.append(d), cancelled=lambda: len(done) >= 3
    )
    assert pages == 0 and done == [1, 2, 3]
    assert list(tmp_path.glob("passes*")) == []


def test_print_passes_cli(tmp_path, capsys):
    data = tmp_path / "gate"
    src = rf.write_csv(
        tmp_path / "r.csv",
        [["姓名", "身份证号", "住址"], ["张三", rf.ZHANG, "3-2-501"], ["李四", rf.LI, "4-1-101"]],
    )
    assert main(["import-residents", str(src), "--data-dir", str(data)]) == 0
    out = tmp_path / "b3.pdf"
    assert (
        main(["print-passes", "--out", str(out), "--building", "3", "--data-dir", str(data)]) == 0
    )
    assert capsys.readouterr().out.splitlines()[-1] == f"1 张通行证，1 页：{out}"
    assert pdf_pages(out) == 1


def test_visitor_pass_cli_prints_a_card_that_scans(tmp_path, capsys):
    from app.clock import SystemClock
    from app.database import open_database

    data = tmp_path / "gate"
    out = tmp_path / "visitor.pdf"
    src = rf.write_csv(
        tmp_path / "r.csv", [["姓名", "身份证号", "住址"], ["张三", rf.ZHANG, "3-2-501"]]
    )
    assert main(["import-residents", str(src), "--data-dir", str(data)]) == 0  # #13: a real host
    args = ["visitor-pass", "--host", "3-2-501", "--name", "王小明", "--hours", "2"]
    assert main([*args, "--out", str(out), "--data-dir", str(data)]) == 0
    assert pdf_pages(out) == 1
    subprocess.run(["pdftoppm", "-png", "-r", "200", str(out), str(tmp_path / "v")], check=True)
    found = zxingcpp.read_barcodes(cv2.imread(str(next(tmp_path.glob("v*.png")))))
    gdb = open_database(data)
    try:
        check = passes.resolve_pass(gdb.conn, found[0].text, SystemClock().now())
        assert check.ok and check.kind == "visitor" and check.household == "3-2-501"
        assert check.masked_name == "王*明"
    finally:
        gdb.close()
