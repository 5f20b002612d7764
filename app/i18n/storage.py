"""The gate's files: storage, damage and salvage, limits on hostile input."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
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
        "保存失败：本次记录未保存（磁盘已满或数据库无法写入）。请腾出空间后重新登记。",
        "NOT saved: this record was not written (disk full or database not writable). "
        "Free some space, then record it again.",
    ),
    "bug": ("程序出错，已记录日志，门岗可继续使用。", "A bug was logged; the gate keeps working."),
    "no_display": (
        "没有图形显示。请用：xvfb-run -a make run",
        "No display. Use: xvfb-run -a make run",
    ),
    "volunteer_prompt": ("请输入值班志愿者姓名", "Name of the volunteer on duty"),
    # --- hostile input and damaged files (#13, gate side): roster files, bundles, images, db
    "import_too_many_rows": (
        "表格超过 {limit} 行，请分成几个文件导入",
        "The sheet has more than {limit} rows; split it into several files",
    ),
    "import_too_many_columns": (
        "表格超过 {limit} 列，请只保留居民信息的列",
        "The sheet has more than {limit} columns; keep only the residents' columns",
    ),
    "import_too_big": (
        "文件过大或结构异常（{what}），已拒绝读取",
        "The file is too large or oddly built ({what}); refused before reading",
    ),
    "import_field_too_long": (
        "第 {row} 行有一个格子内容过长，文件可能已损坏",
        "Row {row} has a cell far too long; the file may be damaged",
    ),
    "import_damaged": (
        "表格文件已损坏，无法读取，请重新保存后再导入",
        "The spreadsheet file is damaged; save it again and retry",
    ),
    "import_no_sheet": (
        "工作簿里没有可读取的工作表（只有图表？）",
        "The workbook has no worksheet to read (charts only?)",
    ),
    "import_sheet_missing": (
        "工作簿缺少工作表内容，文件不完整",
        "A worksheet is missing from the workbook; the file is incomplete",
    ),
    "image_missing": ("找不到图片文件", "file not found"),
    "image_is_folder": ("这是一个文件夹，不是图片", "is a directory"),
    "image_empty": ("图片文件是空的", "empty file"),
    "image_file_too_large": ("图片文件过大", "file too large"),
    "image_cannot_read": ("无法读取图片文件：{detail}", "cannot read file: {detail}"),
    "image_unreadable": ("无法识别的图片或图片已损坏", "not a readable image"),
    "image_too_many_pixels": (
        "图片像素过多（超过 {limit} 像素），已拒绝解码",
        "image too large (over {limit} pixels); not decoded",
    ),
    "image_too_small": (
        "图片太小（{width}×{height}），放不下二维码（至少 {side}×{side}）",
        "image too small ({width}x{height}) to hold a QR code (at least {side}x{side})",
    ),
    "db_salvaged": (
        "数据库文件损坏：已抢救出 {copied} 行数据，丢失 {lost} 行（未上传记录序号：{seqs}）。"
        "损坏的文件另存为 {moved}。请告知街道。",
        "The database was damaged: {copied} rows saved, {lost} lost (outbox sequence numbers: "
        "{seqs}). The damaged file is kept as {moved}. Tell the subdistrict.",
    ),
    "db_check_damaged": (
        "数据库检查发现损坏（{problems} 处）。门岗可继续登记；下次启动时将自动抢救数据。",
        "The database check found damage ({problems} problems). Keep recording; the next "
        "start salvages the data.",
    ),
    "db_check_chain": (
        "待上传记录的校验不符（序号 {seqs}），请告知街道。",
        "Outbox events off the hash chain (sequence numbers {seqs}); tell the subdistrict.",
    ),
    "db_in_use": (
        "数据库正被门岗程序使用，请先关闭门岗程序再抢救。",
        "The database is open in Gatepost; close it before salvaging.",
    ),
    "db_salvage_failed": (
        "抢救数据失败，数据库未改动：{detail}",
        "The salvage failed; the database was not changed: {detail}",
    ),
    "db_check_ok": (
        "数据库完好（{kind}，{seconds:.1f} 秒）：未发现损坏，待上传记录校验一致。",
        "The database is sound ({kind}, {seconds:.1f} s): no damage, the outbox chain holds.",
    ),
    "db_check_bad": (
        "数据库已损坏（{kind}）：SQLite 发现 {problems} 处问题，待上传记录校验不符的序号：{seqs}。"
        "请关闭门岗程序后运行 db salvage 抢救数据。",
        "The database is damaged ({kind}): SQLite found {problems} problems; outbox events off "
        "the hash chain: {seqs}. Close Gatepost, then run db salvage.",
    ),
    "db_check_kind_full": ("完整检查", "full integrity_check"),
    "db_check_kind_quick": ("快速检查", "quick_check"),
    "db_salvage_lost_table": ("  {table}：丢失 {lost} 行", "  {table}: {lost} rows lost"),
    "db_salvage_unreadable_table": (
        "  {table}：整张表无法读取",
        "  {table}: the whole table is unreadable",
    ),
    "db_salvage_kept": (
        "  {table}：{rows} 行内容异常，已另存到 {path}",
        "  {table}: {rows} garbled rows set aside in {path}",
    ),
    "db_salvage_bad_text": (
        "  {table}：{rows} 行文字已损坏（以 \ufffd 代替）",
        "  {table}: {rows} rows with damaged text (kept with \ufffd)",
    ),
    "db_damage_mark": ("数据库损坏", "Database damaged"),
    "db_damage_found": (
        "数据库文件有损坏。门岗可以继续登记，已保存的记录不受影响。"
        "请联系干部：在“管理 F12”中抢救数据。",
        "The database file is damaged. Keep recording: saved records are not affected. Call "
        "the officer to salvage the data in Admin F12.",
    ),
    "bundle_why_damaged": ("文件已损坏或不是数据包", "the file is damaged or not a bundle"),
    "bundle_why_no_such_file": ("找不到文件", "no such file"),
    "bundle_why_unreadable": ("无法读取文件", "the file cannot be read"),
    "bundle_why_too_large": ("文件过大", "the file is too large"),
    "bundle_why_too_many_members": ("包内文件过多", "too many files inside"),
    "bundle_why_too_deep": ("包内目录层级异常", "folders nested inside"),
    "bundle_why_nested_archive": ("包内还有压缩包", "an archive inside the archive"),
    "bundle_why_bad_member_name": ("包内文件名异常", "a file name inside is unsafe"),
    "bundle_why_duplicate_member": ("包内文件重名", "a file name inside appears twice"),
    "bundle_why_member_too_large": ("包内文件过大", "a file inside is too large"),
    "bundle_why_member_larger_than_declared": (
        "包内文件比声明的大（压缩炸弹？）",
        "a file inside is larger than it claims (a zip bomb?)",
    ),
    "bundle_why_compression_ratio": (
        "压缩比异常（压缩炸弹？），未解压",
        "compressed far too well (a zip bomb?); not unpacked",
    ),
    "bundle_why_too_large_unpacked": ("解压后过大，未解压", "too large unpacked; not unpacked"),
    "bundle_why_bad_content": ("内容格式异常", "the content is malformed"),
    "bundle_why_unknown_version": (
        "数据包版本不认识，请升级门岗通",
        "unknown bundle version; update Gatepost",
    ),
    "bundle_why_sealed": (
        "数据包已加密，只有街道服务器能打开",
        "the bundle is encrypted; only the subdistrict server can open it",
    ),
    "bundle_why_other_server": (
        "数据包是加密给另一台服务器的",
        "the bundle is encrypted to another server's key",
    ),
    "bundle_why_sealed_altered": (
        "加密内容被改动或不完整",
        "the encrypted content was altered or is incomplete",
    ),
    "bundle_why_sealed_bad_envelope": (
        "加密数据包的信封已损坏",
        "the encrypted bundle's envelope is damaged",
    ),
    "bundle_why_sealed_device_mismatch": (
        "加密信封上的门岗与包内签名的门岗不符",
        "the gate named on the envelope is not the gate that signed the bundle",
    ),
    "bundle_why_bad_manifest": (
        "数据包清单缺失或格式异常",
        "the bundle's manifest is missing or malformed",
    ),
    "bundle_why_bad_signature": (
        "签名不对：数据包被改动过，或不是这个门岗签的",
        "the signature does not match: the bundle was altered or not signed by this gate",
    ),
    "bundle_why_chain_broken_inside": (
        "包内记录的哈希链断开（记录被改动或删除）",
        "the hash chain inside is broken (records altered or removed)",
    ),
    "bundle_why_count_mismatch": (
        "包内记录条数与清单不符",
        "the number of records differs from the manifest",
    ),
    "bundle_why_range_mismatch": (
        "包内记录的序号与清单不符",
        "the records' sequence numbers differ from the manifest",
    ),
    "bundle_why_events_altered": ("包内记录被改动过", "records inside were altered"),
    "bundle_why_events_unreadable": ("包内记录无法读取", "records inside cannot be read"),
    "bundle_why_bad_event": ("包内有一条记录格式异常", "a record inside is malformed"),
    "bundle_why_device_revoked": (
        "这个门岗已被吊销，请联系街道干部",
        "this gate has been revoked; ask the subdistrict officer",
    ),
    "bundle_why_key_mismatch": (
        "签名密钥与服务器登记的这个门岗的密钥不符",
        "the signing key is not the key the server holds for this gate",
    ),
    "bundle_why_unknown_device": (
        "服务器未登记这个门岗：请先配对或由干部登记（enrol-gate）",
        "the server does not know this gate: pair it first or have an officer enrol it",
    ),
}
