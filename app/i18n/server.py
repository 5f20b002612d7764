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
    "server_login_needed": ("请先登录街道工作人员页面", "Log in to the officer page first"),
    "server_bad_query": (
        "网址中的参数无法识别，请从页面上的链接进入",
        "The address has parameters that cannot be read; follow a link on the page",
    ),
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
    "kind_passage_backfill": ("补录通行", "backfilled passage"),
    # --- server: the page for a district (#15) and the records an officer can trust (#17)
    "officer_gate_code": ("卡口代码", "Gate code"),
    "device_ambiguous": (
        "“{device}”对应多个卡口（{codes}）：请输入完整的卡口代码",
        "“{device}” fits several gates ({codes}): type the whole gate code",
    ),
    "officer_state": ("状态", "State"),
    "officer_state_ok": ("正常", "OK"),
    "officer_state_silent": ("失联", "Silent"),
    "officer_state_revoked": ("已吊销", "Revoked"),
    "officer_voids": ("撤销", "Voided"),
    "officer_backfill": ("补录", "Backfilled"),
    "officer_clock_suspect": ("时钟异常", "Clock suspect"),
    "officer_total_gates": ("卡口", "Gates"),
    "officer_silent_hint": (
        "超过 {minutes} 分钟没有同步的卡口标为失联（GATEPOST_SILENT_MINUTES）",
        "A gate not heard from for more than {minutes} minutes is marked silent "
        "(GATEPOST_SILENT_MINUTES)",
    ),
    "officer_filter_text": ("名称/代码", "Name/code"),
    "officer_any": ("全部", "Any"),
    "officer_filter": ("筛选", "Filter"),
    "officer_filter_clear": ("清除", "Clear"),
    "officer_synced_lt1": ("1 小时内", "within 1 hour"),
    "officer_synced_lt24": ("24 小时内", "within 24 hours"),
    "officer_synced_gt2": ("超过 2 小时", "over 2 hours ago"),
    "officer_synced_gt24": ("超过 24 小时", "over 24 hours ago"),
    "officer_synced_gt168": ("超过 7 天", "over 7 days ago"),
    "officer_synced_never": ("从未同步", "never"),
    "officer_shown": ("显示 {shown} / {total} 个卡口", "Showing {shown} of {total} gates"),
    "officer_ungrouped": ("未分组", "Ungrouped"),
    "officer_group_count": ("{n} 个卡口，失联 {silent}", "{n} gates, {silent} silent"),
    "officer_street": ("街道", "Street"),
    "officer_community": ("社区", "Community"),
    "officer_revoke_yes": ("确定吊销", "Revoke it"),
    "officer_revoke_no": ("取消", "Cancel"),
    "officer_verify": ("核对卡口日报", "Verify a gate's daily report"),
    "officer_verify_button": ("核对", "Verify"),
    "officer_verify_pick": (
        "请选择卡口导出的日报文件（CSV、XLSX 或 PDF）",
        "Choose a daily report file exported by a gate (CSV, XLSX or PDF)",
    ),
    "officer_day_match": (
        "服务器核对 {day}：卡口签名 {signed} 条，服务器收到 {held} 条，一致",
        "Server check {day}: the gate signed {signed} rows, the server holds {held}: they match",
    ),
    "officer_day_differs": (
        "服务器核对 {day}：卡口签名 {signed} 条，服务器收到 {held} 条，不一致",
        "Server check {day}: the gate signed {signed} rows, the server holds {held}: they differ",
    ),
    "officer_day_head_missing": (
        "服务器核对 {day}：当日的链尾不在服务器收到的记录中（可能尚未同步）",
        "Server check {day}: the day's chain head is not among the events here (not synced yet?)",
    ),
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
    # --- server: roll-ups check and retention (#15)
    "server_rollups_ok": (
        "统计与事件一致（{days} 天、{gates} 个卡口）",
        "The counts match the events ({days} days, {gates} gates)",
    ),
    "server_rollups_diff": (
        "不一致：{what} {key}：保存的 {kept}，按事件应为 {events}",
        "Mismatch: {what} {key}: kept {kept}, the events say {events}",
    ),
    "server_rollups_found": (
        "共 {n} 处不一致；用 --fix 按事件重建",
        "{n} mismatches; --fix rebuilds them from the events",
    ),
    "server_rollups_fixed": (
        "已按事件重建统计（{n} 处不一致）",
        "Counts rebuilt from the events ({n} mismatches)",
    ),
    "server_retention_days": (
        "保留天数应为 1 到 {high} 之间的整数，而不是 {value}",
        "Retention days must be a whole number from 1 to {high}, not {value}",
    ),
    "server_purge_done": (
        "已删除 {cutoff} 之前的数据：事件 {events} 条、统计 {rollups} 行、隔离 {quarantine} 条",
        "Deleted data before {cutoff}: {events} events, {rollups} count rows, "
        "{quarantine} quarantined",
    ),
    "server_purge_unexported": (
        "以下日期的数据从未导出，将按保留期限删除：{days}",
        "Never exported, to be deleted when the retention period ends: {days}",
    ),
    "server_purge_on": ("{when} 删除", "deleted on {when}"),
    "server_purged_unexported": (
        "注意：以下日期从未导出，已删除：{days}",
        "Note: these days were never exported and have been deleted: {days}",
    ),
}
