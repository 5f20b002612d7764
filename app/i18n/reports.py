"""Daily reports, exports and their digest."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # --- reports: records an officer can trust (#17)
    "export_format_label": ("格式", "Format"),
    "col_check": ("校验码", "Check"),
    "col_day": ("日期", "Day"),
    "digest_label": ("门岗签名校验", "Gate-signed digest"),
    "verify_ok": (
        "一致：{file} 与门岗 {gate} 签名的记录相符（{days} 天，{rows} 行）",
        "Consistent: {file} matches what gate {gate} signed ({days} days, {rows} rows)",
    ),
    "verify_mismatch": (
        "不一致：{file} 与门岗签名的记录不符，以下内容被改动：",
        "NOT consistent: {file} differs from what the gate signed:",
    ),
    "verify_row_changed": (
        "第 {row} 行（{day}）的内容与其校验码不符",
        "row {row} ({day}) does not match its check code",
    ),
    "verify_count": (
        "{day}：签名记录 {n} 行，文件中有 {found} 行（有行被删除或添加）",
        "{day}: {n} rows signed, {found} in the file (rows deleted or added)",
    ),
    "verify_codes_changed": (
        "{day}：校验码列被改动或行被调换，无法定位到具体行",
        "{day}: check codes changed or rows moved; the row cannot be named",
    ),
    "verify_day_unsigned": (
        "{day}：文件中有此日的行，但没有此日的签名",
        "{day}: the file has rows of this day but no signed digest for it",
    ),
    "verify_pdf_total": (
        "PDF 上的通行记录数 {found} 与签名的 {n} 不符",
        "The PDF shows {found} passages, the signature says {n}",
    ),
    "verify_other_gate": (
        "拒绝：此报表由另一门岗的密钥（{key}）签名，不是本门岗的密钥（{own}）",
        "Refused: this report was signed by another gate's key ({key}), not this gate's ({own})",
    ),
    "verify_bad_signature": (
        "拒绝：{day} 的签名无效（签名行被改过，或不是门岗签发的）",
        "Refused: the signature of {day} does not hold (the digest was edited, or forged)",
    ),
    "verify_no_digest": (
        "拒绝：文件中没有门岗签名校验（签名行被删除，或不是门岗通导出的报表）",
        "Refused: the file carries no gate-signed digest (deleted, or not a Gatepost export)",
    ),
    "verify_bad_key": (
        "公钥格式不对：应为 64 位十六进制（report-key 显示本门岗的公钥）",
        "Not a public key: 64 hex digits expected (report-key shows this gate's)",
    ),
    "col_clock": ("系统时间", "Clock"),
    "purge_clock_suspect": (
        "系统时间异常（偏差 {drift} 秒）：今天不按日期清理旧记录，请先校正电脑时间",
        "System clock in doubt ({drift} s off): no purge by date today; set the PC's time first",
    ),
    "clock_alarm": (
        "系统时间异常：{why}。请主管把电脑时间改正（右下角时间 → 调整日期/时间，或联网同步）；"
        "期间的通行记录已标记“时间存疑”，照常登记即可",
        "System clock wrong: {why}. Officer: set the PC's date and time (or let it sync); "
        "passages meanwhile are marked 'clock in doubt', keep recording",
    ),
    "clock_alarm_mark": ("系统时间异常", "Clock wrong"),
    "clock_why_behind_records": (
        "电脑时间比最新记录早 {minutes} 分钟",
        "the clock is {minutes} min earlier than the newest record",
    ),
    "clock_why_jumped": ("电脑时间突然跳变了 {minutes} 分钟", "the clock jumped by {minutes} min"),
    "clock_why_off_reference": (
        "电脑时间与服务器时间相差 {minutes} 分钟",
        "the clock is {minutes} min away from the server's time",
    ),
    "clock_suspect_cell": (
        "时间存疑：上次可信 {trusted} UTC，其后 {offset} 秒",
        "Clock in doubt: last trusted {trusted} UTC, {offset} s later",
    ),
    "clock_suspect_cell_bare": ("时间存疑", "Clock in doubt"),
    "col_backfill": ("补录", "Backfilled"),
    "reason_backfill": ("纸质登记为禁止通行", "Refused on the paper register"),
    "backfill_cell": (
        "补录：纸质登记第 {page} 页，{when} UTC 由 {who} 录入",
        "Backfilled: paper page {page}, typed in {when} UTC by {who}",
    ),
    "total_backfilled": ("其中补录", "Of which backfilled"),
    "backfill_confirm": ("请确认这一行：{doubts}", "Please confirm this line: {doubts}"),
    "backfill_future": ("纸上时间晚于现在", "the paper time is in the future"),
    "backfill_gate_was_up": (
        "纸上时间门岗电脑在正常登记（不在停机期间）",
        "the gate PC was recording at the paper time (not while it was down)",
    ),
    "backfill_twice": (
        "同一人同一分钟已有记录",
        "the same person already has a record in that minute",
    ),
    "backfill_bad_page": (
        "页码应为纸质登记本的页数：{value}",
        "Page: the register's page number: {value}",
    ),
    "backfill_bad_time": (
        "时间应为 HH:MM（如 10:30）或 YYYY-MM-DD HH:MM：{value}",
        "Time: HH:MM (10:30) or YYYY-MM-DD HH:MM: {value}",
    ),
    "backfill_title": ("补录纸质登记", "Backfill from paper"),
    "backfill_hint": (
        "按纸质登记逐行录入：Tab 换格，Enter 保存这一行；需要确认时再按一次 Enter",
        "Type the paper register line by line: Tab moves, Enter saves the line; "
        "Enter again to confirm when asked",
    ),
    "backfill_saved": ("已补录 {n} 行", "{n} lines backfilled"),
    "backfill_confirm_again": ("再按 Enter 确认保存", "Press Enter again to save anyway"),
    "col_page": ("页码", "Page"),
    "col_paper_day": ("纸质登记日期", "Register date"),
    "backfill_button": ("补录", "Backfill"),
    "backfill_bad_line": (
        "第 {page} 页这一行填写不完整（进出、类别、结果、页码）",
        "Page {page}: this line is incomplete (direction, category, decision, page)",
    ),
    "verify_bad_file": ("无法读取 {file}：{detail}", "Cannot read {file}: {detail}"),
    "verify_need_pdftotext": (
        "检查 PDF 需要 pdftotext（安装 poppler-utils），或改为检查同日的 CSV/XLSX",
        "Checking a PDF needs pdftotext (poppler-utils); or check the day's CSV/XLSX",
    ),
    "report_key_show": (
        "本门岗报表签名公钥（主管用 verify-report --key 核对报表）：\n{key}\n编号 {key_id}",
        "This gate's report signing key (officers check reports with verify-report --key):\n"
        "{key}\nkey id {key_id}",
    ),
    # gate window polish (#10 items 6, 9)
    "volunteer_change": ("更换", "Change"),
}
