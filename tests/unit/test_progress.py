import io

from app.progress import StderrBar


def test_bar_redraws_per_percent_and_ends_its_line_once():
    out = io.StringIO()
    bar = StderrBar("import", stream=out, width=10)
    for done in range(0, 1001):
        bar(done, 1000)
    text = out.getvalue()
    assert text.count("\r") == 101  # 0 … 100 %, not 1001 redraws
    assert text.endswith("100% 1000/1000\n") and text.count("\n") == 1
    bar.finish()  # already ended: no second newline
    assert out.getvalue().count("\n") == 1


def test_a_cancelled_bar_ends_its_line_on_finish():
    out = io.StringIO()
    bar = StderrBar("bundle", stream=out)
    bar(3, 10)
    bar.close()
    assert out.getvalue().endswith("3/10\n")
    quiet = io.StringIO()
    StderrBar("x", stream=quiet).finish()  # never drawn: writes nothing
    assert quiet.getvalue() == ""
