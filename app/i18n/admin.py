"""The installable app and the window's admin actions."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # --- the 管理 dialog and the bundle (#16, ui/admin/)
    "admin_title": ("管理", "Admin"),
    "admin_pair": ("与服务器配对（粘贴配对码）", "Pair with the server (paste the code)"),
    "admin_pair_hint": (
        "粘贴服务器配对二维码的文字（gatepost://enrol?…）；也可把二维码对准摄像头",
        "Paste the text of the server's pairing QR (gatepost://enrol?…)"
        " or show the QR to the camera",
    ),
    "admin_pair_not_code": (
        "这不是配对码（应以 gatepost://enrol? 开头）",
        "This is not a pairing code (it starts with gatepost://enrol?)",
    ),
    "admin_pair_started": ("正在与服务器配对…", "Pairing with the server…"),
    "admin_usb": ("U盘：导出记录 / 导入回执", "USB: export records / import the ack"),
    "admin_key": (
        "导入其他门岗的公钥（文件或二维码图片）",
        "Import another gate's public key (file or QR picture)",
    ),
    "admin_purge": ("立即清除过期记录", "Purge expired records now"),
    "admin_pin": ("设置或修改干部密码", "Set or change the officer PIN"),
    "admin_language": ("切换语言 中文 / English", "Switch language 中文 / English"),
    "admin_salvage": ("抢救损坏的数据库", "Salvage a damaged database"),
    "admin_salvage_running": ("正在抢救数据…（可取消）", "Salvaging the data… (can be cancelled)"),
    "admin_salvage_cancelled": (
        "已取消抢救，数据库未改动。",
        "Salvage cancelled; the database was not changed.",
    ),
    "admin_salvage_sound": (
        "数据库完好，无需抢救。",
        "The database is sound; nothing to salvage.",
    ),
    "admin_no_health": (
        "此窗口未启用数据库检查",
        "The database check is not available in this window",
    ),
    "admin_no_sync": ("同步功能未启用", "Sync is not available in this window"),
    "admin_print": (
        "打印住户通行证（全部或某一栋）",
        "Print resident passes (all or one building)",
    ),
    "admin_print_which": ("为哪些住户打印？", "Print passes for"),
    "admin_print_all": ("全部住户", "All residents"),
    "admin_print_building": ("{building} 栋", "Building {building}"),
    "admin_print_started": ("正在生成通行证 PDF…", "Making the pass PDF…"),
    "admin_print_busy": (
        "上一份通行证还在生成，请稍候",
        "The previous passes are still being made",
    ),
}
