"""Exports and printouts (issue 4 item 6): the monthly notice, the ranking, a
household's passbook, the shop's redemptions and a sponsor's statement as CSV,
Excel and PDF, from the API and from `jifen export`.

What a user sees is checked by reading the files back with what a person's tools
would use: the CSV with Python's csv module (a cell that a spreadsheet would run
as a formula comes out neutralised, "'=SUM(1)"), the .xlsx by unzipping it and
parsing its sheet XML (standard library only), the PDF with pdftotext (the
Chinese names and the chain head are there) and pdftoppm (page 1 renders). Rows
are compared with the API's JSON of the same records."""
import csv
import datetime
import io
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import xml.etree.ElementTree as ET
import zipfile

from harness import Server, eq, jifen, run, status
from ledger_fixtures import CN, household_id, in_parallel, make_rule, passbook, record

PUBLIC_URL = "https://jifen.example.cn/"
NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KEEP = os.environ.get("EXPORTS_KEEP")  # a folder to keep the files in, to look at them


def keep(name, data):
    if KEEP:
        os.makedirs(KEEP, exist_ok=True)
        with open(os.path.join(KEEP, name), "wb") as f:
            f.write(data)


# ---- reading the files back ---------------------------------------------------

def csv_rows(body):
    """The records of a CSV download: starts with a UTF-8 BOM, CRLF line ends."""
    assert body.startswith(b"\xef\xbb\xbf"), f"no UTF-8 BOM: {body[:20]!r}"
    assert b"\r\n" in body, "CRLF line ends"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def col_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def xlsx_rows(body):
    """Every row of the first sheet as a list (shared strings resolved, numbers as int)."""
    z = zipfile.ZipFile(io.BytesIO(body))
    eq(z.testzip(), None, "zip members intact")
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall(NS + "si"):
            shared.append("".join(t.text or "" for t in si.iter(NS + "t")))
    sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    rows = {}
    for row in sheet.find(NS + "sheetData").findall(NS + "row"):
        cells = {}
        for c in row.findall(NS + "c"):
            v = c.find(NS + "v")
            if c.get("t") == "s":
                val = shared[int(v.text)]
            elif v is not None:
                f = float(v.text)
                val = int(f) if f == int(f) else f
            else:
                val = ""
            cells[col_index(c.get("r"))] = val
        width = max(cells) + 1 if cells else 0
        rows[int(row.get("r"))] = [cells.get(i, "") for i in range(width)]
    return [rows.get(i, []) for i in range(1, max(rows) + 1)] if rows else []


def table(rows, first_header):
    """(header, data rows) of a sheet: the table starts at the row whose first cell is
    first_header (the title and the lines about it come before)."""
    for i, r in enumerate(rows):
        if r and r[0] == first_header:
            width = len(r)
            return r, [x + [""] * (width - len(x)) for x in rows[i + 1:]]
    raise AssertionError(f"no header row starting {first_header!r} in {rows[:6]}")


def pdf_text(body):
    assert body.startswith(b"%PDF-"), f"not a PDF: {body[:20]!r}"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(body)
        f.flush()
        return subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True,
                              check=True, timeout=60).stdout.decode("utf-8")


def pdf_page_png(body, name):
    """Renders page 1 with pdftoppm; returns the PNG's bytes."""
    d = tempfile.mkdtemp(prefix="jifen-pdf-")
    try:
        pdf = os.path.join(d, "f.pdf")
        with open(pdf, "wb") as f:
            f.write(body)
        subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", "1", "-l", "1", pdf,
                        os.path.join(d, "p")], check=True, timeout=60)
        pngs = [p for p in os.listdir(d) if p.endswith(".png")]
        eq(len(pngs), 1, "one page rendered")
        with open(os.path.join(d, pngs[0]), "rb") as f:
            png = f.read()
        assert png.startswith(b"\x89PNG"), "a PNG"
        assert len(png) > 20000, f"page 1 has content ({len(png)} bytes)"
        keep(name, png)
        return png
    finally:
        shutil.rmtree(d, ignore_errors=True)


def qr_payloads(body):
    """The QR codes on page 1, as zbarimg (Debian zbar-tools, scripts/deps.sh) reads them."""
    assert shutil.which("zbarimg"), "zbarimg is missing: run scripts/deps.sh"
    d = tempfile.mkdtemp(prefix="jifen-qr-")
    try:
        pdf = os.path.join(d, "f.pdf")
        with open(pdf, "wb") as f:
            f.write(body)
        subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", pdf,
                        os.path.join(d, "p")], check=True, timeout=60)
        png = [os.path.join(d, p) for p in os.listdir(d) if p.endswith(".png")][0]
        out = subprocess.run(["zbarimg", "-q", "--raw", png], capture_output=True, timeout=60)
        return out.stdout.decode("utf-8").split()
    finally:
        shutil.rmtree(d, ignore_errors=True)


def download(client, path, fmt, what):
    sep = "&" if "?" in path else "?"
    r = status(client.get(f"{path}{sep}format={fmt}"), 200, f"{what} as {fmt}")
    want = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_TYPE, "pdf": "application/pdf"}[fmt]
    eq(r.header("Content-Type"), want, f"{what} {fmt} content type")
    disp = r.header("Content-Disposition") or ""
    assert disp.startswith("attachment; filename=\""), f"{what}: Content-Disposition {disp!r}"
    m = re.search(r"filename\*=UTF-8''([^;\s]+)", disp)
    assert m, f"{what}: no RFC 5987 filename* in {disp!r}"
    name = urllib.parse.unquote(m.group(1))
    assert name.endswith("." + fmt), f"{what}: file name {name!r}"
    ascii_name = re.search(r'filename="([^"]*)"', disp).group(1)
    assert re.fullmatch(r"[A-Za-z0-9._-]+", ascii_name), f"ASCII fallback {ascii_name!r}"
    eq(r.header("Cache-Control"), "private, no-store", f"{what} not cached")
    r.filename = name
    keep(name, r.body)
    return r


def last_month():
    t = datetime.datetime.now(CN).date().replace(day=1) - datetime.timedelta(days=1)
    return t.strftime("%Y-%m")


def neutral(s):
    return "'" + s if s and s[0] in "=+-@\t\r" else s


# ---- the passbook ---------------------------------------------------------------

def passbook_expected(client, hid):
    """The passbook as the export lays it out: oldest first, from the API's JSON."""
    bal, items = passbook(client, hid)
    return bal, list(reversed(items))


def test_passbook_csv_matches_the_api_and_neutralises_formulas():
    s = Server()
    try:
        admin, scorer = s.login("admin"), s.login("scorer")
        hid = household_id(admin, s.village_id, "1001")
        rule = make_rule(admin, s.village_id, category="好人好事", name="导出测试细则", points=3)
        notes = ["=SUM(1)", "+86 138", "-2 分", "@cmd", "\t制表开头", "王大娘说：\"谢谢\", 好人", "正常备注"]
        for note in notes:
            status(record(scorer, s.village_id, rule["id"], [hid], note=note), 201, f"record {note!r}")
        bal, entries = passbook_expected(admin, hid)
        r = download(admin, f"/api/v1/households/{hid}/passbook/export", "csv", "passbook")
        assert "积分存折" in r.filename and "1001" in r.filename, r.filename
        rows = csv_rows(r.body)
        eq(rows[0], ["编号", "日期", "类别", "事由", "成员", "积分", "余额", "状态", "备注"], "header")
        data = rows[1:]
        eq(len(data), len(entries), "one row per entry")
        for row, e in zip(data, entries):
            eq([int(row[0]), row[1], row[4], int(row[5]), int(row[6]), row[8]],
               [e["id"], e["deed_date"], e["member_name"] or "", e["points"], e["running_balance"],
                neutral(e["note"] or "")], f"entry {e['id']}")
            eq(row[7], "已确认" if e["confirmed"] else "公示中", "status")
        by_note = {row[8]: row for row in data}
        for raw, shown in [("=SUM(1)", "'=SUM(1)"), ("+86 138", "'+86 138"), ("-2 分", "'-2 分"),
                           ("@cmd", "'@cmd"), ("\t制表开头", "'\t制表开头"),
                           ("王大娘说：\"谢谢\", 好人", "王大娘说：\"谢谢\", 好人"), ("正常备注", "正常备注")]:
            assert shown in by_note, f"note {raw!r} should read {shown!r}; notes: {list(by_note)}"
            eq(by_note[shown][3], "导出测试细则", "reason is the rule")
        eq(int(data[-1][6]), bal["total"], "last running balance is the balance")
        # negative points stay numbers (not neutralised text)
        minus = make_rule(admin, s.village_id, category="扣分", name="导出扣分细则", points=-2)
        status(record(scorer, s.village_id, minus["id"], [hid], note="乱倒垃圾"), 201, "deduction")
        rows = csv_rows(download(admin, f"/api/v1/households/{hid}/passbook/export", "csv",
                                 "passbook").body)
        eq(rows[-1][5], "-2", "a deduction is the number -2")
    finally:
        s.close()


def test_passbook_xlsx_and_pdf():
    s = Server()
    try:
        admin = s.login("admin")
        hid = household_id(admin, s.village_id, "1001")
        bal, entries = passbook_expected(admin, hid)
        head = status(admin.get(f"/api/v1/households/{hid}"), 200, "household").json["head_name"]

        r = download(admin, f"/api/v1/households/{hid}/passbook/export", "xlsx", "passbook")
        rows = xlsx_rows(r.body)
        assert rows[0][0] == "高箭沟村 积分存折", f"title row {rows[0]}"
        assert any(head in str(c) for row in rows[:5] for c in row), "head named above the table"
        header, data = table(rows, "编号")
        eq(header, ["编号", "日期", "类别", "事由", "成员", "积分", "余额", "状态", "备注"], "header")
        eq(len(data), len(entries), "one row per entry")
        for row, e in zip(data, entries):
            eq([row[0], row[1], row[5], row[6], row[8]],
               [e["id"], e["deed_date"], e["points"], e["running_balance"], e["note"] or ""],
               f"entry {e['id']} (numbers are numbers)")

        r = download(admin, f"/api/v1/households/{hid}/passbook/export", "pdf", "passbook")
        text = pdf_text(r.body)
        flat = re.sub(r"\s+", "", text)  # pdftotext spaces text as it sees fit
        for want in ["高箭沟村积分存折", head, "1001", "户码1001", f"积分余额：{bal['total']}分",
                     "第1页/共1页"]:
            assert want in flat, f"{want!r} in the passbook PDF:\n{text[:1500]}"
        for e in entries[:5]:
            assert e["deed_date"] in text, f"entry date {e['deed_date']}"
        pdf_page_png(r.body, "passbook-page1.png")
        eq(qr_payloads(r.body), [f"JIFEN:{s.village_id}:1001"], "the household's QR code")
    finally:
        s.close()


def test_passbook_access():
    s = Server()
    try:
        admin, scorer, clerk = s.login("admin"), s.login("scorer"), s.login("clerk")
        mine = household_id(admin, s.village_id, "1001")
        other = household_id(admin, s.village_id, "1002")
        me = s.login_villager("1001")
        path = "/api/v1/households/{}/passbook/export?format=csv"
        eq(me.get(path.format(mine)).status, 200, "a villager exports their own passbook")
        r = me.get(path.format(other))
        eq((r.status, r.error_code), (403, "forbidden"), "not another household's")
        eq(s.anon().get(path.format(mine)).status, 401, "not without a login")
        for c, who in [(scorer, "scorer"), (clerk, "clerk"), (admin, "admin")]:
            eq(c.get(path.format(other)).status, 200, f"{who} (staff) may")
        eq(admin.get(path.format(999999)).status, 404, "no such household")
        for bad in ["", "format=doc", "format=CSV"]:
            r = admin.get(f"/api/v1/households/{mine}/passbook/export?{bad}")
            eq((r.status, r.error_code), (400, "bad_query"), f"format {bad!r}")
        county = s.login("county")
        eq(county.get(path.format(other)).status, 200, "the county admin above the village may")
    finally:
        s.close()


def test_parallel_downloads():
    """Twelve downloads at once, four of each format: every one whole, the same bytes
    as one made alone (CSV), the same sheet (xlsx), the same text (PDF)."""
    s = Server()
    try:
        admin = s.login("admin")
        hid = household_id(admin, s.village_id, "1001")
        path = f"/api/v1/households/{hid}/passbook/export"
        alone = {fmt: download(admin, path, fmt, "alone").body for fmt in ("csv", "xlsx", "pdf")}
        fmts = ["csv", "xlsx", "pdf"] * 4
        got = in_parallel(len(fmts), lambda i: admin.get(f"{path}?format={fmts[i]}"))
        for fmt, r in zip(fmts, got):
            eq(r.status, 200, f"{fmt} in parallel")
            if fmt == "csv":
                eq(r.body, alone["csv"], "the same CSV")
            elif fmt == "xlsx":
                eq(xlsx_sheet(r.body), xlsx_sheet(alone["xlsx"]), "the same sheet")
            else:
                eq(pdf_text(r.body), pdf_text(alone["pdf"]), "the same PDF text")
    finally:
        s.close()


# ---- the ranking ----------------------------------------------------------------

def ranking_json(client, village_id, period):
    items, page = [], 1
    while True:
        r = status(client.get(f"/api/v1/villages/{village_id}/ranking?period={period}"
                              f"&per_page=200&page={page}"), 200, "ranking")
        items += r.json["items"]
        if len(items) >= r.json["total"] or not r.json["items"]:
            return items
        page += 1


def test_ranking_exports():
    s = Server()
    try:
        admin = s.login("admin")
        year = str(datetime.datetime.now(CN).year)
        want = ranking_json(admin, s.village_id, year)
        assert len(want) > 100, "the demo village ranks its households"
        expected = [[w["rank"], w["household"]["passbook_no"], w["household"]["head_name"],
                     w["household"]["group_name"], w["earned"], w["group_rank"]] for w in want]
        path = f"/api/v1/villages/{s.village_id}/ranking/export?period={year}"
        rows = csv_rows(download(admin, path, "csv", "ranking").body)
        eq(rows[0], ["名次", "户号", "户主", "村民小组", "所得积分", "组内名次"], "header")
        eq([[int(r[0]), r[1], r[2], r[3], int(r[4]), int(r[5])] for r in rows[1:]], expected,
           "CSV rows are the API's ranking")
        header, data = table(xlsx_rows(download(admin, path, "xlsx", "ranking").body), "名次")
        eq(data, expected, "xlsx rows are the API's ranking")
        r = download(admin, path, "pdf", "ranking")
        text = pdf_text(r.body)
        assert f"{year}年 积分排名" in text, text[:500]
        for w in want[:10]:
            assert w["household"]["head_name"] in text, f"{w['household']['head_name']} in the PDF"
        pdf_page_png(r.body, "ranking-page1.png")
        # a quarter, and one group
        groups = status(admin.get(f"/api/v1/villages/{s.village_id}/groups"), 200, "groups").json
        g = (groups["items"] if isinstance(groups, dict) else groups)[0]
        rows = csv_rows(download(admin, f"{path}-Q1&group_id={g['id']}", "csv", "group ranking").body)
        assert rows[1:] and all(r[3] == g["name"] for r in rows[1:]), "only the group's households"
        # who may: staff and area admins, not villagers
        eq(s.login_villager("1001").get(path + "&format=csv").status, 403, "villager")
        eq(s.login("township").get(path + "&format=csv").status, 200, "township admin")
        r = admin.get(f"/api/v1/villages/{s.village_id}/ranking/export?period=2026-13&format=csv")
        eq((r.status, r.error_code), (422, "invalid_period"), "bad period")
    finally:
        s.close()


# ---- the monthly notice -----------------------------------------------------------

def published_notice(s, admin):
    """Last month's notice of the demo village: published now unless the demo did."""
    month = last_month()
    r = admin.post(f"/api/v1/villages/{s.village_id}/notices", {"month": month})
    if r.status == 201:
        return r.json["id"]
    eq(r.status, 409, f"publish {month}: {r}")
    items = status(admin.get(f"/api/v1/villages/{s.village_id}/notices?per_page=200"), 200,
                   "notices").json["items"]
    return [n for n in items if n["month"] == month][0]["id"]


def test_notice_exports():
    s = Server(args=["--public-url", PUBLIC_URL])
    try:
        admin = s.login("admin")
        nid = published_notice(s, admin)
        n = status(admin.get(f"/api/v1/notices/{nid}"), 200, "notice").json
        lines = n["households"]
        assert sum(len(l["entries"]) for l in lines) > 50, "the month has entries"
        expected = []
        for l in lines:
            expected.append([l["passbook_no"], l["head_name"], l["group_name"], "", l["points"]])
            for e in l["entries"]:
                expected.append([l["passbook_no"], l["head_name"], l["group_name"], e["deed_date"],
                                 e["points"]])
        base = f"/api/v1/notices/{nid}/export"
        r = download(admin, base, "csv", "notice")
        eq(r.filename, f"高箭沟村-{n['month']}-积分公示.csv", "file name")
        rows = csv_rows(r.body)
        eq(rows[0], ["户号", "户主", "村民小组", "日期", "事由", "积分", "备注"], "header")
        eq([[r[0], r[1], r[2], r[3], int(r[5])] for r in rows[1:]], expected,
           "a total line per household, then its entries")
        header, data = table(xlsx_rows(download(admin, base, "xlsx", "notice").body), "户号")
        eq([[r[0], r[1], r[2], r[3], r[5]] for r in data], expected, "xlsx rows")

        r = download(admin, base, "pdf", "notice")
        text = pdf_text(r.body)
        flat = re.sub(r"\s+", "", text)
        y, m = n["month"].split("-")
        assert f"高箭沟村{y}年{int(m)}月积分公示" in flat, text[:600]
        assert n["chain_hash"] in flat, "the chain head at publication is printed"
        url = PUBLIC_URL.rstrip("/") + f"/api/v1/villages/{s.village_id}/notices/current"
        assert url in flat, "the online notice's address is printed"
        for l in lines[:20]:
            assert l["head_name"] in text, f"{l['head_name']} in the notice"
        pages = int(re.search(r"第1页/共(\d+)页", flat).group(1))
        assert pages >= 2 and text.count("\f") >= pages - 1, f"paginated: {pages} pages"
        eq(len(re.findall(r"户号\s+户主", text)), pages, "the table's header on every page")
        pdf_page_png(r.body, "notice-page1.png")
        eq(qr_payloads(r.body), [url], "the QR code links to the online notice")
        # who may: the village's users read notices; other villages' staff do not
        eq(s.login_villager("1001").get(base + "?format=csv").status, 200, "a villager reads it")
        eq(s.anon().get(base + "?format=pdf").status, 401, "not without a login")
        eq(admin.get("/api/v1/notices/999999/export?format=pdf").status, 404, "no such notice")
    finally:
        s.close()


# ---- the shop ---------------------------------------------------------------------

def wait_confirmed(admin, nid, timeout=40):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if status(admin.get(f"/api/v1/notices/{nid}"), 200, "notice").json["status"] == "confirmed":
            return
        time.sleep(0.3)
    raise AssertionError(f"notice {nid} was not confirmed within {timeout} s")


def shop_with_redemptions(s):
    """Two households with confirmed points (the demo's confirmed notices give them), a
    sponsor with two goods, money and goods contributions, and two redemptions (one
    cancelled). Returns (sponsor id, [goods ids], [redemption ids])."""
    vid = s.village_id
    admin, clerk = s.login("admin"), s.login("clerk")
    # the first two demo households with enough confirmed points for the redemptions
    rich = []
    for g in range(1, 6):
        for k in range(1, 46):
            pb = f"{g}{k:03d}"
            r = admin.get(f"/api/v1/villages/{vid}/households?q={pb}")
            items = [h for h in r.json["items"] if h["passbook_no"] == pb] if r.status == 200 else []
            if not items:
                continue
            b = status(admin.get(f"/api/v1/households/{items[0]['id']}/passbook?per_page=1"), 200,
                       "passbook").json["balance"]
            if b["confirmed"] >= 30:
                rich.append(pb)
            if len(rich) == 2:
                break
        if len(rich) == 2:
            break
    assert len(rich) == 2, "the demo has households with confirmed points"
    sp = status(admin.post(f"/api/v1/villages/{vid}/sponsors", {"name": "铁岭惠民超市", "contact": "李经理"}),
                201, "sponsor").json["id"]
    goods = []
    for name, unit, price in [("立白洗衣粉（导出测试）", "袋", 10), ("纯棉毛巾（导出测试）", "条", 5)]:
        goods.append(status(admin.post(f"/api/v1/villages/{vid}/goods",
                                       {"name": name, "category": "日用品", "unit": unit,
                                        "price_points": price, "sponsor_id": sp}), 201, name).json["id"])
    for body in [{"kind": "money", "amount_yuan": "10000.00", "contributed_on": day_cn(-10),
                  "note": "=HYPERLINK(\"http://x\")"},
                 {"kind": "goods", "goods_id": goods[0], "quantity": 20, "contributed_on": day_cn(-3)},
                 {"kind": "goods", "goods_id": goods[1], "quantity": 30, "contributed_on": day_cn(-3)}]:
        status(admin.post(f"/api/v1/sponsors/{sp}/contributions", body), 201, f"contribution {body}")
    status(admin.post(f"/api/v1/villages/{vid}/redemption-overrides", {"reason": "导出测试", "hours": 1}),
           201, "override")
    r1 = status(clerk.post(f"/api/v1/villages/{vid}/redemptions",
                           {"passbook_no": rich[0], "items": [{"goods_id": goods[0], "quantity": 2},
                                                             {"goods_id": goods[1], "quantity": 1}]}),
                201, "redeem the first").json["id"]
    r2 = status(clerk.post(f"/api/v1/villages/{vid}/redemptions",
                           {"passbook_no": rich[1], "items": [{"goods_id": goods[1], "quantity": 3}]}),
                201, "redeem the second").json["id"]
    r = admin.post(f"/api/v1/redemptions/{r2}/cancel", {"reason": "拿错了"})
    assert r.status in (200, 201), f"cancel: {r}"
    return sp, goods, [r1, r2]


def day_cn(offset):
    return (datetime.datetime.now(CN).date() + datetime.timedelta(days=offset)).isoformat()


def test_redemptions_and_sponsor_statement():
    s = Server(args=["--notice-day-seconds", "1", "--confirm-interval", "1"])
    try:
        admin, clerk = s.login("admin"), s.login("clerk")
        sp, goods, (r1, r2) = shop_with_redemptions(s)
        listed = status(admin.get(f"/api/v1/villages/{s.village_id}/redemptions?per_page=200"), 200,
                        "redemptions").json["items"]
        listed.sort(key=lambda x: x["id"])
        path = f"/api/v1/villages/{s.village_id}/redemptions/export"
        rows = csv_rows(download(clerk, path, "csv", "redemptions").body)
        eq(rows[0], ["小票号", "时间", "户号", "户主", "村民小组", "物品", "件数", "积分", "状态",
                     "经办人", "备注"], "header")
        eq([[r[0], r[2], r[3], int(r[6]), int(r[7])] for r in rows[1:]],
           [[x["receipt_no"], x["passbook_no"], x["head_name"], x["item_count"], x["total_points"]]
            for x in listed], "every redemption, oldest first, as the API lists them")
        mine = {r[0]: r for r in rows[1:]}
        one = [x for x in listed if x["id"] == r1][0]
        two = [x for x in listed if x["id"] == r2][0]
        eq(mine[one["receipt_no"]][5], "立白洗衣粉（导出测试）×2袋、纯棉毛巾（导出测试）×1条", "the goods of a receipt")
        eq((mine[one["receipt_no"]][8], mine[one["receipt_no"]][10]), ("已兑换", "窗口外（管理员特批）"),
           "redeemed under an override")
        eq((mine[two["receipt_no"]][8], mine[two["receipt_no"]][10]), ("已撤销", "撤销：拿错了"), "cancelled")
        assert mine[one["receipt_no"]][1].startswith(day_cn(0)), "time in China"
        header, data = table(xlsx_rows(download(admin, path, "xlsx", "redemptions").body), "小票号")
        eq([[r[0], r[6], r[7]] for r in data],
           [[x["receipt_no"], x["item_count"], x["total_points"]] for x in listed], "xlsx rows")
        text = pdf_text(download(admin, path, "pdf", "redemptions").body)
        for want in ["积分超市兑换记录", one["head_name"], two["head_name"], one["receipt_no"]]:
            assert want in text, f"{want!r} in the PDF:\n{text[:800]}"
        # days, both ends included; empty ranges; bad ranges
        today = day_cn(0)
        rows = csv_rows(download(clerk, f"{path}?from={today}&to={today}", "csv", "today").body)
        todays = [x for x in listed if f"-{today.replace('-', '')}-" in x["receipt_no"]]
        eq(sorted(r[0] for r in rows[1:]), sorted(x["receipt_no"] for x in todays), "today's")
        for q in [f"from={day_cn(1)}", "from=2000-01-01&to=2000-01-31"]:
            eq(len(csv_rows(download(clerk, f"{path}?{q}", "csv", q).body)), 1, f"{q}: the header only")
        # up to yesterday: the demo's past redemptions, none of today's
        q = f"to={day_cn(-1)}"
        past = [r[0] for r in csv_rows(download(clerk, f"{path}?{q}", "csv", q).body)[1:]]
        eq(sorted(set(past)), sorted(x["receipt_no"] for x in listed if x not in todays), f"{q}: the past ones")
        r = clerk.get(path + "?format=csv&from=2026-02-30")
        eq((r.status, r.error_code), (422, "invalid_date"), "not a date")
        r = clerk.get(path + "?format=csv&from=2026-03-01&to=2026-02-01")
        eq((r.status, r.error_code), (422, "invalid_date"), "from after to")
        eq(s.login_villager("1001").get(path + "?format=csv").status, 403, "a villager")

        spath = f"/api/v1/sponsors/{sp}/statement/export"
        r = download(admin, spath, "csv", "statement")
        eq(r.filename, "高箭沟村-铁岭惠民超市-对账单.csv", "file name")
        rows = csv_rows(r.body)
        eq(rows[0], ["项目", "日期", "物品或款项", "捐赠数量", "金额（元）", "已兑换", "兑换积分", "库存", "备注"],
           "header")
        eq([r[0] for r in rows[1:]], ["一、捐赠明细", "捐款", "捐物", "捐物", "二、物品兑换情况", "物品", "物品",
                                      "合计"], "sections")
        eq(rows[2][4], "10000.00", "money in yuan")
        eq(rows[2][8], "'=HYPERLINK(\"http://x\")", "a note neutralised")
        lines = {r[2]: r for r in rows if r[0] == "物品"}
        eq([lines["立白洗衣粉（导出测试）（袋）"][i] for i in (3, 5, 6, 7)], ["20", "2", "20", "18"], "洗衣粉: given, redeemed, points, left")
        eq([lines["纯棉毛巾（导出测试）（条）"][i] for i in (3, 5, 6, 7)], ["30", "1", "5", "29"],
           "毛巾: the cancelled redemption is not counted")
        eq([rows[-1][i] for i in (3, 4, 5, 6, 7)], ["50", "10000.00", "3", "25", "47"], "totals")
        header, data = table(xlsx_rows(download(admin, spath, "xlsx", "statement").body), "项目")
        eq(len(data), len(rows) - 1, "xlsx rows")
        text = pdf_text(download(admin, spath, "pdf", "statement").body)
        for want in ["结对共建企业对账单", "铁岭惠民超市", "洗衣粉", "10000.00"]:
            assert want in text, f"{want!r} in the statement PDF"
        eq(s.login_villager("1001").get(spath + "?format=csv").status, 403, "a villager")
        eq(clerk.get(spath + "?format=csv").status, 200, "the clerk (staff)")
        eq(admin.get("/api/v1/sponsors/999999/statement/export?format=csv").status, 404, "no sponsor")
    finally:
        s.close()


# ---- the command line -------------------------------------------------------------

def xlsx_sheet(body):
    """The parts of a workbook that hold its content (not the creation time)."""
    z = zipfile.ZipFile(io.BytesIO(body))
    return z.read("xl/worksheets/sheet1.xml"), z.read("xl/sharedStrings.xml")


def test_cli_writes_the_same_files():
    s = Server(args=["--public-url", PUBLIC_URL])
    out = tempfile.mkdtemp(prefix="jifen-export-cli-")
    try:
        admin = s.login("admin")
        hid = household_id(admin, s.village_id, "1001")
        nid = published_notice(s, admin)
        month = status(admin.get(f"/api/v1/notices/{nid}"), 200, "notice").json["month"]
        year = str(datetime.datetime.now(CN).year)
        sid = status(admin.post(f"/api/v1/villages/{s.village_id}/sponsors", {"name": "开原农机公司"}),
                     201, "sponsor").json["id"]
        status(admin.post(f"/api/v1/sponsors/{sid}/contributions",
                          {"kind": "money", "amount_yuan": "5000", "contributed_on": day_cn(-1)}),
               201, "money")
        cases = [
            (["sponsor", "--sponsor", str(sid)], f"/api/v1/sponsors/{sid}/statement/export"),
            (["passbook", "--household", str(hid)], f"/api/v1/households/{hid}/passbook/export"),
            (["ranking", "--village", str(s.village_id), "--period", year],
             f"/api/v1/villages/{s.village_id}/ranking/export?period={year}"),
            (["notice", "--village", str(s.village_id), "--month", month,
              "--public-url", PUBLIC_URL], f"/api/v1/notices/{nid}/export"),
            (["redemptions", "--village", str(s.village_id)],
             f"/api/v1/villages/{s.village_id}/redemptions/export"),
        ]
        for args, path in cases:
            for fmt in ("csv", "xlsx", "pdf"):
                f = os.path.join(out, f"{args[0]}.{fmt}")
                p = jifen("export", *args, "--out", f, db=s.db)  # format from the extension
                assert "wrote" in p.stderr, p.stderr
                with open(f, "rb") as fh:
                    mine = fh.read()
                theirs = download(admin, path, fmt, args[0]).body
                if fmt == "csv":
                    eq(mine, theirs, f"{args[0]} CSV: the same bytes")
                elif fmt == "xlsx":
                    eq(xlsx_sheet(mine), xlsx_sheet(theirs), f"{args[0]} xlsx: the same sheet")
                else:
                    eq(pdf_text(mine), pdf_text(theirs), f"{args[0]} PDF: the same text")
        # standard output, an explicit format
        p = subprocess.run([os.environ.get("JIFEN_BIN", "jifen"), "export", "passbook", "--household",
                            str(hid), "--format", "csv", "--out", "-", "--db", s.db],
                           capture_output=True, timeout=120)
        eq(p.returncode, 0, p.stderr.decode())
        eq(p.stdout, download(admin, f"/api/v1/households/{hid}/passbook/export", "csv", "pb").body,
           "to standard output")
        # errors: usage 2, refusals 1
        for args, code in [(["nothing"], 2), (["passbook", "--out", "x.csv"], 2),
                           (["passbook", "--household", "1", "--out", "x.doc"], 2),
                           (["passbook", "--household", "abc", "--out", "x.csv"], 2),
                           (["passbook", "--household", "999999", "--out", os.path.join(out, "x.csv")], 1),
                           (["notice", "--village", str(s.village_id), "--month", "2000-01",
                             "--out", os.path.join(out, "n.pdf")], 1),
                           (["notice", "--village", str(s.village_id), "--month", "2026-1",
                             "--out", os.path.join(out, "n.pdf")], 1)]:
            p = jifen("export", *args, db=s.db, check=False)
            eq(p.returncode, code, f"jifen export {' '.join(args)}: {p.stderr}")
        assert not os.path.exists(os.path.join(out, "x.csv")), "no file written on a refusal"
        help_text = jifen("export", "--help").stdout
        for kind in ["notice", "ranking", "passbook", "redemptions", "sponsor"]:
            assert f"jifen export {kind}" in help_text, f"--help names {kind}"
        assert "--public-url" in jifen("serve", "--help").stdout, "serve --help names --public-url"
    finally:
        shutil.rmtree(out, ignore_errors=True)
        s.close()


if __name__ == "__main__":
    run(globals())
