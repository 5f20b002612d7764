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
    # --- roster, passes, watchlist (issue #4)
    "phone_bad": ("电话号码不对：{value}", "Not a phone number: {value}"),
    "date_bad": ("日期不对：{value}（请写 2026-12-05）", "Not a date: {value} (write 2026-12-05)"),
    "status_bad": ("状态不对：{value}（正常/居家医学观察/已搬离）",
                   "Unknown status: {value} (normal/observation/moved out)"),
    "name_required": ("缺少姓名", "Name missing"),
    "id_required": ("缺少身份证号", "ID number missing"),
    "obs_end_required": ("居家医学观察须填写结束日期", "Home observation needs an end date"),
    "obs_end_before_start": ("结束日期早于开始日期", "End date is before the start date"),
    "field_bad": ("{field}：{reason}", "{field_en}: {reason_en}"),
    "id_duplicate": ("该身份证号已在花名册中", "This ID number is already in the roster"),
    "resident_unknown": ("花名册中没有这位居民（{id}）", "No such resident ({id})"),
    "id_excel_number": (
        "身份证号被 Excel 变成了数字（如 3.50203E+17），后几位已丢失："
        "请把该列设为“文本”格式后重新填写",
        "Excel turned the ID number into a number (like 3.50203E+17) and lost digits: "
        "format the column as text and type it again",
    ),
    "address_bad": ("无法识别住址：{value}（请写 3栋2单元501 或 3-2-501）",
                    "Address not understood: {value} (write 3-2-501)"),
    "dup_row": ("重复行（与第 {first} 行相同）", "Duplicate of row {first}"),
    "dup_id_conflict": ("身份证号与第 {first} 行相同，但其他内容不同",
                        "Same ID number as row {first} with different details"),
    "import_reject_line": ("第 {row} 行，{column}：{reason}", "row {row}, {column}: {reason}"),
    "import_missing": ("找不到文件：{path}", "File not found: {path}"),
    "import_format": ("不支持的文件类型 {suffix}：请另存为 .xlsx 或 .csv",
                      "Unsupported file type {suffix}: save as .xlsx or .csv"),
    "import_encoding": ("无法识别文件编码（请另存为 UTF-8 或 GBK 的 CSV）",
                        "Unknown text encoding (save the CSV as UTF-8 or GBK)"),
    "import_unreadable": ("无法读取表格：{detail}", "Cannot read the spreadsheet: {detail}"),
    "import_no_header": ("前 15 行中没有找到表头（至少需要“姓名”和“身份证号”两列）",
                         "No header row in the first 15 rows (need at least name and ID number)"),
    "import_report": ("错误明细已保存：{path}", "Error report written: {path}"),
    "import_cancelled": (
        "导入已取消，已导入的行保留", "Import cancelled; rows already imported are kept"
    ),
    "status_normal": ("正常", "Normal"),
    "status_observation": ("居家医学观察", "Home medical observation"),
    "status_moved_out": ("已搬离", "Moved out"),
    "pass_malformed": ("通行证无法识别", "Pass not readable"),
    "pass_forged": ("通行证签名不对（伪造或被改动）", "Pass signature invalid (forged or edited)"),
    "pass_other_key": ("不是本小区签发的通行证", "Pass not issued by this compound"),
    "pass_expired": ("通行证已过期（{until}）", "Pass expired ({until})"),
    "pass_not_yet_valid": ("通行证尚未生效（{since}）", "Pass not valid yet ({since})"),
    "pass_revoked": ("通行证已作废（已补发新证）", "Pass revoked (a new one was issued)"),
    "pass_moved_out": ("该居民已搬离，通行证无效", "Resident has moved out; pass refused"),
    "pass_unknown_resident": ("花名册中没有此通行证的居民", "Pass holder not in the roster"),
    "pass_visitor_ok": ("访客通行证 · 户 {household}", "Visitor pass · household {household}"),
    "pass_no_key": (
        "本机没有小区签发密钥：请先在主门岗生成", "No signing key here: create it at the main gate"
    ),
    "key_file_bad": ("公钥文件不对", "Not a Gatepost public key"),
    "key_imported": ("已导入公钥 {key_id}", "Public key {key_id} imported"),
    "reason_watchlist": ("居家医学观察中", "Under home medical observation"),
    "alert_watchlist": (
        "禁止外出！{name} 居家医学观察至 {end}，请通知网格员",
        "STOP! {name} is under home medical observation until {end}; call the grid cadre",
    ),
    "alert_quota": (
        "本户今日已外出 {count} 人（限 {quota} 人）：{who}",
        "Household already out today: {count} (limit {quota}): {who}",
    ),
    "alert_replay": (
        "同一健康码今天已由他人使用（{who}，{time}），疑似截图",
        "This health code was shown today for someone else ({who}, {time}): screenshot?",
    ),
    "reason_moved_out": ("已搬离", "Moved out"),
    "alert_moved_out": ("该居民已搬离", "This resident has moved out"),
    "overdue_line": ("{who} 已在内 {minutes} 分钟（{since} 进入）",
                     "{who} inside for {minutes} min (in at {since})"),
    "roster_title": ("居民花名册", "Residents"),
    "roster_search": (
        "搜索：姓名 / 房号 / 手机或身份证后4位", "Search: name / room / last 4 of phone or ID"
    ),
    "roster_add": ("新增", "Add"),
    "roster_edit": ("修改", "Edit"),
    "roster_import": ("导入…", "Import…"),
    "roster_print": ("打印通行证…", "Print passes…"),
    "roster_show_full": ("显示完整号码", "Show full numbers"),
    "household": ("户号", "Household"),
    "tags": ("标签", "Tags"),
    "phone": ("手机", "Phone"),
    "status": ("状态", "Status"),
    "obs_start": ("观察开始", "Observation from"),
    "obs_end": ("观察结束", "Observation until"),
    "import_title": ("导入花名册", "Import residents"),
    "import_preview": ("预览（已识别的列）", "Preview (mapped columns)"),
    "import_start": ("开始导入", "Import"),
    "import_plan": ("新增 {new}，更新 {update}，不变 {same}，错误 {bad} 行",
                    "new {new}, updated {update}, unchanged {same}, rejected {bad} rows"),
    "import_done": ("导入 {imported}，更新 {updated}，不变 {unchanged}，错误 {rejected}",
                    "imported {imported}, updated {updated}, unchanged {unchanged}, "
                    "rejected {rejected}"),
    "print_title": ("居民通行证", "Resident pass"),
    "print_title_visitor": ("访客通行证", "Visitor pass"),
    "print_valid_until": ("有效至 {until}", "Valid until {until}"),
    "overdue_count": ("超时未出 {count}", "Overdue inside: {count}"),
    "print_valid": ("有效期 {since} 至 {until}", "Valid {since} to {until}"),
}


def t(code: str, lang: str = "zh", **params: Any) -> str:
    """The message for a code in a language; unknown codes show themselves (never crash)."""
    pair = MESSAGES.get(code)
    text = code if pair is None else pair[1 if lang == "en" else 0]
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError, ValueError):
        return text
