"""The subdistrict server and its officer page."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # --- server: officer page trust and exports (#13, #15)
    "officer_login_locked": (
        "尝试次数过多，已锁定 {minutes} 分钟，请稍后再试",
        "Too many tries: locked for {minutes} minutes, try again later",
    ),
    "server_bad_date": ("日期应为 YYYY-MM-DD 格式", "The date must be YYYY-MM-DD"),
    "server_form_expired": (
        "表单已失效或来自其他网站，请刷新页面后重试",
        "The form has expired or came from another site; reload the page and try again",
    ),
    "server_too_large": ("上传内容太大（上限 {mb} MB）", "The upload is too large (limit {mb} MB)"),
    "officer_enrol_gate": ("登记离线卡口", "Enrol an offline gate"),
    "officer_enrol_device_id": ("设备编号", "Device id"),
    "officer_enrol_public_key": ("设备公钥", "Device public key"),
    "officer_enrol_name": ("名称", "Name"),
    "officer_enrol_done": ("已登记卡口 {device}", "Gate {device} enrolled"),
    "officer_enrol_failed": ("登记失败：{reason}", "Enrolment failed: {reason}"),
    "export_voided": ("已撤销", "voided"),
    "officer_revoke_confirm": (
        "确定吊销卡口 {name}？吊销后它将无法同步，直到重新配对。",
        "Revoke gate {name}? It cannot sync until it is paired again.",
    ),
    "kind_passage": ("通行", "passage"),
    "kind_fever_check": ("发热复测", "fever check"),
    "kind_void": ("撤销", "void"),
    "kind_volunteer": ("志愿者", "volunteer"),
    "kind_shift_event": ("值班", "shift"),
    "kind_shift_log": ("值班日志", "shift log"),
    "kind_audit": ("干部审计", "officer audit"),
    "kind_roster_change": ("名册变更", "roster change"),
    "kind_visitor_pass": ("访客通行证", "visitor pass"),
    # --- #16.5 the address in the pairing codes
    "public_url_used": (
        "配对码中的服务器地址：{url}（{source}）",
        "The pairing codes name the server as {url} ({source})",
    ),
    "public_url_change": (
        "如需更改：server --public-url 地址（会记住），enrol-code --url 地址，或环境变量 {env}",
        "To change it: server --public-url URL (remembered), enrol-code --url URL, or {env}",
    ),
    "public_url_from_flag": ("命令行指定", "given on the command line"),
    "public_url_from_env": ("来自环境变量", "from the environment"),
    "public_url_from_saved": ("上次 server --public-url 保存的", "saved by server --public-url"),
    "public_url_from_lan": ("本机局域网地址", "this PC's LAN address"),
    "public_url_from_hostname": (
        "本机名称：没有找到局域网地址",
        "this PC's name: no LAN address found",
    ),
    "public_url_from_bound": (
        "服务器只监听这个地址；要让门岗连上，请用 --host 0.0.0.0",
        "the one address it listens on; for the gates, use --host 0.0.0.0",
    ),
    "public_url_bad": (
        "服务器地址应为 http://主机:端口（不带路径）：{url}",
        "The server address must be http://host:port (no path): {url}",
    ),
    "server_workers_need_postgres": (
        "多个工作进程（--workers {workers}）需要 PostgreSQL：请设置 DATABASE_URL",
        "Several workers (--workers {workers}) need PostgreSQL: set DATABASE_URL",
    ),
}
