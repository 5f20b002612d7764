"""Server-side command-line work: bundle import, enrolment codes, officers."""

from __future__ import annotations

import sys
from pathlib import Path

from app.errors import KnownError
from app.i18n import t
from app.sync.bundle import BundleRefused
from app.sync.progress import TextProgress
from server.bundles import import_bundle
from server.run import store_for


def bundle_import(data_dir: Path, file: Path, lang: str = "zh") -> int:
    """Print `accepted N, duplicate M, rejected K`; exit 1 when the bundle itself is refused."""
    store = store_for(data_dir)
    bar = TextProgress("import")
    try:
        result = import_bundle(store, file, progress=bar)
    except BundleRefused as exc:
        bar.finish()
        print(t("bundle_refused", lang, reason=exc.reason), file=sys.stderr)
        return 1
    except FileNotFoundError:
        raise KnownError("bundle_refused", reason=f"no such file: {file}") from None
    finally:
        store.close()
    bar.finish()
    c = result.counts()
    print(f"accepted {c['accepted']}, duplicate {c['duplicate']}, rejected {c['rejected']}")
    return 0


def enrol_code(data_dir: Path, url: str, show_qr: bool = True) -> int:
    from server.devices import new_enrolment

    store = store_for(data_dir)
    try:
        text = new_enrolment(store, url.rstrip("/"))
    finally:
        store.close()
    if show_qr:
        import qrcode

        qr = qrcode.QRCode(border=1)
        qr.add_data(text)
        qr.print_ascii(out=sys.stdout, invert=True)
    print(text)
    return 0
