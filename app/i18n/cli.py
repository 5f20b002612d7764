"""The command line and the settings' limits."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # --- command line and settings limits (issues #10, #11, #13): cli/, app/settings.py
    "setting_label_checkpoint_id": ("卡口编号", "Checkpoint id"),
    "setting_label_checkpoint_name": ("卡口名称", "Checkpoint name"),
    "setting_label_compound_name": ("小区名称", "Compound"),
    "setting_label_sync_mode": ("同步方式", "Sync"),
    "setting_label_fever_threshold": ("体温阈值", "Fever threshold"),
    "setting_label_retest_rest_seconds": ("复测等待秒数", "Re-test rest (s)"),
    "setting_label_debounce_seconds": ("重复扫码间隔秒数", "Same-code window (s)"),
    "setting_label_camera_source": ("摄像头来源", "Camera source"),
    "setting_label_language": ("界面语言", "Language"),
    "setting_label_retention_days": ("记录保留天数", "Retention days"),
    "setting_label_quick_temps": ("快捷体温", "Quick temperatures"),
    "setting_label_volunteer": ("值班志愿者", "Volunteer on duty"),
    "setting_label_household_exit_quota": ("每户每日外出人数", "Household exits a day"),
    "setting_label_pass_valid_days": ("通行证有效天数", "Pass valid days"),
    "setting_label_overdue_minutes": ("滞留提醒分钟数", "Overdue after (minutes)"),
    "setting_unknown": ("没有这个设置：{name}", "No such setting: {name}"),
    "setting_not_number": (
        "{label}须是数字，不是 {value}",
        "{label} must be a number, not {value}",
    ),
    "setting_not_int": (
        "{label}须是整数，不是 {value}",
        "{label} must be a whole number, not {value}",
    ),
    "setting_range": ("{label}须在 {low}–{high} 之间", "{label} must be between {low} and {high}"),
    "setting_range_hint": (
        "{label}须在 {low}–{high} 之间，是否想输入 {hint}？",
        "{label} must be between {low} and {high}; did you mean {hint}?",
    ),
    "setting_choices": (
        "{label}只能是 {choices}，不是 {value}",
        "{label} must be one of {choices}, not {value}",
    ),
    "setting_text_control": (
        "{label}不能含控制字符",
        "{label} must not contain control characters",
    ),
    "setting_text_length": (
        "{label}须为 {low}–{high} 个字符",
        "{label} must be {low} to {high} characters long",
    ),
    "setting_quick_temps": (
        "快捷体温须是 1–{n} 个以逗号分隔的温度，每个在 {low}–{high} 之间（“{value}”不行）",
        "Quick temperatures must be 1 to {n} comma-separated temperatures, "
        "each between {low} and {high} (not “{value}”)",
    ),
    "setting_camera_index": (
        "摄像头编号须在 0–{high} 之间，不是 {value}",
        "A webcam index must be between 0 and {high}, not {value}",
    ),
    "setting_camera_missing": (
        "摄像头来源无法打开：没有这个文件或文件夹 {value}",
        "The camera source cannot open: no such file or folder {value}",
    ),
    "setting_camera_no_images": (
        "摄像头来源无法打开：文件夹 {value} 里没有可读的图片",
        "The camera source cannot open: no readable images in the folder {value}",
    ),
    "setting_camera_not_video": (
        "摄像头来源无法打开：{value} 不是可读的视频",
        "The camera source cannot open: {value} is not a readable video",
    ),
    "arg_not_int": ("不是整数：{value}", "not a whole number: {value}"),
    "arg_not_number": ("不是数字：{value}", "not a number: {value}"),
    "arg_at_least": ("{value} 太小，至少为 {low}", "{value} is too small: at least {low}"),
    "arg_between": (
        "{value} 超出范围，须在 {low}–{high} 之间",
        "{value} is out of range: between {low} and {high}",
    ),
    "arg_bad_date": (
        "日期无效：{value}（格式 YYYY-MM-DD）",
        "not a valid date: {value} (YYYY-MM-DD)",
    ),
    "pin_needed": (
        "需要主管 PIN：请在提示时输入，或设置环境变量 {env}",
        "An officer PIN is needed: type it when asked, or set {env}",
    ),
    "arg_bad_phone": (
        "手机号无效：{value}（手机 11 位，座机 7–12 位）",
        "not a valid phone number: {value} (mobile 11 digits, landline 7–12)",
    ),
    "out_dir_missing": ("文件夹不存在：{path}", "No such folder: {path}"),
    "out_is_dir": (
        "这是一个文件夹，请给出文件名：{path}",
        "That is a folder; give a file name: {path}",
    ),
    "file_missing": ("找不到文件：{path}", "File not found: {path}"),
    "file_is_folder": ("这是一个文件夹，不是文件：{path}", "That is a folder, not a file: {path}"),
    "import_is_folder": (
        "这是一个文件夹：请选择其中的 CSV 或 XLSX 文件（{path}）",
        "That is a folder: choose the CSV or XLSX file in it ({path})",
    ),
    "residents_exported": ("已导出 {n} 位居民到 {path}", "Exported {n} residents to {path}"),
    "print_no_residents": ("花名册里没有居民，未生成文件", "The roster is empty; no file written"),
    "print_no_building": (
        "{building} 栋没有居民，未生成文件",
        "No residents in building {building}; no file written",
    ),
    "print_no_resident": (
        "没有编号为 {resident} 的在住居民，未生成文件",
        "No resident with id {resident} (or moved out); no file written",
    ),
    "print_done": ("{cards} 张通行证，{pages} 页：{path}", "{cards} cards, {pages} pages: {path}"),
    "visitor_pass_done": ("{path}（有效至 {until}）", "{path} (valid until {until})"),
    "export_date_required": (
        "请用 --date YYYY-MM-DD 指定日期",
        "Give the day with --date YYYY-MM-DD",
    ),
    "demo_data_done": (
        "演示数据：居民 {residents} 人，通行 {passages} 条，"
        "发热 {fever_checks} 次，班次 {shifts} 个",
        "Demo data: {residents} residents, {passages} passages, {fever_checks} fever checks, "
        "{shifts} shifts",
    ),
    "server_bad_host": ("无法识别的主机地址：{host}", "Unknown host address: {host}"),
    "server_port_busy": (
        "端口 {port} 已被占用（{host}），请换一个端口（--port）或先关闭占用它的程序",
        "Port {port} is busy on {host}; choose another (--port) or stop what uses it",
    ),
    "server_listening": (
        "门岗通服务器运行于 http://{host}:{port}/（按 Ctrl-C 停止）",
        "Gatepost server on http://{host}:{port}/  (Ctrl-C to stop)",
    ),
    "officer_password_needed": (
        "需要密码（--password 或在提示时输入）",
        "A password is needed (--password, or type it when asked)",
    ),
    "officer_saved": ("已保存主管账号 {username}", "Officer {username} saved"),
    "enrol_refused_code_used": (
        "配对失败：此配对码已用过，请在服务器上生成新的配对码（enrol-code）",
        "Pairing refused: this code was already used; make a new one on the server (enrol-code)",
    ),
    "enrol_refused_code_expired": (
        "配对失败：配对码已过期，请在服务器上生成新的配对码",
        "Pairing refused: the code has expired; make a new one on the server",
    ),
    "enrol_refused_unknown_code": (
        "配对失败：服务器不认识此配对码，请核对或重新生成",
        "Pairing refused: the server does not know this code; check it or make a new one",
    ),
}
