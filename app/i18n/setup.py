"""The first-run wizard (#16, app/setup/, ui/setup/)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "setup_title": ("门岗通 · 首次使用设置", "Gatepost · first-time set-up"),
    "setup_step": ("第 {n} 步，共 {total} 步", "Step {n} of {total}"),
    "setup_back": ("上一步", "Back"),
    "setup_next": ("下一步", "Next"),
    "setup_finish": ("完成，开始值班", "Finish and start"),
    "setup_place_title": ("这个门岗叫什么？", "What is this gate called?"),
    "setup_place_hint": (
        "名称显示在窗口标题、报表和通行证上，以后可在 设置 中修改",
        "Shown in the title, the reports and on passes; change it later in Settings",
    ),
    "setup_compound": ("小区名称", "Compound"),
    "setup_checkpoint": ("门岗（卡口）名称", "Gate (checkpoint) name"),
    "setup_pin_title": ("设置干部密码", "Set the officer PIN"),
    "setup_pin_later": ("稍后设置", "Set it later"),
    "setup_pin_later_note": (
        "已选择稍后设置：状态栏会一直显示红色“未设置干部密码”，导出、设置等操作前会先请您设置",
        "Put off: the status bar shows a red “No officer PIN” and export, settings and the"
        " like ask you to set it first",
    ),
    "setup_pin_exists": (
        "干部密码已设置（在 管理 F12 中修改）",
        "The officer PIN is already set (change it in Admin F12)",
    ),
    "setup_camera_title": ("选择摄像头", "Choose the camera"),
    "setup_camera_hint": (
        "点选一个来源，右边是它的实时画面；以后可在 设置 中更换",
        "Pick a source to see it live on the right; change it later in Settings",
    ),
    "setup_camera_webcam": ("摄像头 {index}：{name}", "Webcam {index}: {name}"),
    "setup_camera_auto": ("自动（第一个摄像头）", "Automatic (the first webcam)"),
    "setup_camera_demo": ("演示画面 · 练习模式", "Demo picture · training mode"),
    "setup_camera_demo_note": (
        "练习模式：假健康码，记录不计入正式台账；下次启动时生效",
        "Training mode: made-up codes, records kept apart; from the next start",
    ),
    "setup_camera_file": ("视频文件或图片文件夹…", "A video file or an image folder…"),
    "setup_camera_none": ("请选择一个摄像头来源", "Choose a camera source"),
    "setup_camera_no_webcam": (
        "没有找到摄像头：可先选演示画面练习，接上摄像头后在 设置 中选择",
        "No webcam found: practise with the demo, choose the webcam in Settings once plugged in",
    ),
    "setup_sync_title": ("记录怎样送到街道？", "How do the records reach the subdistrict?"),
    "setup_sync_scan": (
        "扫描服务器的配对二维码（对准摄像头）",
        "Scan the server's pairing QR (show it to the camera)",
    ),
    "setup_sync_paste": ("粘贴配对码", "Paste the pairing code"),
    "sync_mode_server": ("联网（与服务器配对）", "Network (paired with the server)"),
    "sync_mode_usb": ("不联网（用U盘）", "No network (USB stick)"),
    "setup_sync_none": ("请选择同步方式", "Choose how to sync"),
    "setup_sync_read": ("已读到配对码：{server}", "Pairing code read: {server}"),
    "setup_sync_wait": (
        "请把服务器配对二维码对准摄像头…",
        "Show the server's pairing QR to the camera…",
    ),
    "setup_roster_title": ("住户名单", "The residents' roster"),
    "setup_roster_now": (
        "现在导入名单文件（Excel / CSV）…",
        "Import a roster file now (Excel / CSV)…",
    ),
    "setup_roster_later": (
        "以后再导入（名单 F6 → 导入）",
        "Later (Roster F6 → Import)",
    ),
    "setup_roster_none": ("请选择导入名单的方式", "Choose when to import the roster"),
    "setup_roster_done": ("已导入 {count} 位住户", "{count} residents imported"),
    "setup_done": (
        "设置完成：{name}。以后可在 设置 和 管理 F12 中修改",
        "Set up: {name}. Change it later in Settings and Admin F12",
    ),
}
