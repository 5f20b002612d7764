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
    "server_workers_need_postgres": (
        "多个工作进程（--workers {workers}）需要 PostgreSQL：请设置 DATABASE_URL",
        "Several workers (--workers {workers}) need PostgreSQL: set DATABASE_URL",
    ),
    # --- server: roll-ups check and retention (#15); the page's extra counts (#17)
    "officer_voids": ("撤销", "Voided"),
    "officer_backfill": ("补录", "Backfilled"),
    "officer_clock_suspect": ("时间存疑", "Clock in doubt"),
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
