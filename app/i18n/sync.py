"""Sync to the subdistrict: status, USB bundles, acks, pairing."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # --- sync (issue #6)
    "sync_now": ("立即同步", "Sync now"),
    "sync_online": ("在线", "Online"),
    "sync_offline_state": ("离线", "Offline"),
    "sync_waiting": ("待上传 {n} 条", "{n} waiting"),
    "sync_last_success": ("上次同步 {when}", "Last sync {when}"),
    "sync_never": ("从未同步", "Never synced"),
    "sync_running": ("正在同步…", "Syncing…"),
    "sync_done": (
        "同步完成：新增 {accepted}，重复 {duplicate}，拒收 {rejected}",
        "Sync done: accepted {accepted}, duplicate {duplicate}, rejected {rejected}",
    ),
    "sync_not_enrolled": (
        "尚未与街道服务器配对（可用U盘导出）",
        "Not paired with the server (use USB export)",
    ),
    "sync_offline": ("连不上街道服务器，稍后自动重试", "Cannot reach the server; will retry"),
    "sync_auth_refused": (
        "服务器拒绝了本机的授权，已停止上传。请联系街道重新配对。",
        "The server refused this gate's token; sending stopped. Ask the subdistrict to re-pair.",
    ),
    "sync_refused": ("服务器拒收：{reason}", "The server refused: {reason}"),
    "sync_event_too_large": (
        "第 {seq} 条记录太大，服务器不收",
        "Event {seq} is too large for the server",
    ),
    "sync_cancelled": ("同步已取消", "Sync cancelled"),
    "sync_rejected_some": (
        "有 {n} 条记录被服务器隔离，街道可见",
        "{n} events quarantined at the server",
    ),
    "enrol_bad_text": ("这不是门岗通的配对码", "This is not a Gatepost pairing code"),
    "enrol_refused": ("配对失败：{reason}", "Pairing refused: {reason}"),
    "enrol_other_server": (
        "这个门岗已信任另一台街道服务器的回执密钥，不能配对到这台服务器",
        "This gate already trusts another server's ack key; it cannot pair with this one",
    ),
    "enrol_unreachable": (
        "连不上配对服务器：{detail}",
        "Cannot reach the pairing server: {detail}",
    ),
    "enrol_unreachable_key_kept": (
        "连不上配对服务器（{detail}）。已记下这台服务器的回执密钥：可以用U盘同步，"
        "有网时再扫一次配对码即可在线同步",
        "Cannot reach the pairing server ({detail}). Its ack key is kept: USB sync works; "
        "scan the pairing code again when online to sync over the network",
    ),
    "enrol_done": ("已与 {server} 配对", "Paired with {server}"),
    "bundle_export": ("U盘导出", "USB export"),
    "bundle_choose_folder": ("选择U盘文件夹", "Choose the USB folder"),
    "bundle_writing": ("正在写入…", "Writing…"),
    "bundle_verifying": ("正在校验…", "Verifying…"),
    "bundle_safe_to_remove": (
        "已写入并校验：{path}　可以拔出U盘",
        "Written and verified: {path}. You can remove the USB stick",
    ),
    "bundle_nothing": ("没有待导出的记录", "Nothing to export"),
    "bundle_plain_warning": (
        "注意：还没有街道服务器的加密密钥，数据包将以明文写入U盘，U盘丢失会泄露姓名和证件号。"
        "请先扫描配对码或导入一次回执。",
        "Warning: no server encryption key yet, so the bundle is written unencrypted; a lost "
        "stick leaks names and ID numbers. Scan the pairing code or import an ack first.",
    ),
    "bundle_no_server_key": (
        "还没有街道服务器的加密密钥，按要求不写明文数据包。请先扫描配对码或导入一次回执。",
        "No server encryption key yet, and encryption is required: nothing written. Scan "
        "the pairing code or import an ack first.",
    ),
    "bundle_write_failed": (
        "写入U盘失败：{detail}。请换一个U盘重试。",
        "Could not write the bundle: {detail}. Try another stick.",
    ),
    "bundle_refused": ("数据包被拒收：{reason}", "Bundle refused: {reason}"),
    "bundle_import_result": (
        "新增 {accepted}，重复 {duplicate}，拒收 {rejected}",
        "accepted {accepted}, duplicate {duplicate}, rejected {rejected}",
    ),
    "officer_title": ("门岗通 · 街道汇总", "Gatepost · subdistrict"),
    "officer_username": ("用户名", "Username"),
    "officer_password": ("密码", "Password"),
    "officer_login": ("登录", "Log in"),
    "officer_logout": ("退出", "Log out"),
    "officer_login_failed": ("用户名或密码不对", "Wrong username or password"),
    "officer_gates": ("各卡口", "Gates"),
    "officer_gate": ("卡口", "Gate"),
    "officer_device": ("设备", "Device"),
    "officer_via": ("方式", "Via"),
    "officer_last_sync": ("最近同步 (UTC)", "Last sync (UTC)"),
    "officer_acked": ("已连续收到", "Contiguous"),
    "officer_max": ("最大序号", "Highest seq"),
    "officer_gaps": ("缺号", "Gaps"),
    "officer_counts": ("当日记录数", "Records that day"),
    "officer_quarantined": ("隔离", "Quarantined"),
    "officer_revoke": ("吊销", "Revoke"),
    "officer_upload": ("上传U盘数据包", "Upload a USB bundle"),
    "officer_pairing": ("卡口配对", "Pair a gate"),
    "officer_new_code": ("生成配对二维码", "New pairing QR"),
    "officer_quarantine": ("被隔离的记录", "Quarantined events"),
    # --- sync follow-up (issue #6): USB acks, revoke, officer page per-gate numbers
    "ack_written": (
        "回执已写入 {path}，请带回卡口导入",
        "Ack written to {path}; take it back to the gate",
    ),
    "ack_write_failed": ("写回执失败：{reason}", "Could not write the ack: {reason}"),
    "ack_imported": (
        "已导入回执：服务器已收到第 {seq} 条及之前的记录（本次确认 {n} 条）",
        "Ack imported: the server holds everything up to {seq} ({n} newly acknowledged)",
    ),
    "ack_refused": ("回执被拒收：{reason}", "Ack refused: {reason}"),
    "ack_why_bad_signature": ("签名不对，可能被改动或伪造", "bad signature (altered or forged)"),
    "ack_why_other_server": (
        "来自另一台服务器（不是本卡口信任的街道服务器）",
        "from another server than the one this gate trusts",
    ),
    "ack_why_other_device": ("这是别的卡口的回执", "it is for another gate"),
    "ack_why_other_device_key": (
        "回执对应的设备密钥与本机不符",
        "it names another key than this gate's",
    ),
    "ack_why_ahead_of_device": (
        "回执确认的记录比本机写过的还多",
        "it acknowledges more events than this gate ever wrote",
    ),
    "ack_why_chain_mismatch": (
        "回执与本机记录的校验链不符",
        "it does not match this gate's hash chain",
    ),
    "ack_why_damaged": ("文件损坏", "the file is damaged"),
    "ack_why_not_an_ack": ("这不是门岗通回执文件", "this is not a Gatepost ack file"),
    "ack_why_no_such_file": ("找不到文件", "no such file"),
    "ack_why_too_large": ("文件过大", "the file is too large"),
    "ack_why_unknown_version": ("回执版本不认识，请升级", "unknown ack version; update Gatepost"),
    "ack_import": ("导入回执", "Import ack"),
    "ack_choose_file": ("选择回执文件", "Choose the ack file"),
    "ack_download": ("下载回执", "Download ack"),
    "revoke_done": ("已吊销卡口 {name}（{device}）", "Revoked gate {name} ({device})"),
    "revoke_unknown": ("找不到卡口 {device}：{reason}", "No such gate {device}: {reason}"),
    "officer_in": ("进", "In"),
    "officer_out": ("出", "Out"),
    "officer_refused": ("劝返", "Refused"),
    "officer_fevers": ("发热", "Fevers"),
    "officer_last_sync_local": ("最近同步", "Last sync"),
    "officer_received": ("收到时间", "Received"),
    # --- issue #12: background work, sync attempts, threads that restart
    "sync_cannot_connect": ("无法连接服务器：{reason}", "Cannot connect to the server: {reason}"),
    "enrol_kept_for_later": (
        "连不上配对服务器（{detail}）。已记下配对码，联网后自动配对",
        "Cannot reach the pairing server ({detail}). The code is kept; the gate pairs when online",
    ),
    "camera_restarted": ("摄像头线程已重启", "The camera thread was restarted"),
    "decoder_restarted": ("识别线程已重启", "The code reader thread was restarted"),
    "db_memory_no_threads": (
        "内存数据库不能在后台线程使用",
        "An in-memory database cannot be used from a background thread",
    ),
}
