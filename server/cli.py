"""Server-side command-line work: bundle import, enrolment codes, officers."""

from __future__ import annotations

import sys
from pathlib import Path

from app.errors import KnownError
from app.i18n import t
from app.progress import StderrBar
from app.sync.bundle import BundleRefused
from server.bundles import import_bundle
from server.run import store_for
from server.store import Store


def bundle_import(data_dir: Path, file: Path, lang: str = "zh", ack_out: Path | None = None) -> int:
    """Print `accepted N, duplicate M, rejected K`; exit 1 when the bundle itself is refused.
    With ack_out, also write the signed ack for the gate into that folder (prints its path)."""
    store = store_for(data_dir)
    bar = StderrBar("import")
    try:
        try:
            result = import_bundle(store, file, progress=bar)
        except BundleRefused as exc:
            bar.finish()
            print(t("bundle_refused", lang, reason=exc.reason), file=sys.stderr)
            return 1
        except FileNotFoundError:
            raise KnownError("bundle_refused", reason=f"no such file: {file}") from None
        bar.finish()
        c = result.counts()
        print(f"accepted {c['accepted']}, duplicate {c['duplicate']}, rejected {c['rejected']}")
        if ack_out is not None:
            from app.sync.bundle import verify_bundle

            device_id = verify_bundle(file).manifest["device_id"]
            return _write_ack(store, device_id, ack_out, lang)
        return 0
    finally:
        store.close()


def _write_ack(store: Store, device_ref: str, out_dir: Path, lang: str) -> int:
    from server.acks import AckError, write_ack

    try:
        path = write_ack(store, device_ref, out_dir)
    except AckError as exc:
        print(t("ack_write_failed", lang, reason=exc.reason), file=sys.stderr)
        return 1
    except OSError as exc:
        print(t("ack_write_failed", lang, reason=exc.strerror or str(exc)), file=sys.stderr)
        return 1
    print(t("ack_written", lang, path=path), file=sys.stderr)
    print(path)
    return 0


def bundle_ack(data_dir: Path, device_ref: str, out_dir: Path, lang: str = "zh") -> int:
    """Write the signed ack of what the server holds for one gate (id or unique prefix)."""
    store = store_for(data_dir)
    try:
        return _write_ack(store, device_ref, out_dir, lang)
    finally:
        store.close()


def revoke_device(data_dir: Path, device_ref: str, lang: str = "zh") -> int:
    """Revoke a gate's token: its syncs get 403 and its bundles are refused until re-paired."""
    from server.acks import AckError, find_device
    from server.devices import revoke

    store = store_for(data_dir)
    try:
        try:
            device = find_device(store, device_ref)
        except AckError as exc:
            print(t("revoke_unknown", lang, device=device_ref, reason=exc.reason), file=sys.stderr)
            return 1
        revoke(store, device["device_id"])
    finally:
        store.close()
    print(t("revoke_done", lang, device=device["device_id"], name=device["name"] or "—"))
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


def enrol_gate(
    data_dir: Path,
    device_id: str,
    public_key: str,
    name: str = "",
    replace: bool = False,
    lang: str = "zh",
) -> int:
    """Enrol a never-online gate by its device id and public key, so its bundles are accepted
    (replace=True re-keys a known gate); audited as the command line."""
    from server.devices import EnrolError, enrol_offline

    store = store_for(data_dir)
    try:
        enrol_offline(store, device_id, public_key, name, officer="cli", replace=replace)
    except EnrolError as exc:
        print(t("officer_enrol_failed", lang, reason=exc.reason), file=sys.stderr)
        return 1
    finally:
        store.close()
    print(t("officer_enrol_done", lang, device=device_id))
    return 0
