"""Every string shown to a person, in Chinese (default) and English, keyed by a stable code."""
from __future__ import annotations

from typing import Any

LANGS = ("zh", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    # --- window, general
    "app_title": ("门岗通", "Gatepost"),
    "checkpoint": ("卡口", "Checkpoint"),
    "volunteer": ("值班", "On duty"),
    "no_volunteer": ("未签到", "nobody signed in"),
    "settings": ("设置", "Settings"),
    "language": ("English", "中文"),
    "ok": ("确定", "OK"),
    "cancel": ("取消", "Cancel"),
    # --- camera
    "camera_ok": ("摄像头正常", "Camera OK"),
    "camera_disconnected": ("摄像头断开 · 正在重试…", "Camera disconnected · retrying…"),
    "camera_demo": ("演示摄像头（未找到摄像头）", "Demo camera (no webcam found)"),
    "camera_demo_chosen": ("演示摄像头", "Demo camera"),
    "camera_source": ("摄像头来源", "Camera source"),
    "camera_manual_hint": ("可按 F3 手动登记", "Press F3 to register by hand"),
    # --- scan results
    "scan_wait": ("请出示健康码", "Show your health code"),
    "code_green": ("绿码 · 请测温", "Green code · take temperature"),
    "code_yellow": ("黄码 · 禁止通行", "Yellow code · no entry"),
    "code_red": ("红码 · 禁止通行", "Red code · no entry"),
    "code_black": ("无法识别颜色 · 请人工核对", "Colour unclear · check by eye"),
    "code_unknown": ("无法识别颜色 · 请人工核对", "Colour unclear · check by eye"),
    "code_unrecognised": ("未识别", "Not recognised"),
    "code_manual": ("手动登记", "Registered by hand"),
    "code_none": ("无码", "No code"),
    "color_green": ("绿码", "Green"),
    "color_yellow": ("黄码", "Yellow"),
    "color_red": ("红码", "Red"),
    "color_black": ("黑白码", "Black"),
    "color_unknown": ("未知", "Unknown"),
    "color_none": ("无码", "No code"),
    "payload_binary": ("二维码内容无法识别（二进制）", "QR content is binary"),
    "payload_too_long": ("二维码内容过长", "QR content too long"),
    "payload_empty": ("二维码内容为空", "QR content empty"),
    "payload_control_chars": ("二维码内容含非法字符", "QR content has control characters"),
    # --- temperature
    "temperature": ("体温 °C", "Temperature °C"),
    "temp_invalid": ("体温格式不对：请输入如 36.5 或 365", "Not a temperature: type 36.5 or 365"),
    "temp_out_of_range": (
        "体温 {value} 超出范围（34.0–42.5 °C），请重新测量",
        "Temperature {value} out of range (34.0–42.5 °C); measure again",
    ),
    "temp_required": ("请先输入体温", "Enter the temperature first"),
    "fever_alarm": ("发热 {value} °C！", "Fever {value} °C!"),
    "fever_rest": (
        "请到一旁休息 {minutes} 分钟后复测（已登记，待复测）",
        "Rest {minutes} min aside, then re-test (recorded, awaiting re-test)",
    ),
    "fever_waiting": ("等待复测", "Waiting for re-test"),
    "fever_retest": ("复测", "Re-test"),
    "fever_retest_due": ("可复测", "Re-test now"),
    "fever_retest_prompt": ("复测体温 °C", "Re-test temperature °C"),
    "fever_still": ("复测仍发热：请选择处置", "Still a fever: choose the disposition"),
    "disp_fever_clinic": ("送发热门诊", "Sent to fever clinic"),
    "disp_grid_cadre": ("已报告网格员", "Reported to the grid cadre"),
    "disp_other": ("其他（请写明）", "Other (write a note)"),
    "disp_left": ("未复测离开", "Left without re-test"),
    "note": ("备注", "Note"),
    "note_required": ("请填写备注", "Please write a note"),
    # --- directions and categories
    "dir_in": ("进", "In"),
    "dir_out": ("出", "Out"),
    "cat_resident": ("居民", "Resident"),
    "cat_visitor": ("访客", "Visitor"),
    "cat_courier": ("快递外卖", "Courier"),
    "cat_worker": ("工作人员", "Worker"),
    "cat_official": ("公务", "Official"),
    # --- decisions
    "decision_pass": ("通行", "Pass"),
    "decision_refused": ("禁止通行", "Refused"),
    "reason_red_code": ("红码", "Red code"),
    "reason_yellow_code": ("黄码", "Yellow code"),
    "reason_fever": ("发热", "Fever"),
    "reason_no_code": ("无法出示健康码", "No health code shown"),
    "reason_other": ("其他", "Other"),
    "yellow_override": ("黄码放行（需填理由）", "Let yellow code pass (reason)"),
    "override_reason": ("放行理由", "Reason to let pass"),
    "refuse": ("拒绝通行", "Refuse"),
    "refuse_reason": ("拒绝理由", "Reason for refusal"),
    "record_ok": ("已登记：{what}", "Recorded: {what}"),
    "record": ("登记 Enter", "Record Enter"),
    "clear": ("清除 Esc", "Clear Esc"),
    # --- undo
    "undo": ("撤销 F4", "Undo F4"),
    "undo_reason": ("撤销理由", "Reason to undo"),
    "undo_nothing": ("没有可撤销的记录", "Nothing to undo"),
    "undo_done": ("已撤销上一条记录", "Last record voided"),
    "void_wrong_entry": ("录入错误", "Entered wrongly"),
    "void_duplicate": ("重复登记", "Duplicate"),
    # --- manual entry
    "manual": ("手动登记 F3", "Manual F3"),
    "manual_title": ("手动登记（无智能手机）", "Register by hand (no smartphone)"),
    "id_number": ("身份证号", "ID number"),
    "name": ("姓名", "Name"),
    "building": ("楼栋", "Building"),
    "unit": ("单元", "Unit"),
    "room": ("房号", "Room"),
    "id_bad_length": ("身份证号应为18位", "An ID number has 18 characters"),
    "id_bad_chars": ("身份证号只能是数字，最后一位可为X", "ID: digits only, last may be X"),
    "id_bad_check": (
        "身份证号校验位不对（应为 {expected}），请核对",
        "ID check digit wrong (should be {expected}); check it",
    ),
    "id_bad_birth": ("身份证号中的出生日期不对", "Birth date in the ID number is impossible"),
    "manual_need_identity": ("请填写身份证号，或姓名加楼栋房号", "Enter an ID number, or name + room"),
    # --- counters
    "count_in": ("进", "In"),
    "count_out": ("出", "Out"),
    "count_refused": ("拒绝", "Refused"),
    "count_fever": ("发热", "Fever"),
    "count_visitors_inside": ("访客在内", "Visitors inside"),
    "recent": ("最近登记", "Recent"),
    "voided": ("已撤销", "voided"),
    # --- storage
    "db_damaged": (
        "数据库文件损坏，已另存为 {moved}，并新建数据库。请联系街道。",
        "The database was damaged; moved to {moved} and a new one started. Tell the subdistrict.",
    ),
    "db_newer": (
        "此数据库由更新版本的门岗通创建（版本 {found} > {known}），请升级软件。",
        "This database was made by a newer Gatepost (version {found} > {known}); please upgrade.",
    ),
    "db_write_failed": (
        "保存失败：{detail}。记录未丢失，请重试。",
        "Could not save: {detail}. Nothing was lost; try again.",
    ),
    "bug": ("程序出错，已记录日志，门岗可继续使用。", "A bug was logged; the gate keeps working."),
    "no_display": (
        "没有图形显示。请用：xvfb-run -a make run",
        "No display. Use: xvfb-run -a make run",
    ),
    "volunteer_prompt": ("请输入值班志愿者姓名", "Name of the volunteer on duty"),
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
    "sync_not_enrolled": ("尚未与街道服务器配对（可用U盘导出）", "Not paired with the server (use USB export)"),
    "sync_offline": ("连不上街道服务器，稍后自动重试", "Cannot reach the server; will retry"),
    "sync_auth_refused": (
        "服务器拒绝了本机的授权，已停止上传。请联系街道重新配对。",
        "The server refused this gate's token; sending stopped. Ask the subdistrict to re-pair.",
    ),
    "sync_refused": ("服务器拒收：{reason}", "The server refused: {reason}"),
    "sync_event_too_large": ("第 {seq} 条记录太大，服务器不收", "Event {seq} is too large for the server"),
    "sync_cancelled": ("同步已取消", "Sync cancelled"),
    "sync_rejected_some": ("有 {n} 条记录被服务器隔离，街道可见", "{n} events quarantined at the server"),
    "enrol_bad_text": ("这不是门岗通的配对码", "This is not a Gatepost pairing code"),
    "enrol_refused": ("配对失败：{reason}", "Pairing refused: {reason}"),
    "enrol_unreachable": ("连不上配对服务器：{detail}", "Cannot reach the pairing server: {detail}"),
    "enrol_done": ("已与 {server} 配对", "Paired with {server}"),
    "bundle_export": ("U盘导出", "USB export"),
    "bundle_choose_folder": ("选择U盘文件夹", "Choose the USB folder"),
    "bundle_writing": ("正在写入…", "Writing…"),
    "bundle_verifying": ("正在校验…", "Verifying…"),
    "bundle_safe_to_remove": ("已写入并校验：{path}　可以拔出U盘", "Written and verified: {path}. You can remove the USB stick"),
    "bundle_nothing": ("没有待导出的记录", "Nothing to export"),
    "bundle_write_failed": ("写入U盘失败：{detail}。请换一个U盘重试。", "Could not write the bundle: {detail}. Try another stick."),
    "bundle_refused": ("数据包被拒收：{reason}", "Bundle refused: {reason}"),
    "bundle_import_result": ("新增 {accepted}，重复 {duplicate}，拒收 {rejected}", "accepted {accepted}, duplicate {duplicate}, rejected {rejected}"),
}


def t(code: str, lang: str = "zh", **params: Any) -> str:
    """The message for a code in a language; unknown codes show themselves (never crash)."""
    pair = MESSAGES.get(code)
    text = code if pair is None else pair[1 if lang == "en" else 0]
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError, ValueError):
        return text
