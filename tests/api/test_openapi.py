"""docs/api/openapi.yaml against the server it describes.

Static checks, from the source tree:
  - every (method, pattern) row of src/api/routes.c is a documented operation, and every
    documented operation is a route; path parameters, operationId (the handler's name) and
    security (public or not) agree with the row;
  - every JSON request body lists exactly the fields of the handler's api_field table
    (src/api/*.c), with their types and which are required, and refuses others
    (additionalProperties: false); a body the handler reads only when there is one is not
    required; a raw body (the CSV import, a photo) is documented with its media types;
    every operation documents exactly the query parameters and headers its handler reads
    (followed through the functions it calls);
  - every operation lists the statuses the server's common paths produce (400/413/422 for
    bodies, 401 for signed-in routes, 403 for state-changing ones, 404 for ids, the
    success statuses the handler names, 400/409/422 and the Idempotent-Replayed header
    for the routes that take an Idempotency-Key).
Live checks, against a real `jifen serve` with the demo village:
  - GET /api/v1/openapi.yaml serves the file byte for byte as application/yaml;
  - every GET route, as the users of a table, answers with a documented status and a body
    whose shape is the documented schema (keys, types, enums, nested items), or a picture
    of a documented type;
  - every write of the ledger (rules, entries, reversals, photos, claims, activities,
    inspection rounds) and of the village's year (settings, notices, objections, sponsors,
    goods, stock, windows, redemptions, honour rules, the year's close), made as its users
    make it, answers as documented, and a replay under an Idempotency-Key carries the
    documented header; an exported file starts as its type does, under a Content-Disposition;
  - unknown fields (422), no login (401), a cookie write without X-CSRF-Token (403) and an
    oversized login (413) answer as documented on every route they apply to.

Parsing the YAML: PyYAML is used when it is installed. Without it (a bare CI image), the
document is read by load_yaml_subset below, a small reader for the subset of YAML the file
is written in (block mappings and sequences, plain and quoted scalars, flow lists of
scalars, literal blocks); it refuses anything else rather than guess. When PyYAML is
present, test_yaml_subset_reader_agrees_with_pyyaml proves both readers see the same
document, so the checks mean the same thing on either machine.
"""
import json
import os
import re

from harness import SRC, Client, Server, eq, run, status
from ledger_fixtures import day, second_village
from photo_fixtures import png as png_of, staff, upload_ok, villager as villager_account

DOC_PATH = os.path.join(SRC, "docs", "api", "openapi.yaml")
ROUTES_C = os.path.join(SRC, "src", "api", "routes.c")
API_DIR = os.path.join(SRC, "src", "api")
METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "trace")
STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")


# ---- a reader for the YAML subset the document uses --------------------------------------

class SubsetError(ValueError):
    pass


_YAML11_WORDS = {"yes", "no", "on", "off", "y", "n", "Yes", "No", "On", "Off", "YES", "NO", "ON", "OFF"}


def _scalar(s, lineno):
    """One scalar as PyYAML's safe loader would read it; refuses what it cannot be sure of."""
    if s.startswith("'"):
        if len(s) < 2 or not s.endswith("'") or re.search(r"(?<!')'(?!')", s[1:-1]):
            raise SubsetError(f"line {lineno}: bad single-quoted scalar {s!r}")
        return s[1:-1].replace("''", "'")
    if s.startswith('"'):
        try:
            return json.loads(s)
        except ValueError:
            raise SubsetError(f"line {lineno}: double-quoted scalar not in the subset: {s!r}")
    if s.startswith("["):
        if not s.endswith("]"):
            raise SubsetError(f"line {lineno}: a flow list must end on its line: {s!r}")
        return [_scalar(x, lineno) for x in _split_flow(s[1:-1], lineno)]
    if s == "{}":
        return {}
    if s[0] in "{&*!|>%@`?" or s.startswith("- ") or " #" in s or s.endswith(":") or ": " in s:
        raise SubsetError(f"line {lineno}: plain scalar not in the subset: {s!r}")
    if s in ("null", "Null", "NULL", "~"):
        return None
    if s in ("true", "True", "TRUE"):
        return True
    if s in ("false", "False", "FALSE"):
        return False
    if re.fullmatch(r"[-+]?(0|[1-9][0-9]*)", s):
        return int(s)
    if (s in _YAML11_WORDS or re.fullmatch(r"[-+]?[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?", s)
            or re.fullmatch(r"[-+]?\.[0-9]+", s) or re.fullmatch(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*", s)
            or re.fullmatch(r"[-+]?\.(inf|Inf|INF|nan|NaN|NAN)", s) or re.fullmatch(r"0[xob].*", s)
            or re.fullmatch(r"[0-9][0-9_]*(:[0-5]?[0-9])+", s)):
        raise SubsetError(f"line {lineno}: quote {s!r} (YAML would read it as a number, date or boolean)")
    return s


def _split_flow(inner, lineno):
    items, cur, quote = [], "", None
    for ch in inner:
        if quote:
            cur += ch
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            cur += ch
        elif ch == ",":
            items.append(cur.strip())
            cur = ""
        elif ch in "[]{}":
            raise SubsetError(f"line {lineno}: nested flow collections are not in the subset")
        else:
            cur += ch
    if quote:
        raise SubsetError(f"line {lineno}: unclosed quote in a flow list")
    if cur.strip() or items:
        items.append(cur.strip())
    if any(not x for x in items):
        raise SubsetError(f"line {lineno}: empty item in a flow list")
    return items


def _split_key(text, lineno):
    """(key, rest) of a 'key: value' or 'key:' line, or None if the line is no mapping entry."""
    if text[0] in "'\"":
        q = text[0]
        end = 1
        while True:
            end = text.find(q, end)
            if end < 0:
                return None
            if q == "'" and text[end + 1:end + 2] == "'":
                end += 2
                continue
            if q == '"' and text[end - 1] == "\\":
                end += 1
                continue
            break
        after = text[end + 1:]
        if after == ":" or after.startswith(": "):
            return _scalar(text[:end + 1], lineno), after[1:].strip()
        return None
    if text.endswith(":") and ": " not in text:
        key, rest = text[:-1], ""
    elif ": " in text:
        key, rest = text.split(": ", 1)
    else:
        return None
    if "#" in key or key != key.strip():
        raise SubsetError(f"line {lineno}: key not in the subset: {key!r}")
    return _scalar(key, lineno), rest.strip()


class _Reader:
    def __init__(self, text):
        self.lines = text.split("\n")
        self.i = 0

    def peek(self):
        """(indent, text) of the next line that is not blank or a comment, or None."""
        while self.i < len(self.lines):
            raw = self.lines[self.i]
            s = raw.strip()
            if s and not s.startswith("#"):
                if "\t" in raw[:len(raw) - len(raw.lstrip())]:
                    raise SubsetError(f"line {self.i + 1}: a tab in the indentation")
                ind = len(raw) - len(raw.lstrip(" "))
                return ind, raw[ind:].rstrip()
            self.i += 1
        return None

    def node(self, ind):
        pk = self.peek()
        if pk[1] == "-" or pk[1].startswith("- "):
            return self.seq(pk[0])
        return self.mapping(pk[0])

    def value(self, rest, ind, lineno):
        if rest in ("|", "|-"):
            return self.block(ind, rest == "|")
        if rest:
            return _scalar(rest, lineno)
        pk = self.peek()
        if pk is None or pk[0] <= ind:
            if pk is not None and pk[0] == ind and pk[1].startswith("- "):
                raise SubsetError(f"line {self.i + 1}: indent a sequence under its key")
            return None
        return self.node(pk[0])

    def mapping(self, ind):
        out = {}
        while True:
            pk = self.peek()
            if pk is None or pk[0] < ind:
                return out
            lineno = self.i + 1
            if pk[0] > ind:
                raise SubsetError(f"line {lineno}: unexpected indentation")
            kv = _split_key(pk[1], lineno)
            if kv is None:
                raise SubsetError(f"line {lineno}: expected 'key: value', got {pk[1]!r}")
            key, rest = kv
            if key in out:
                raise SubsetError(f"line {lineno}: duplicate key {key!r}")
            self.i += 1
            out[key] = self.value(rest, ind, lineno)

    def seq(self, ind):
        out = []
        while True:
            pk = self.peek()
            if pk is None or pk[0] < ind:
                return out
            lineno = self.i + 1
            text = pk[1]
            if pk[0] > ind or not (text == "-" or text.startswith("- ")):
                raise SubsetError(f"line {lineno}: expected a sequence item, got {text!r}")
            content = text[1:].lstrip(" ")
            if not content:
                self.i += 1
                nxt = self.peek()
                if nxt is None or nxt[0] <= ind:
                    out.append(None)
                else:
                    out.append(self.node(nxt[0]))
            elif _split_key(content, lineno) is not None:
                offset = ind + len(text) - len(content)
                self.lines[self.i] = " " * offset + content  # the item is a mapping at that column
                out.append(self.mapping(offset))
            else:
                self.i += 1
                out.append(_scalar(content, lineno))

    def block(self, ind, keep_newline):
        body, bi = [], None
        while self.i < len(self.lines):
            raw = self.lines[self.i]
            if raw.strip():
                li = len(raw) - len(raw.lstrip(" "))
                if li <= ind:
                    break
                if bi is None:
                    bi = li
                if li < bi:
                    raise SubsetError(f"line {self.i + 1}: less indented than its block")
                body.append(raw[bi:].rstrip(" "))
            else:
                body.append("")
            self.i += 1
        while body and body[-1] == "":
            body.pop()
        if not body:
            return ""
        return "\n".join(body) + ("\n" if keep_newline else "")


def load_yaml_subset(text):
    r = _Reader(text)
    doc = r.node(0)
    if r.peek() is not None:
        raise SubsetError(f"line {r.i + 1}: text after the document")
    return doc


def _first_difference(a, b, path="$"):
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} {a!r:.80} vs {type(b).__name__} {b!r:.80}"
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{path}: keys {sorted(map(str, a))} vs {sorted(map(str, b))}"
        for k in a:
            d = _first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = _first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: {a!r:.80} vs {b!r:.80}"


_DOC = None


def doc():
    global _DOC
    if _DOC is None:
        with open(DOC_PATH, encoding="utf-8") as f:
            text = f.read()
        try:
            import yaml
        except ImportError:
            yaml = None
        _DOC = yaml.safe_load(text) if yaml else load_yaml_subset(text)
    return _DOC


# ---- the source: routes and handlers -----------------------------------------------------

ROUTE_RE = re.compile(r'\{\s*"([A-Z]+)"\s*,\s*"([^"]+)"\s*,\s*(api_\w+)\s*,\s*([^,{}]+?)\s*,\s*(true|false)\s*\}')


def routes():
    """The rows of api_routes[]: dicts of method, pattern, handler, max_body, public."""
    with open(ROUTES_C, encoding="utf-8") as f:
        text = f.read()
    table = text[text.index("api_routes[]"):]
    table = table[:table.index("};")]
    rows = [dict(method=m, pattern=p, handler=h, max_body=b, public=pub == "true")
            for m, p, h, b, pub in ROUTE_RE.findall(table)]
    # a row this regex misses would escape every check: count the rows another way too
    eq(len(rows), len(re.findall(r'^\s*\{\s*"[A-Z]+"', table, re.M)), "route rows parsed")
    assert len(rows) >= 20, f"only {len(rows)} routes parsed from {ROUTES_C}"
    return rows


FIELD_RE = re.compile(r'\{\s*"(\w+)"\s*,\s*F_(STR|INT|BOOL|ARRAY|OBJECT)\s*,\s*(true|false)\s*\}')
FTYPE = {"STR": "string", "INT": "integer", "BOOL": "boolean", "ARRAY": "array", "OBJECT": "object"}
QUERY_RE = re.compile(r'(?:http_query|api_query_id|query_time)\(\s*req\s*,\s*"(\w+)"')
HEADER_RE = re.compile(r'http_header\(\s*req\s*,\s*"([\w-]+)"')
# the headers of authentication, documented by the security schemes rather than as parameters
AUTH_HEADERS = {"Authorization", "X-CSRF-Token"}
FUNC_RE = re.compile(r"^(static )?(?:const )?\w[\w ]*?[ *](\w+)\(([^;{}]*?)\)\n\{\n(.*?)^\}", re.S | re.M)
CALL_RE = re.compile(r"\b(\w+)\(")


def _functions():
    """Every function defined in src/api/*.c: (file, name) -> body for the static ones,
    name -> (file, body) for the others; and file -> its text."""
    statics, globals_, texts = {}, {}, {}
    for fn in sorted(os.listdir(API_DIR)):
        if not fn.endswith(".c"):
            continue
        with open(os.path.join(API_DIR, fn), encoding="utf-8") as f:
            texts[fn] = f.read()
        for m in FUNC_RE.finditer(texts[fn]):
            if m.group(1):
                statics[(fn, m.group(2))] = m.group(4)
            else:
                globals_[m.group(2)] = (fn, m.group(4))
    return statics, globals_, texts


def _reach(statics, globals_, fn, body):
    """The bodies of body and of every function of src/api/ it calls, transitively (a
    static function of the same file first, then a global one)."""
    seen, todo, bodies = set(), [(fn, body)], []
    while todo:
        f, b = todo.pop()
        bodies.append(b)
        for name in CALL_RE.findall(b):
            target = (f, statics[(f, name)]) if (f, name) in statics else globals_.get(name)
            key = (target[0], name) if target else None
            if target and key not in seen:
                seen.add(key)
                todo.append(target)
    return bodies


def handlers():
    """handler name -> {"fields": [(name, type, required)] or None, "body_optional": bool,
    "raw_body": bool, "query": set of names, "headers": set of names, "idempotent": bool,
    "ok": set of success statuses the handler names (empty: the method's default)}.

    What the handler reads is followed through the functions it calls (read_status,
    api_paging, api_idem_begin …); its field table is the one API_BODY names, in the
    handler or at the top of its file."""
    statics, globals_, texts = _functions()
    out = {}
    for name, (fn, body) in globals_.items():
        text = texts[fn]
        if not re.search(r"^void " + name + r"\(http_req \*req\)$", text, re.M):
            continue  # not a handler
        fields = None
        t = re.search(r"API_BODY\(\s*req\s*,\s*(\w+)\s*\)", body)
        if t:
            table = (re.search(r"api_field " + t.group(1) + r"\[\] = \{(.*?)\};", body, re.S)
                     or re.search(r"^(?:static )?const api_field " + t.group(1) + r"\[\] = \{(.*?)\};", text,
                                  re.S | re.M))
            assert table, f"{name}: the field table {t.group(1)} of API_BODY not found in {fn}"
            fields = [(n, FTYPE[ty], req == "true") for n, ty, req in FIELD_RE.findall(table.group(1))]
            assert fields, f"{name}: empty or unreadable field table"
        everything = "\n".join(_reach(statics, globals_, fn, body))
        query = set(QUERY_RE.findall(everything))
        if "api_paging(" in body:
            query |= {"page", "per_page"}
        ok = set(re.findall(r"\(req, (?:[\w>.-]+ \? )?(20[0-9])\b", body))
        ok |= set(re.findall(r"\? 20[0-9] : (20[0-9])", body))
        ok |= set(re.findall(r"req->status = (20[0-9]);", body))
        out[name] = {
            "fields": fields,
            # the body is read only when there is one: `if (req->body_len …) {` then API_BODY
            "body_optional": bool(re.search(r"if \(req->body_len[^)]*\) \{[^\n]*\n\s*(?:json_t \*)?body = API_BODY",
                                            body)),
            "raw_body": fields is None and bool(re.search(r"req->body\b", body)),
            "query": query,
            "headers": set(HEADER_RE.findall(everything)) - AUTH_HEADERS,
            "idempotent": "api_idem_begin(" in body,
            "ok": ok,
        }
    return out


def resolve(d, node):
    """Follows $ref (repeatedly) inside the document."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), f"external $ref {ref}"
        target = d
        for part in ref[2:].split("/"):
            assert isinstance(target, dict) and part in target, f"$ref {ref} does not resolve"
            target = target[part]
        node = target
        seen += 1
        assert seen < 20, f"$ref loop at {ref}"
    return node


def operation(d, method, pattern):
    op = d["paths"].get(pattern, {}).get(method.lower())
    assert op is not None, f"{method} {pattern} is not documented in openapi.yaml"
    return op


def documented(d, r):
    """The operation of a routes.c row, or None (test_every_route_… names the gap)."""
    return d["paths"].get(r["pattern"], {}).get(r["method"].lower())


def op_parameters(d, pattern, op):
    params = list(d["paths"][pattern].get("parameters", [])) + list(op.get("parameters", []))
    return [resolve(d, p) for p in params]


HASH_PATTERN = "^[0-9a-f]{64}$"


def fill(pattern, **ids):
    """The pattern with its one {id} replaced (every route has at most one), its {hash}
    (a photo's SHA-256) by the given one or 64 zeros, and its {year} by the given one or
    2025 (the demo's closed year)."""
    return (pattern.replace("{id}", str(ids.get("id", 1))).replace("{hash}", ids.get("hash", "0" * 64))
            .replace("{year}", str(ids.get("year", 2025))))


# ---- static: the document against the source ---------------------------------------------

def test_yaml_subset_reader_agrees_with_pyyaml():
    with open(DOC_PATH, encoding="utf-8") as f:
        text = f.read()
    mine = load_yaml_subset(text)
    eq(mine["openapi"], "3.1.0", "openapi version (subset reader)")
    try:
        import yaml
    except ImportError:
        print("     (PyYAML not installed: the subset reader alone reads the document)")
        return
    theirs = yaml.safe_load(text)
    diff = _first_difference(theirs, mine)
    assert diff is None, f"the subset reader and PyYAML disagree on docs/api/openapi.yaml at {diff}"
    # and the reader refuses what it cannot read the same way
    for bad in ("a: yes\n", "a: 2024-04-10\n", "a: 1.5\n", "a:\n- 1\n", "a: {b: 1}\n", "a: b # c\n"):
        try:
            load_yaml_subset(bad)
        except SubsetError:
            continue
        raise AssertionError(f"the subset reader accepted {bad!r}")


def test_document_header():
    d = doc()
    eq(d["openapi"], "3.1.0", "openapi")
    eq(d["info"]["version"], "0.1.0", "info.version")
    assert "积分制乡村治理平台" in d["info"]["title"] and "jifen" in d["info"]["title"], d["info"]["title"]
    assert "积分" in d["info"]["description"] and "X-CSRF-Token" in d["info"]["description"]
    eq([s["url"] for s in d["servers"]], ["/"], "servers")
    sch = d["components"]["securitySchemes"]
    eq((sch["bearerAuth"]["type"], sch["bearerAuth"]["scheme"]), ("http", "bearer"), "bearer scheme")
    eq((sch["cookieAuth"]["in"], sch["cookieAuth"]["name"]), ("cookie", "jifen_session"), "cookie scheme")
    eq((sch["csrfHeader"]["in"], sch["csrfHeader"]["name"]), ("header", "X-CSRF-Token"), "csrf scheme")
    tags = {t["name"] for t in d["tags"]}
    for pattern, item in d["paths"].items():
        for m in METHODS:
            if m in item:
                assert set(item[m].get("tags", [])) and set(item[m]["tags"]) <= tags, \
                    f"{m.upper()} {pattern}: tags {item[m].get('tags')} not among {sorted(tags)}"
    try:
        from openapi_spec_validator import validate
    except ImportError:
        return
    validate(d)  # a full OpenAPI 3.1 validation where the validator is installed


def test_every_route_is_documented_and_nothing_else():
    d = doc()
    problems = []
    rows = routes()
    routed = {(r["method"], r["pattern"]) for r in rows}
    for r in rows:
        item = d["paths"].get(r["pattern"])
        if item is None:
            problems.append(f"{r['method']} {r['pattern']} ({r['handler']}): path missing from openapi.yaml")
            continue
        op = item.get(r["method"].lower())
        if op is None:
            problems.append(f"{r['method']} {r['pattern']} ({r['handler']}): method missing from openapi.yaml")
            continue
        want_id = r["handler"][len("api_"):]
        if op.get("operationId") != want_id:
            problems.append(f"{r['method']} {r['pattern']}: operationId {op.get('operationId')!r}, "
                            f"want {want_id!r} (the handler's name)")
        names = re.findall(r"\{(\w+)\}", r["pattern"])
        declared = sorted(p["name"] for p in op_parameters(d, r["pattern"], op) if p["in"] == "path")
        if declared != sorted(names):
            problems.append(f"{r['method']} {r['pattern']}: path parameters {declared}, want {sorted(names)}")
        for p in op_parameters(d, r["pattern"], op):
            if p["in"] != "path":
                continue
            sch = resolve(d, p["schema"])
            if p["name"] == "hash":  # the router takes 64 lower-case hex digits (a SHA-256)
                if not p.get("required") or sch.get("type") != "string" or sch.get("pattern") != HASH_PATTERN:
                    problems.append(f"{r['method']} {r['pattern']}: path parameter hash must be a required "
                                    f"string with pattern {HASH_PATTERN}")
            elif not p.get("required") or sch.get("type") != "integer":
                problems.append(f"{r['method']} {r['pattern']}: path parameter {p['name']} must be a required integer")
        public = op.get("security") == []
        if public != r["public"]:
            problems.append(f"{r['method']} {r['pattern']}: routes.c says public={r['public']}, "
                            f"the document's security says public={public}")
    for pattern, item in d["paths"].items():
        for m in METHODS:
            if m in item and (m.upper(), pattern) not in routed:
                problems.append(f"{m.upper()} {pattern}: documented but not in src/api/routes.c")
        unknown = set(item) - set(METHODS) - {"parameters", "summary", "description"}
        if unknown:
            problems.append(f"{pattern}: unexpected keys {sorted(unknown)}")
    assert not problems, "openapi.yaml and routes.c disagree:\n  " + "\n  ".join(problems)


def _types(schema):
    t = schema.get("type")
    return set(t) if isinstance(t, list) else {t}


def test_request_bodies_and_query_parameters_match_the_handlers():
    d = doc()
    hs = handlers()
    problems = []
    for r in routes():
        where = f"{r['method']} {r['pattern']} ({r['handler']})"
        h = hs.get(r["handler"])
        if h is None:
            problems.append(f"{where}: handler not found in src/api/*.c")
            continue
        op = documented(d, r)
        if op is None:
            problems.append(f"{where}: not documented")
            continue
        content = (op.get("requestBody") or {}).get("content", {})
        if h["fields"] is None:
            if "application/json" in content:
                problems.append(f"{where}: documents a JSON body the handler does not read")
            if content and not h["raw_body"]:
                problems.append(f"{where}: documents a body the handler does not read")
            if h["raw_body"] and not (content and op["requestBody"].get("required")):
                problems.append(f"{where}: the handler reads the raw body; document it (required)")
        else:
            required = bool(op.get("requestBody", {}).get("required"))
            if h["body_optional"] and required:
                problems.append(f"{where}: the handler reads a body only when there is one: requestBody "
                                f"must not be required")
            if not h["body_optional"] and not required:
                problems.append(f"{where}: requestBody must be required (an empty body is 400)")
            if "application/json" not in content:
                problems.append(f"{where}: the handler reads a JSON body; none is documented")
            else:
                sch = resolve(d, content["application/json"]["schema"])
                if sch.get("type") != "object" or sch.get("additionalProperties") is not False:
                    problems.append(f"{where}: body schema must be an object with additionalProperties: false")
                props = sch.get("properties", {})
                eq_names = [n for n, _, _ in h["fields"]]
                if sorted(props) != sorted(eq_names):
                    problems.append(f"{where}: body fields {sorted(props)}, the handler takes {sorted(eq_names)}")
                want_req = sorted(n for n, _, req in h["fields"] if req)
                if sorted(sch.get("required", [])) != want_req:
                    problems.append(f"{where}: required {sorted(sch.get('required', []))}, the handler requires {want_req}")
                for name, ty, req in h["fields"]:
                    if name not in props:
                        continue
                    ts = _types(resolve(d, props[name]))
                    want = {ty} if req else {ty, "null"}
                    if ts != want:
                        problems.append(f"{where}: field {name} has type {sorted(ts)}, want {sorted(want)} "
                                        f"({'required' if req else 'optional: null counts as absent'})")
        documented_q = {p["name"] for p in op_parameters(d, r["pattern"], op) if p["in"] == "query"}
        if documented_q != h["query"]:
            problems.append(f"{where}: query parameters {sorted(documented_q)}, the handler reads {sorted(h['query'])}")
        documented_h = {p["name"] for p in op_parameters(d, r["pattern"], op) if p["in"] == "header"}
        if documented_h != h["headers"]:
            problems.append(f"{where}: header parameters {sorted(documented_h)}, the handler reads {sorted(h['headers'])}")
    # the import takes the CSV itself
    imp = operation(d, "POST", "/api/v1/villages/{id}/households/import")
    if list(imp["requestBody"]["content"]) != ["text/csv"]:
        problems.append("POST …/households/import: the body must be documented as text/csv only")
    # a photo is the picture itself, one of the types core/photos.c accepts
    up = operation(d, "POST", "/api/v1/villages/{id}/photos")
    if sorted(up["requestBody"]["content"]) != ["image/jpeg", "image/png", "image/webp"]:
        problems.append("POST …/photos: the body must be documented as image/jpeg, image/png and image/webp")
    got = operation(d, "GET", "/api/v1/villages/{id}/photos/{hash}")["responses"]["200"]["content"]
    if sorted(got) != ["image/jpeg", "image/png", "image/webp"]:
        problems.append("GET …/photos/{hash}: the 200 must be documented as image/jpeg, image/png and image/webp")
    pp = resolve(d, d["components"]["parameters"]["PerPage"])
    if pp["schema"].get("maximum") != 200 or pp["name"] != "per_page":
        problems.append("per_page must be documented with maximum 200")
    assert not problems, "request shapes disagree with src/api/*.c:\n  " + "\n  ".join(problems)


def test_common_statuses_are_documented():
    """The statuses every route of a kind can produce, from the shared code paths."""
    d = doc()
    problems = []
    hs = handlers()
    for r in routes():
        where = f"{r['method']} {r['pattern']}"
        op = documented(d, r)
        if op is None:
            problems.append(f"{where}: not documented")
            continue
        codes = set(map(str, op["responses"]))
        h = hs[r["handler"]]
        # the success statuses the handler names (an action on a record answers 200, an
        # upload of a known photo 200 and of a new one 201), else the method's usual one
        need = set(h["ok"]) or {{"GET": "200", "DELETE": "200", "PATCH": "200"}.get(r["method"], "201")}
        if not r["public"]:
            need.add("401")
        if "{" in r["pattern"]:
            need.add("404")
        if r["method"] in STATE_CHANGING and not r["public"]:
            need.add("403")  # csrf
        if h["fields"] is not None or r["handler"] == "api_households_import":
            need |= {"400", "413"}
        if h["fields"] is not None:
            need.add("422")
        if h["raw_body"]:
            need |= {"413", "422"}  # over the route's limit; not what the handler accepts
        if h["query"]:
            need.add("400")
        if h["idempotent"]:
            need |= {"400", "409", "422"}  # a malformed key; the same key running; reused
        missing = need - codes
        if missing:
            problems.append(f"{where}: responses lack {sorted(missing)}")
        if h["idempotent"]:
            # every answer the handler gives is stored under the key and replayed with
            # Idempotent-Replayed: true; 401 and 413 come before the handler runs
            for code, resp in op["responses"].items():
                if str(code) not in ("401", "413") and \
                        "Idempotent-Replayed" not in resolve(d, resp).get("headers", {}):
                    problems.append(f"{where} {code}: a replay of this answer carries Idempotent-Replayed; "
                                    f"document the header")
        if r["method"] in STATE_CHANGING and not r["public"]:
            sec = op.get("security", d["security"])
            if {"cookieAuth": [], "csrfHeader": []} not in sec or {"bearerAuth": []} not in sec:
                problems.append(f"{where}: security must be bearerAuth, or cookieAuth with csrfHeader")
        for code, resp in op["responses"].items():
            resp = resolve(d, resp)
            if not isinstance(code, str):
                problems.append(f"{where}: response code {code!r} must be quoted")
            if str(code).startswith(("4", "5")):
                sch = resolve(d, resp["content"]["application/json"]["schema"])
                refs = [resolve(d, s) for s in sch.get("oneOf", [sch])]
                if d["components"]["schemas"]["Error"] not in refs:
                    problems.append(f"{where} {code}: error responses use the Error schema")
    login = operation(d, "POST", "/api/v1/session")
    if "429" not in login["responses"] or "Retry-After" not in resolve(d, login["responses"]["429"])["headers"]:
        problems.append("POST /api/v1/session: 429 with Retry-After must be documented")
    assert not problems, "statuses missing from openapi.yaml:\n  " + "\n  ".join(problems)


# ---- live: the document against a running server ----------------------------------------

def check_shape(d, value, schema, where):
    """A light JSON Schema check: type, const, enum, object keys (required and no others),
    array items, oneOf. Returns a list of problems."""
    schema = resolve(d, schema)
    if "oneOf" in schema:
        for alt in schema["oneOf"]:
            if not check_shape(d, value, alt, where):
                return []
        return [f"{where}: matches no alternative of oneOf"]
    probs = []
    types = _types(schema) - {None}
    actual = {type(None): "null", bool: "boolean", int: "integer", str: "string", list: "array",
              dict: "object", float: "number"}[type(value)]
    if types and actual not in types:
        return [f"{where}: {actual} {value!r:.60}, schema says {sorted(types)}"]
    if "const" in schema and value != schema["const"]:
        probs.append(f"{where}: {value!r}, schema says const {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        probs.append(f"{where}: {value!r} not in enum {schema['enum']}")
    extra = schema.get("additionalProperties")
    if isinstance(value, dict) and isinstance(extra, dict) and "properties" not in schema:
        # a map (points by category): any keys, every value of the one schema
        for k in sorted(value):
            probs += check_shape(d, value[k], extra, f"{where}.{k}")
    elif isinstance(value, dict):
        req = set(schema.get("required", []))
        props = schema.get("properties", {})
        keys = set(value)
        if keys != req:
            probs.append(f"{where}: keys {sorted(keys)}, the schema's required properties are {sorted(req)}")
        if schema.get("additionalProperties") is False and keys - set(props):
            probs.append(f"{where}: keys {sorted(keys - set(props))} not in the schema")
        for k in sorted(keys & set(props)):
            probs += check_shape(d, value[k], props[k], f"{where}.{k}")
    if isinstance(value, list) and "items" in schema:
        for i, x in enumerate(value):
            item_probs = check_shape(d, x, schema["items"], f"{where}[{i}]")
            if item_probs:  # one item's report is enough; the rest usually repeat it
                probs += item_probs
                break
    return probs


def documented_response(d, method, pattern, code):
    op = operation(d, method, pattern)
    resp = op["responses"].get(str(code))
    assert resp is not None, f"{method} {pattern} answered {code}, a status openapi.yaml does not list " \
                             f"(it lists {sorted(op['responses'])})"
    return resolve(d, resp)


def check_against_doc(d, method, pattern, r, what):
    resp = documented_response(d, method, pattern, r.status)
    ctype = (r.header("Content-Type") or "").split(";")[0]
    assert ctype in resp["content"], f"{what}: Content-Type {ctype!r}, documented {sorted(resp['content'])}"
    media = ctype
    if r.header("Idempotent-Replayed") is not None:
        assert "Idempotent-Replayed" in resolve(d, resp).get("headers", {}), \
            f"{what}: a replay ({r.status}) carries Idempotent-Replayed, which the document does not list"
    if media == "application/json":
        assert r.json is not None, f"{what}: not JSON: {r}"
        probs = check_shape(d, r.json, resp["content"][media]["schema"], what)
        assert not probs, f"{what} ({r.status}) does not match openapi.yaml:\n  " + "\n  ".join(probs[:20])
    elif media.startswith("image/"):  # a photo: its first bytes are of the type it is served as
        magic = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n", "image/webp": b"RIFF"}
        assert r.body.startswith(magic[media]), f"{what}: served as {media}, but starts {r.body[:12]!r}"
    else:  # a file to save (an export): its first bytes are of its type, under a documented name
        magic = {"text/csv": b"\xef\xbb\xbf", "application/pdf": b"%PDF-",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": b"PK\x03\x04"}
        assert media in magic, f"{what}: {media} is neither JSON, a picture nor a known file type"
        assert r.body.startswith(magic[media]), f"{what}: served as {media}, but starts {r.body[:12]!r}"
        if "Content-Disposition" in resp.get("headers", {}):
            cd = r.header("Content-Disposition") or ""
            assert cd.startswith("attachment; filename=") and "filename*=UTF-8''" in cd, \
                f"{what}: Content-Disposition {cd!r}"


def test_openapi_yaml_is_served_byte_for_byte():
    with open(DOC_PATH, "rb") as f:
        want = f.read()
    s = Server(demo=False)
    try:
        r = status(s.anon().get("/api/v1/openapi.yaml"), 200, "GET /api/v1/openapi.yaml")
        eq(r.header("Content-Type").split(";")[0].strip(), "application/yaml", "Content-Type")
        assert r.body == want, (f"served {len(r.body)} bytes, docs/api/openapi.yaml has {len(want)}; "
                                f"first difference at byte {next((i for i, (a, b) in enumerate(zip(r.body, want)) if a != b), min(len(r.body), len(want)))}")
        assert "积分制乡村治理平台".encode() in r.body
    finally:
        s.close()


def test_get_routes_answer_as_documented():
    d = doc()
    s = Server()
    try:
        vid = s.village_id
        admin, county, township = s.login("admin"), s.login("county"), s.login("township")
        scorer, villager = s.login("scorer"), s.login_villager("1001")
        own_hid = villager.user["household_id"]
        other_hid = s.sql("SELECT id FROM households WHERE village_id = ? AND passbook_no = '3017'", vid)[0][0]
        county_area = s.sql("SELECT id FROM areas WHERE level = 'county'")[0][0]
        county_uid = county.user["id"]
        # a change, so the audit log and the household carry more than the demo's rows
        r = status(admin.patch(f"/api/v1/households/{other_hid}", {"address": "高箭沟村三组17号", "head_name": "于洪军"}),
                   200, "PATCH household")
        check_against_doc(d, "PATCH", "/api/v1/households/{id}", r, "PATCH household")
        anon = s.anon()
        # the ledger: the demo's catalogue and history, and records in every state the
        # document describes, so that the nullable fields are seen both ways
        villager2 = villager_account(s, admin, "1002")

        def rule_id(name):
            return s.sql("SELECT id FROM rules WHERE village_id = ? AND name = ? AND status = 'active'", vid, name)[0][0]

        def ok(r, want, what):
            return status(r, want, what).json

        rules = f"/api/v1/villages/{vid}/rules"
        retired = ok(admin.post(rules, {"category": "邻里和睦", "name": "调解邻里纠纷", "points": 4, "unit": "time",
                                        "min_points": 2, "max_points": 6, "cap_month": 8, "cap_year": 40,
                                        "evidence_required": True, "recorders": ["scorer"],
                                        "description": "帮助调解邻里矛盾，按情节评定"}), 201, "rule")
        ok(admin.post(f"/api/v1/rules/{retired['id']}/retire"), 200, "retire")
        tidy = ok(admin.post(rules, {"category": "环境卫生", "name": "柴草堆放整齐", "points": 2}), 201, "rule")
        photo = upload_ok(villager, vid)
        claims = f"/api/v1/villages/{vid}/claims"
        pending = ok(villager.post(claims, {"rule_id": rule_id("拾金不昧"), "deed_date": day(-1), "photos": [photo],
                                            "description": "在村口拾到钱包一个，已交还失主王桂芝"}), 201, "claim")
        approved = ok(villager.post(claims, {"rule_id": rule_id("拾金不昧"), "deed_date": day(-2),
                                             "description": "拾到手机一部，交还三组于洪军"}), 201, "claim")
        ok(scorer.post(f"/api/v1/claims/{approved['id']}/approve"), 200, "approve")
        rejected = ok(villager.post(claims, {"rule_id": rule_id("志愿服务"), "deed_date": day(-3),
                                             "description": "帮助村委会整理档案"}), 201, "claim")
        ok(scorer.post(f"/api/v1/claims/{rejected['id']}/reject", {"reason": "请补充村委会证明后重新申请"}), 200, "reject")
        second = ok(villager.post(claims, {"rule_id": rule_id("见义勇为"), "deed_date": day(-4), "quantity": 2,
                                           "description": "下河救起落水儿童两名"}), 201, "claim")
        eq(ok(scorer.post(f"/api/v1/claims/{second['id']}/approve", {"points": 15}), 200, "approve")["status"],
           "second_review", "30 points need a second reviewer")
        activity = ok(admin.post(f"/api/v1/villages/{vid}/activities",
                                 {"name": "秋季义务植树", "rule_id": rule_id("植树"), "activity_date": day(),
                                  "description": "村东河堤栽杨树"}), 201, "activity")
        ok(villager.post(f"/api/v1/activities/{activity['id']}/signups", {"household_id": own_hid}), 201, "signup")
        ok(scorer.post(f"/api/v1/activities/{activity['id']}/signups", {"household_id": other_hid}), 201, "signup")
        group3 = s.sql("SELECT group_id FROM households WHERE id = ?", other_hid)[0][0]
        round_ = ok(scorer.post(f"/api/v1/villages/{vid}/inspections", {"group_id": group3, "inspection_date": day()}),
                    201, "inspection")
        ok(scorer.post(f"/api/v1/inspections/{round_['id']}/scores",
                       {"household_id": other_hid, "items": [{"rule_id": tidy["id"]}]}), 201, "score")
        own_entry = s.sql("SELECT entry_id FROM claims WHERE id = ?", approved["id"])[0][0]
        other_entry = s.sql("SELECT id FROM entries WHERE household_id = ? ORDER BY id DESC LIMIT 1", other_hid)[0][0]
        month = s.sql("SELECT month FROM entries WHERE id = ?", other_entry)[0][0]
        # the village's year, from the demo: notices (last month's open, older confirmed)
        # with objections, the supermarket's sponsors, goods and redemptions, 2025 closed
        clerk = s.login("clerk")
        open_notice, open_month = s.sql("SELECT id, month FROM notices WHERE village_id = ? AND status = 'open'",
                                        vid)[0]
        old_notice = s.sql("SELECT id FROM notices WHERE village_id = ? AND status = 'confirmed' ORDER BY month "
                           "LIMIT 1", vid)[0][0]
        objection = s.sql("SELECT id FROM objections WHERE notice_id = ? AND status = 'open' LIMIT 1", open_notice)[0][0]
        settled = s.sql("SELECT id FROM objections WHERE status = 'upheld' LIMIT 1")[0][0]
        sponsor = s.sql("SELECT id FROM sponsors WHERE village_id = ? ORDER BY id LIMIT 1", vid)[0][0]
        rice = s.sql("SELECT id FROM goods WHERE village_id = ? AND name = '大米'", vid)[0][0]
        soap = s.sql("SELECT id FROM goods WHERE village_id = ? AND name = '香皂'", vid)[0][0]
        # a picture for one of the goods, so that GET …/photo has one to serve
        r = status(admin.patch(f"/api/v1/goods/{soap}", {"photo": upload_ok(admin, vid)}), 200, "goods picture")
        check_against_doc(d, "PATCH", "/api/v1/goods/{id}", r, "goods picture")
        redemption, redeemer = s.sql("SELECT id, household_id FROM redemptions WHERE village_id = ? AND household_id <> ? "
                                     "ORDER BY id LIMIT 1", vid, own_hid)[0]
        group1 = s.sql("SELECT id FROM villager_groups WHERE village_id = ? AND name = '一组'", vid)[0][0]
        township_area = s.sql("SELECT id FROM areas WHERE level = 'township'")[0][0]
        table = [
            # who, pattern, concrete path, expected status
            (anon, "/api/v1/health", "/api/v1/health", 200),
            (admin, "/api/v1/session", "/api/v1/session", 200),
            (villager, "/api/v1/session", "/api/v1/session", 200),
            (anon, "/api/v1/session", "/api/v1/session", 401),
            (county, "/api/v1/areas", "/api/v1/areas", 200),
            (township, "/api/v1/areas", "/api/v1/areas", 200),
            (admin, "/api/v1/areas", "/api/v1/areas", 403),
            (county, "/api/v1/areas/{id}", f"/api/v1/areas/{county_area}", 200),
            (township, "/api/v1/areas/{id}", f"/api/v1/areas/{county_area}", 403),
            (county, "/api/v1/areas/{id}", "/api/v1/areas/999", 404),
            (admin, "/api/v1/villages", "/api/v1/villages", 200),
            (county, "/api/v1/villages", "/api/v1/villages", 200),
            (admin, "/api/v1/villages/{id}", f"/api/v1/villages/{vid}", 200),
            (admin, "/api/v1/villages/{id}", "/api/v1/villages/999", 404),
            (admin, "/api/v1/villages/{id}/groups", f"/api/v1/villages/{vid}/groups", 200),
            (villager, "/api/v1/villages/{id}/groups", f"/api/v1/villages/{vid}/groups", 200),
            (admin, "/api/v1/villages/{id}/groups", "/api/v1/villages/999/groups", 404),
            (admin, "/api/v1/villages/{id}/households", f"/api/v1/villages/{vid}/households?per_page=200", 200),
            (scorer, "/api/v1/villages/{id}/households",
             f"/api/v1/villages/{vid}/households?q=%E4%BA%8E%E6%B4%AA%E5%86%9B&group_id=3&status=active", 200),
            (admin, "/api/v1/villages/{id}/households", f"/api/v1/villages/{vid}/households?per_page=201", 400),
            (villager, "/api/v1/villages/{id}/households", f"/api/v1/villages/{vid}/households", 403),
            (admin, "/api/v1/households/{id}", f"/api/v1/households/{other_hid}", 200),
            (villager, "/api/v1/households/{id}", f"/api/v1/households/{own_hid}", 200),
            (villager, "/api/v1/households/{id}", f"/api/v1/households/{other_hid}", 403),
            (admin, "/api/v1/households/{id}", "/api/v1/households/999999", 404),
            (admin, "/api/v1/users", "/api/v1/users", 200),
            (county, "/api/v1/users", f"/api/v1/users?village_id={vid}&role=villager", 200),
            (county, "/api/v1/users", "/api/v1/users?village_id=999", 404),
            (admin, "/api/v1/users", "/api/v1/users?role=chief", 400),
            (villager, "/api/v1/users", "/api/v1/users", 403),
            (admin, "/api/v1/users/{id}", f"/api/v1/users/{admin.user['id']}", 200),
            (villager, "/api/v1/users/{id}", f"/api/v1/users/{villager.user['id']}", 200),
            (admin, "/api/v1/users/{id}", f"/api/v1/users/{county_uid}", 403),
            (admin, "/api/v1/users/{id}", "/api/v1/users/999999", 404),
            (admin, "/api/v1/audit", "/api/v1/audit", 200),
            (county, "/api/v1/audit", f"/api/v1/audit?village_id={vid}&entity=household&entity_id={other_hid}"
                                       f"&user_id={admin.user['id']}&since=2000-01-01&until=4000000000", 200),
            (admin, "/api/v1/audit", "/api/v1/audit?since=yesterday", 400),
            (scorer, "/api/v1/audit", "/api/v1/audit", 403),
            (anon, "/api/v1/villages/{id}/rules", f"/api/v1/villages/{vid}/rules", 200),
            (anon, "/api/v1/villages/{id}/rules", f"/api/v1/villages/{vid}/rules?status=all", 200),
            (villager, "/api/v1/villages/{id}/rules", f"/api/v1/villages/{vid}/rules?status=retired", 200),
            (anon, "/api/v1/villages/{id}/rules", f"/api/v1/villages/{vid}/rules?status=old", 400),
            (anon, "/api/v1/villages/{id}/rules", "/api/v1/villages/999/rules", 404),
            (anon, "/api/v1/rules/{id}", f"/api/v1/rules/{retired['id']}", 200),
            (villager, "/api/v1/rules/{id}", f"/api/v1/rules/{rule_id('孝敬老人')}", 200),
            (anon, "/api/v1/rules/{id}", "/api/v1/rules/999999", 404),
            (anon, "/api/v1/villages/{id}/chain", f"/api/v1/villages/{vid}/chain", 200),
            (anon, "/api/v1/villages/{id}/chain", "/api/v1/villages/999/chain", 404),
            (scorer, "/api/v1/villages/{id}/entries", f"/api/v1/villages/{vid}/entries?per_page=100", 200),
            (county, "/api/v1/villages/{id}/entries", f"/api/v1/villages/{vid}/entries?month={month}&page=2", 200),
            (admin, "/api/v1/villages/{id}/entries", f"/api/v1/villages/{vid}/entries?month=2026-4", 400),
            (admin, "/api/v1/villages/{id}/entries", f"/api/v1/villages/{vid}/entries?month=2026-13", 400),
            (villager, "/api/v1/villages/{id}/entries", f"/api/v1/villages/{vid}/entries", 403),
            (anon, "/api/v1/villages/{id}/entries", f"/api/v1/villages/{vid}/entries", 401),
            (admin, "/api/v1/villages/{id}/entries", "/api/v1/villages/999/entries", 404),
            (villager, "/api/v1/entries/{id}", f"/api/v1/entries/{own_entry}", 200),
            (scorer, "/api/v1/entries/{id}", f"/api/v1/entries/{other_entry}", 200),
            (villager, "/api/v1/entries/{id}", f"/api/v1/entries/{other_entry}", 403),
            (admin, "/api/v1/entries/{id}", "/api/v1/entries/99999999", 404),
            (villager, "/api/v1/households/{id}/passbook", f"/api/v1/households/{own_hid}/passbook", 200),
            (scorer, "/api/v1/households/{id}/passbook", f"/api/v1/households/{other_hid}/passbook?per_page=200", 200),
            (villager, "/api/v1/households/{id}/passbook", f"/api/v1/households/{other_hid}/passbook", 403),
            (admin, "/api/v1/households/{id}/passbook", f"/api/v1/households/{own_hid}/passbook?per_page=0", 400),
            (admin, "/api/v1/households/{id}/passbook", "/api/v1/households/999999/passbook", 404),
            (villager, "/api/v1/villages/{id}/photos/{hash}", f"/api/v1/villages/{vid}/photos/{photo}", 200),
            (scorer, "/api/v1/villages/{id}/photos/{hash}", f"/api/v1/villages/{vid}/photos/{photo}", 200),
            (villager2, "/api/v1/villages/{id}/photos/{hash}", f"/api/v1/villages/{vid}/photos/{photo}", 403),
            (admin, "/api/v1/villages/{id}/photos/{hash}", f"/api/v1/villages/{vid}/photos/{'0' * 64}", 404),
            (scorer, "/api/v1/villages/{id}/claims", f"/api/v1/villages/{vid}/claims", 200),
            (admin, "/api/v1/villages/{id}/claims", f"/api/v1/villages/{vid}/claims?status=all&per_page=10", 200),
            (admin, "/api/v1/villages/{id}/claims", f"/api/v1/villages/{vid}/claims?status=done", 400),
            (villager, "/api/v1/villages/{id}/claims", f"/api/v1/villages/{vid}/claims", 403),
            (admin, "/api/v1/villages/{id}/claims", "/api/v1/villages/999/claims", 404),
            (villager, "/api/v1/households/{id}/claims", f"/api/v1/households/{own_hid}/claims", 200),
            (scorer, "/api/v1/households/{id}/claims", f"/api/v1/households/{own_hid}/claims?status=rejected", 200),
            (villager2, "/api/v1/households/{id}/claims", f"/api/v1/households/{own_hid}/claims", 403),
            (admin, "/api/v1/households/{id}/claims", "/api/v1/households/999999/claims", 404),
            (villager, "/api/v1/claims/{id}", f"/api/v1/claims/{second['id']}", 200),
            (admin, "/api/v1/claims/{id}", f"/api/v1/claims/{pending['id']}", 200),
            (villager2, "/api/v1/claims/{id}", f"/api/v1/claims/{pending['id']}", 403),
            (admin, "/api/v1/claims/{id}", "/api/v1/claims/999999", 404),
            (villager, "/api/v1/villages/{id}/activities", f"/api/v1/villages/{vid}/activities", 200),
            (admin, "/api/v1/villages/{id}/activities", f"/api/v1/villages/{vid}/activities?per_page=500", 400),
            (county, "/api/v1/villages/{id}/activities", "/api/v1/villages/999/activities", 404),
            (villager, "/api/v1/activities/{id}", f"/api/v1/activities/{activity['id']}", 200),
            (scorer, "/api/v1/activities/{id}", f"/api/v1/activities/{activity['id']}", 200),
            (admin, "/api/v1/activities/{id}", "/api/v1/activities/999999", 404),
            (scorer, "/api/v1/villages/{id}/inspections", f"/api/v1/villages/{vid}/inspections", 200),
            (villager, "/api/v1/villages/{id}/inspections", f"/api/v1/villages/{vid}/inspections", 403),
            (admin, "/api/v1/villages/{id}/inspections", "/api/v1/villages/999/inspections", 404),
            (admin, "/api/v1/inspections/{id}", f"/api/v1/inspections/{round_['id']}", 200),
            (s.login("clerk"), "/api/v1/inspections/{id}", f"/api/v1/inspections/{round_['id']}", 403),
            (scorer, "/api/v1/inspections/{id}", "/api/v1/inspections/999999", 404),
            # notices and objections
            (villager, "/api/v1/villages/{id}/notices", f"/api/v1/villages/{vid}/notices", 200),
            (county, "/api/v1/villages/{id}/notices", f"/api/v1/villages/{vid}/notices?per_page=5&page=2", 200),
            (admin, "/api/v1/villages/{id}/notices", "/api/v1/villages/999/notices", 404),
            (anon, "/api/v1/villages/{id}/notices/current", f"/api/v1/villages/{vid}/notices/current", 200),
            (anon, "/api/v1/villages/{id}/notices/current", f"/api/v1/villages/{vid}/notices/current?month=2025-12", 200),
            (anon, "/api/v1/villages/{id}/notices/current", "/api/v1/villages/999/notices/current", 404),
            (villager, "/api/v1/notices/{id}", f"/api/v1/notices/{open_notice}?household_id={own_hid}", 200),
            (admin, "/api/v1/notices/{id}", f"/api/v1/notices/{old_notice}?household_id={other_hid}", 200),
            (township, "/api/v1/notices/{id}", f"/api/v1/notices/{open_notice}?household_id={own_hid}", 200),
            (admin, "/api/v1/notices/{id}", "/api/v1/notices/999999", 404),
            (admin, "/api/v1/notices/{id}/objections", f"/api/v1/notices/{open_notice}/objections", 200),
            (villager, "/api/v1/notices/{id}/objections", f"/api/v1/notices/{open_notice}/objections?status=open", 200),
            (admin, "/api/v1/notices/{id}/objections", f"/api/v1/notices/{open_notice}/objections?status=late", 400),
            (admin, "/api/v1/objections/{id}", f"/api/v1/objections/{objection}", 200),
            (scorer, "/api/v1/objections/{id}", f"/api/v1/objections/{settled}", 200),
            (admin, "/api/v1/objections/{id}", "/api/v1/objections/999999", 404),
            # the supermarket
            (admin, "/api/v1/villages/{id}/sponsors", f"/api/v1/villages/{vid}/sponsors", 200),
            (villager, "/api/v1/villages/{id}/sponsors", f"/api/v1/villages/{vid}/sponsors", 403),
            (clerk, "/api/v1/sponsors/{id}/statement", f"/api/v1/sponsors/{sponsor}/statement", 200),
            (admin, "/api/v1/sponsors/{id}/statement", "/api/v1/sponsors/999999/statement", 404),
            (anon, "/api/v1/villages/{id}/goods", f"/api/v1/villages/{vid}/goods", 200),
            (anon, "/api/v1/villages/{id}/goods", f"/api/v1/villages/{vid}/goods?status=all&sponsor_id={sponsor}", 200),
            (anon, "/api/v1/villages/{id}/goods", f"/api/v1/villages/{vid}/goods?per_page=201", 400),
            (anon, "/api/v1/goods/{id}", f"/api/v1/goods/{soap}", 200),
            (anon, "/api/v1/goods/{id}", f"/api/v1/goods/{rice}", 200),
            (anon, "/api/v1/goods/{id}", "/api/v1/goods/999999", 404),
            (anon, "/api/v1/goods/{id}/photo", f"/api/v1/goods/{soap}/photo", 200),
            (anon, "/api/v1/goods/{id}/photo", f"/api/v1/goods/{rice}/photo", 404),
            (clerk, "/api/v1/goods/{id}/stock-moves", f"/api/v1/goods/{rice}/stock-moves", 200),
            (villager, "/api/v1/goods/{id}/stock-moves", f"/api/v1/goods/{rice}/stock-moves", 403),
            (villager, "/api/v1/villages/{id}/redemption-windows", f"/api/v1/villages/{vid}/redemption-windows", 200),
            (anon, "/api/v1/villages/{id}/redemption-windows/current",
             f"/api/v1/villages/{vid}/redemption-windows/current", 200),
            (admin, "/api/v1/villages/{id}/redemption-overrides", f"/api/v1/villages/{vid}/redemption-overrides", 200),
            (villager, "/api/v1/villages/{id}/redemption-overrides", f"/api/v1/villages/{vid}/redemption-overrides", 403),
            (clerk, "/api/v1/villages/{id}/redemptions", f"/api/v1/villages/{vid}/redemptions", 200),
            (admin, "/api/v1/villages/{id}/redemptions", f"/api/v1/villages/{vid}/redemptions?status=cancelled", 200),
            (villager, "/api/v1/villages/{id}/redemptions", f"/api/v1/villages/{vid}/redemptions", 403),
            (scorer, "/api/v1/households/{id}/redemptions", f"/api/v1/households/{redeemer}/redemptions", 200),
            (villager, "/api/v1/households/{id}/redemptions", f"/api/v1/households/{own_hid}/redemptions", 200),
            (villager, "/api/v1/households/{id}/redemptions", f"/api/v1/households/{other_hid}/redemptions", 403),
            (clerk, "/api/v1/redemptions/{id}", f"/api/v1/redemptions/{redemption}", 200),
            (villager, "/api/v1/redemptions/{id}", f"/api/v1/redemptions/{redemption}", 403),
            (admin, "/api/v1/redemptions/{id}", "/api/v1/redemptions/999999", 404),
            (villager, "/api/v1/households/{id}/qr", f"/api/v1/households/{own_hid}/qr", 200),
            (villager, "/api/v1/households/{id}/qr", f"/api/v1/households/{other_hid}/qr", 403),
            (clerk, "/api/v1/villages/{id}/households/by-qr", f"/api/v1/villages/{vid}/households/by-qr?code=JIFEN:{vid}:1001",
             200),
            (clerk, "/api/v1/villages/{id}/households/by-qr", f"/api/v1/villages/{vid}/households/by-qr", 400),
            (villager, "/api/v1/villages/{id}/households/by-qr",
             f"/api/v1/villages/{vid}/households/by-qr?code=JIFEN:{vid}:1001", 403),
            # ranking, honours, years, comparisons
            (scorer, "/api/v1/villages/{id}/ranking", f"/api/v1/villages/{vid}/ranking", 200),
            (county, "/api/v1/villages/{id}/ranking", f"/api/v1/villages/{vid}/ranking?period=2026-Q3&group_id={group1}",
             200),
            (villager, "/api/v1/villages/{id}/ranking", f"/api/v1/villages/{vid}/ranking", 403),
            (admin, "/api/v1/villages/{id}/ranking", f"/api/v1/villages/{vid}/ranking?period=2026-13", 422),
            (anon, "/api/v1/villages/{id}/ranking/public", f"/api/v1/villages/{vid}/ranking/public?period={open_month}",
             200),
            (anon, "/api/v1/villages/{id}/ranking/public", "/api/v1/villages/999/ranking/public", 404),
            (villager, "/api/v1/households/{id}/rank", f"/api/v1/households/{own_hid}/rank", 200),
            (scorer, "/api/v1/households/{id}/rank", f"/api/v1/households/{other_hid}/rank?period=2025", 200),
            (villager, "/api/v1/households/{id}/rank", f"/api/v1/households/{other_hid}/rank", 403),
            (villager, "/api/v1/villages/{id}/honour-rules", f"/api/v1/villages/{vid}/honour-rules", 200),
            (admin, "/api/v1/villages/{id}/honours", f"/api/v1/villages/{vid}/honours?year=2025", 200),
            (county, "/api/v1/villages/{id}/honours", f"/api/v1/villages/{vid}/honours?year=2024", 200),
            (villager, "/api/v1/villages/{id}/honours", f"/api/v1/villages/{vid}/honours?year=2025", 403),
            (anon, "/api/v1/villages/{id}/honours/public", f"/api/v1/villages/{vid}/honours/public?year=2025", 200),
            (admin, "/api/v1/villages/{id}/years", f"/api/v1/villages/{vid}/years", 200),
            (villager, "/api/v1/villages/{id}/years", f"/api/v1/villages/{vid}/years", 403),
            (county, "/api/v1/villages/{id}/years/{year}", f"/api/v1/villages/{vid}/years/2025", 200),
            (admin, "/api/v1/villages/{id}/years/{year}", f"/api/v1/villages/{vid}/years/2024", 404),
            (county, "/api/v1/areas/{id}/compare", f"/api/v1/areas/{county_area}/compare?period=2026", 200),
            (township, "/api/v1/areas/{id}/compare", f"/api/v1/areas/{township_area}/compare?from=2026-01&to=2026-06",
             200),
            (admin, "/api/v1/areas/{id}/compare", f"/api/v1/areas/{county_area}/compare?period=2026", 403),
            (county, "/api/v1/areas/{id}/compare", f"/api/v1/areas/{county_area}/compare", 400),
            (scorer, "/api/v1/villages/{id}/groups/compare", f"/api/v1/villages/{vid}/groups/compare?period=2026-Q3", 200),
            (villager, "/api/v1/villages/{id}/groups/compare", f"/api/v1/villages/{vid}/groups/compare?period=2026", 403),
            # exports: files in each format
            (villager, "/api/v1/notices/{id}/export", f"/api/v1/notices/{open_notice}/export?format=csv", 200),
            (county, "/api/v1/notices/{id}/export", f"/api/v1/notices/{old_notice}/export?format=xlsx", 200),
            (admin, "/api/v1/notices/{id}/export", f"/api/v1/notices/{open_notice}/export?format=doc", 400),
            (scorer, "/api/v1/villages/{id}/ranking/export", f"/api/v1/villages/{vid}/ranking/export?format=xlsx", 200),
            (villager, "/api/v1/villages/{id}/ranking/export", f"/api/v1/villages/{vid}/ranking/export?format=csv", 403),
            (villager, "/api/v1/households/{id}/passbook/export", f"/api/v1/households/{own_hid}/passbook/export?format=pdf",
             200),
            (villager, "/api/v1/households/{id}/passbook/export",
             f"/api/v1/households/{other_hid}/passbook/export?format=pdf", 403),
            (clerk, "/api/v1/villages/{id}/redemptions/export",
             f"/api/v1/villages/{vid}/redemptions/export?format=csv&from=2026-09-01&to=2026-09-30", 200),
            (admin, "/api/v1/sponsors/{id}/statement/export", f"/api/v1/sponsors/{sponsor}/statement/export?format=xlsx", 200),
            (admin, "/api/v1/sponsors/{id}/statement/export", "/api/v1/sponsors/999999/statement/export?format=csv", 404),
        ]
        # every GET route is in the table (the document itself is checked byte for byte above)
        gets = {r["pattern"] for r in routes() if r["method"] == "GET"} - {"/api/v1/openapi.yaml"}
        missing = gets - {row[1] for row in table}
        assert not missing, f"GET routes without a row in this test's table: {sorted(missing)}"
        for who, pattern, path, want in table:
            what = f"GET {path} as {(who.user or {}).get('username') or (who.user or {}).get('role') or 'anonymous'}"
            r = who.get(path)
            eq(r.status, want, f"{what}: status ({r.text[:200]})")
            check_against_doc(d, "GET", pattern, r, what)
        # the table's 200s did carry rows to check, not empty lists
        r = admin.get(f"/api/v1/audit?entity=household&entity_id={other_hid}")
        assert any(e["action"] == "update" for e in r.json["items"]), f"audit of the PATCH: {r}"
        r = admin.get(f"/api/v1/households/{other_hid}")
        eq((r.json["head_name"], r.json["address"]), ("于洪军", "高箭沟村三组17号"), "household after PATCH")
        # … and the ledger's rows are the ones made above, in the states they were left in
        r = villager.get(f"/api/v1/households/{own_hid}/claims?per_page=4")
        eq([(c["id"], c["status"]) for c in r.json["items"]],
           [(second["id"], "second_review"), (rejected["id"], "rejected"), (approved["id"], "approved"),
            (pending["id"], "pending")], "the household's claims, newest first, in their states")
        r = villager.get(f"/api/v1/claims/{second['id']}")
        eq((r.json["first_points"], r.json["points"], r.json["can_review"]), (15, None, False), "second review")
        r = villager.get(f"/api/v1/entries/{own_entry}")
        eq((r.json["claim_id"], r.json["approved_by"], r.json["rule_name"]), (approved["id"], scorer.user["id"], "拾金不昧"),
           "the approved claim's entry")
        r = anon.get(f"/api/v1/rules/{retired['id']}")
        eq((r.json["status"], r.json["min_points"], r.json["recorders"]), ("retired", 2, ["scorer"]), "retired rule")
        r = villager.get(f"/api/v1/activities/{activity['id']}")
        eq(([x["household_id"] for x in r.json["signups"]], r.json["signup_count"]), ([own_hid], 2),
           "a villager sees their own sign-up, and the count of all")
        r = admin.get(f"/api/v1/inspections/{round_['id']}")
        scored = [h for h in r.json["households"] if h["score"] is not None]
        eq([(h["household_id"], h["score"]) for h in scored], [(other_hid, 2)], "the scored household")
        assert any(h["score"] is None for h in r.json["households"]), "unscored households too"
        r = anon.get(f"/api/v1/villages/{vid}/chain")
        eq(r.json["seq"], s.sql("SELECT max(seq) FROM entries WHERE village_id = ?", vid)[0][0], "chain head")
        r = villager.get(f"/api/v1/villages/{vid}/photos/{photo}")
        eq(upload_ok(villager, vid, r.body), photo, "the photo served is the one uploaded")
    finally:
        s.close()


def test_write_routes_refuse_as_documented():
    """For every route that takes a body or changes state: unknown fields are 422 (the
    document's additionalProperties: false), no login is 401, and a cookie session without
    X-CSRF-Token is 403 — each a status the operation documents, in the Error shape."""
    d = doc()
    s = Server()
    try:
        vid = s.village_id
        hid = s.sql("SELECT id FROM households WHERE village_id = ? AND passbook_no = '3017'", vid)[0][0]
        mid = s.sql("SELECT id FROM members WHERE household_id = ? ORDER BY id LIMIT 1", hid)[0][0]
        gid = s.sql("SELECT id FROM villager_groups WHERE village_id = ? AND name = '三组'", vid)[0][0]
        admin, county = s.login("admin"), s.login("county")
        admin_cookie = s.login("admin", use_cookie=True)
        uid = s.sql("SELECT id FROM users WHERE username = 'scorer'")[0][0]
        ids = {"/api/v1/villages/{id}": vid, "/api/v1/villages/{id}/groups": vid,
               "/api/v1/villages/{id}/households": vid, "/api/v1/villages/{id}/households/import": vid,
               "/api/v1/groups/{id}": gid, "/api/v1/households/{id}": hid,
               "/api/v1/households/{id}/members": hid, "/api/v1/members/{id}": mid,
               "/api/v1/users/{id}": uid, "/api/v1/areas/{id}": 1}
        hs = handlers()
        anon = s.anon()
        checked = 0
        for r in routes():
            pattern, method = r["pattern"], r["method"]
            path = fill(pattern, id=ids.get(pattern, 1))
            where = f"{method} {path}"
            if hs[r["handler"]]["fields"] is not None:
                who = anon if r["public"] else county if pattern in ("/api/v1/areas", "/api/v1/villages") else admin
                resp = who.request(method, path, body={"备注": "于洪军家"})
                eq((resp.status, resp.error_code), (422, "unknown_field"), f"{where} with an unknown field")
                assert "备注" in resp.json["error"]["message"], f"{where}: the message names the field: {resp}"
                check_against_doc(d, method, pattern, resp, where)
                checked += 1
            if not r["public"]:
                resp = anon.request(method, path, body={} if method in STATE_CHANGING else None)
                eq((resp.status, resp.error_code), (401, "not_logged_in"), f"{where} without a login")
                check_against_doc(d, method, pattern, resp, where)
            if method in STATE_CHANGING and not r["public"]:
                no_csrf = Client(s, cookie=admin_cookie.cookie)  # the cookie, but no X-CSRF-Token
                resp = no_csrf.request(method, path, body={"name": "于洪军"})
                eq((resp.status, resp.error_code), (403, "csrf"), f"{where} by cookie without X-CSRF-Token")
                check_against_doc(d, method, pattern, resp, where)
        assert checked >= 12, f"only {checked} JSON-body routes checked"
        # nothing above changed the village: every refusal happened before the handler wrote
        eq(s.sql("SELECT count(*) FROM households WHERE village_id = ?", vid)[0][0], 222, "households")
        eq(s.sql("SELECT name FROM villager_groups WHERE id = ?", gid)[0][0], "三组", "group name")
        # the cookie session itself still works, with the token: logout is 200 as documented
        resp = admin_cookie.delete("/api/v1/session")
        check_against_doc(d, "DELETE", "/api/v1/session", status(resp, 200, "logout by cookie"), "logout")
        # the 4 KiB login limit is 413
        resp = anon.post("/api/v1/session", {"username": "admin", "password": "x" * 5000})
        eq((resp.status, resp.error_code), (413, "payload_too_large"), "oversized login")
        check_against_doc(d, "POST", "/api/v1/session", resp, "oversized login")
        # the import's CSV body, as documented: a dry run reports and writes nothing
        csv = "村民小组,存折号,户主,住址,电话,家庭成员\n三组,3099,于洪军,高箭沟村三组17号,13941012345,王桂芝(妻子);于浩然(孙子)\n"
        resp = admin.post(f"/api/v1/villages/{vid}/households/import?dry_run=1", raw=csv.encode("utf-8"),
                          headers={"Content-Type": "text/csv"})
        status(resp, 200, "import dry run")
        check_against_doc(d, "POST", "/api/v1/villages/{id}/households/import", resp, "import dry run")
        eq((resp.json["created"], resp.json["members_added"], resp.json["applied"]), (1, 2, False), "dry-run report")
        resp = admin.post(f"/api/v1/villages/{vid}/households/import", raw=(csv + "三组,3099,于洪军\n").encode("utf-8"),
                          headers={"Content-Type": "text/csv"})
        eq((resp.status, resp.error_code), (422, "import_rejected"), "import with a repeated passbook number")
        check_against_doc(d, "POST", "/api/v1/villages/{id}/households/import", resp, "import rejected")
        eq(s.sql("SELECT count(*) FROM households WHERE passbook_no = '3099'")[0][0], 0, "nothing imported")
    finally:
        s.close()


def test_created_resources_match_their_schemas():
    """A 201 of each kind the demo lets us make, checked against the documented schema."""
    d = doc()
    s = Server()
    try:
        vid = s.village_id
        admin, county = s.login("admin"), s.login("county")
        county_area = s.sql("SELECT id FROM areas WHERE level = 'county'")[0][0]
        steps = [
            (county, "POST", "/api/v1/areas", "/api/v1/areas",
             {"name": "镇西堡镇", "level": "township", "parent_id": county_area}, 201),
            (county, "POST", "/api/v1/villages", "/api/v1/villages", {"name": "小屯村", "area_id": county_area}, 201),
            (admin, "POST", "/api/v1/villages/{id}/groups", f"/api/v1/villages/{vid}/groups",
             {"name": "六组", "sort": 6}, 201),
            (admin, "POST", "/api/v1/villages/{id}/groups", f"/api/v1/villages/{vid}/groups", {"name": "六组"}, 409),
            (admin, "POST", "/api/v1/villages/{id}/households", f"/api/v1/villages/{vid}/households",
             {"group_id": 3, "passbook_no": "3117", "head_name": "于洪军", "address": "高箭沟村三组17号",
              "phone": "13941012345", "members": [{"name": "王桂芝", "relation": "妻子"}]}, 201),
            (admin, "POST", "/api/v1/villages/{id}/households", f"/api/v1/villages/{vid}/households",
             {"group_id": 3, "passbook_no": "3117", "head_name": "于洪军"}, 409),
            (admin, "POST", "/api/v1/villages/{id}/households", f"/api/v1/villages/{vid}/households",
             {"group_id": 3, "passbook_no": "3118", "head_name": "于" * 33}, 422),
            (admin, "POST", "/api/v1/users", "/api/v1/users",
             {"username": "yuhongjun", "display_name": "于洪军", "role": "scorer", "password": "Pingfen-2024-san",
              "village_id": vid}, 201),
            (admin, "POST", "/api/v1/users", "/api/v1/users",
             {"display_name": "于洪军", "role": "village_admin", "username": "yuhj2", "password": "Pingfen-2024-san",
              "village_id": vid}, 403),
        ]
        for who, method, pattern, path, body, want in steps:
            r = who.request(method, path, body=body)
            eq(r.status, want, f"{method} {path} {body}: status ({r.text[:200]})")
            check_against_doc(d, method, pattern, r, f"{method} {path}")
        hid = s.sql("SELECT id FROM households WHERE passbook_no = '3117'")[0][0]
        r = status(admin.post(f"/api/v1/households/{hid}/members", {"name": "于浩然", "relation": "孙子"}), 201, "member")
        check_against_doc(d, "POST", "/api/v1/households/{id}/members", r, "add member")
        eq([m["name"] for m in r.json["members"]], ["王桂芝", "于浩然"], "members")
        mid = r.json["members"][1]["id"]
        r = status(admin.patch(f"/api/v1/members/{mid}", {"status": "left"}), 200, "member left")
        check_against_doc(d, "PATCH", "/api/v1/members/{id}", r, "member update")
        r = status(admin.patch(f"/api/v1/groups/{s.sql('SELECT id FROM villager_groups WHERE name = ?', '六组')[0][0]}",
                               {"sort": -1}), 422, "negative sort")
        check_against_doc(d, "PATCH", "/api/v1/groups/{id}", r, "negative sort")
        r = status(admin.patch(f"/api/v1/villages/{vid}", {"name": "高箭沟村"}), 200, "rename village")
        check_against_doc(d, "PATCH", "/api/v1/villages/{id}", r, "rename village")
        uid = s.sql("SELECT id FROM users WHERE username = 'yuhongjun'")[0][0]
        r = status(admin.patch(f"/api/v1/users/{uid}", {"phone": "13941012345", "disabled": True}), 200, "user update")
        check_against_doc(d, "PATCH", "/api/v1/users/{id}", r, "user update")
        eq((r.json["phone"], r.json["disabled"]), ("13941012345", True), "user after PATCH")
        r = Client(s).post("/api/v1/session", {"username": "yuhongjun", "password": "Pingfen-2024-san"})
        eq((r.status, r.error_code), (401, "account_disabled"), "disabled login")
        check_against_doc(d, "POST", "/api/v1/session", r, "disabled login")
        r = Client(s).post("/api/v1/session", {"username": "admin", "password": "Gaojiangou-2024"})
        check_against_doc(d, "POST", "/api/v1/session", status(r, 201, "login"), "login")
    finally:
        s.close()



# The state-changing routes of the organisation part; test_created_resources_… and
# test_write_routes_… check their answers. Every other state-changing route needs a step
# in test_ledger_writes_match_their_schemas.
CHECKED_ELSEWHERE = {
    ("POST", "/api/v1/session"), ("DELETE", "/api/v1/session"), ("POST", "/api/v1/areas"),
    ("POST", "/api/v1/villages"), ("PATCH", "/api/v1/villages/{id}"), ("POST", "/api/v1/villages/{id}/groups"),
    ("PATCH", "/api/v1/groups/{id}"), ("POST", "/api/v1/villages/{id}/households"),
    ("POST", "/api/v1/villages/{id}/households/import"), ("PATCH", "/api/v1/households/{id}"),
    ("POST", "/api/v1/households/{id}/members"), ("PATCH", "/api/v1/members/{id}"), ("POST", "/api/v1/users"),
}


def test_ledger_writes_match_their_schemas():
    """Each write of the ledger, as its users make it: the answer (a success, and the
    refusals the document names) against the documented schema; the Idempotency-Key's
    replay, reuse and malformed key as documented."""
    d = doc()
    s = Server()
    try:
        vid = s.village_id
        admin, scorer = s.login("admin"), s.login("scorer")
        villager = s.login_villager("1001")
        own_hid = villager.user["household_id"]
        other_hid = s.sql("SELECT id FROM households WHERE village_id = ? AND passbook_no = '3017'", vid)[0][0]
        member = s.sql("SELECT id FROM members WHERE household_id = ? AND status = 'active' ORDER BY id LIMIT 1",
                       other_hid)[0][0]
        group3 = s.sql("SELECT group_id FROM households WHERE id = ?", other_hid)[0][0]
        claimable = s.sql("SELECT id FROM rules WHERE village_id = ? AND name = '拾金不昧' AND status = 'active'",
                          vid)[0][0]
        seen = set()

        def step(who, method, pattern, want, body=None, raw=None, headers=None, code=None, **ids):
            path = fill(pattern, **ids)
            what = f"{method} {path} {json.dumps(body, ensure_ascii=False) if body is not None else ''}"
            r = who.request(method, path, body=body, raw=raw, headers=headers)
            eq(r.status, want, f"{what}: status ({r.text[:300]})")
            if code:
                eq(r.error_code, code, f"{what}: error code")
            check_against_doc(d, method, pattern, r, what)
            if 200 <= r.status < 300:
                seen.add((method, pattern))
            return r

        rules = "/api/v1/villages/{id}/rules"
        rule = step(admin, "POST", rules, 201, {"category": "村屯绿化", "name": "清理河道垃圾", "points": 3,
                                                 "cap_month": 6, "evidence_required": True}, id=vid).json
        # rules of its own for the activity and the round, so the demo's history uses none of their caps
        tree = step(admin, "POST", rules, 201, {"category": "村屯绿化", "name": "河堤植树", "points": 2}, id=vid).json["id"]
        tidy = step(admin, "POST", rules, 201, {"category": "环境卫生", "name": "院外柴草乱堆", "points": -3,
                                                 "recorders": ["scorer"]}, id=vid).json["id"]
        eq((rule["unit"], rule["recorders"], rule["min_points"]), ("time", ["scorer", "village_admin"], None),
           "the defaults")
        step(admin, "POST", rules, 422, {"category": "好人好事", "name": "见义勇为", "points": 10, "min_points": 5},
             code="invalid_range", id=vid)
        step(scorer, "POST", rules, 403, {"category": "好人好事", "name": "见义勇为", "points": 10}, id=vid)
        step(admin, "POST", rules, 404, {"category": "好人好事", "name": "见义勇为", "points": 10}, id=999)
        rule = step(admin, "PATCH", "/api/v1/rules/{id}", 200,
                    {"category": "村屯绿化", "name": "清理河道垃圾", "points": 2, "cap_month": 6,
                     "evidence_required": True, "description": "清理村东河道的塑料袋和秸秆"}, id=rule["id"]).json
        eq((rule["points"], rule["version"]), (2, 1), "rewritten in place")

        # a photo, then points recorded with it, under an idempotency key
        photos = "/api/v1/villages/{id}/photos"
        png = png_of(2, 2, (34, 139, 34))
        photo = step(villager, "POST", photos, 201, raw=png, headers={"Content-Type": "image/png"}, id=vid).json
        eq((photo["mime"], photo["width"], photo["height"], photo["created"]), ("image/png", 2, 2, True), "photo")
        again = step(scorer, "POST", photos, 200, raw=png, headers={"Content-Type": "application/octet-stream"},
                     id=vid).json
        eq((again["hash"], again["created"]), (photo["hash"], False), "the same picture again")
        step(villager, "POST", photos, 422, raw="清理河道垃圾".encode(), headers={"Content-Type": "image/png"},
             code="not_an_image", id=vid)
        step(villager, "GET", "/api/v1/villages/{id}/photos/{hash}", 200, id=vid, hash=photo["hash"])
        entries = "/api/v1/villages/{id}/entries"
        body = {"rule_id": rule["id"], "households": [{"household_id": other_hid, "member_id": member}],
                "deed_date": day(), "note": "清理河道垃圾两车", "evidence": [photo["hash"]]}
        key = {"Idempotency-Key": "river-2026-0001"}
        first = step(scorer, "POST", entries, 201, body, headers=key, id=vid)
        eq((first.json["count"], first.json["total_points"], first.json["entries"][0]["member_id"]),
           (1, 2, member), "the batch")
        replay = step(scorer, "POST", entries, 201, body, headers=key, id=vid)
        eq((replay.header("Idempotent-Replayed"), replay.body), ("true", first.body), "the replay")
        step(scorer, "POST", entries, 422, dict(body, note="改了备注"), headers=key, code="idempotency_key_reused",
             id=vid)
        step(scorer, "POST", entries, 400, body, headers={"Idempotency-Key": "river/2026"}, code="bad_idempotency_key",
             id=vid)
        capped = step(scorer, "POST", entries, 422, dict(body, quantity=3), headers={"Idempotency-Key": "river-2"},
                      code="cap_exceeded", id=vid)
        replay = step(scorer, "POST", entries, 422, dict(body, quantity=3), headers={"Idempotency-Key": "river-2"},
                      id=vid)
        eq((replay.header("Idempotent-Replayed"), replay.body), ("true", capped.body), "a refusal is replayed")
        step(s.login("clerk"), "POST", entries, 403, body, id=vid)
        step(admin, "POST", entries, 404, body, id=999)
        entry = first.json["entries"][0]["id"]

        # the used rule: no longer rewritten, but revised and retired
        step(admin, "PATCH", "/api/v1/rules/{id}", 409, {"category": "村屯绿化", "name": "清理河道", "points": 2},
             code="rule_used", id=rule["id"])
        v2 = step(admin, "POST", "/api/v1/rules/{id}/revise", 201,
                  {"category": "村屯绿化", "name": "清理河道垃圾", "points": 3, "cap_month": 9,
                   "evidence_required": True}, id=rule["id"]).json
        eq((v2["lineage_id"], v2["version"]), (rule["id"], 2), "the new version")
        step(admin, "POST", "/api/v1/rules/{id}/revise", 409, {"category": "村屯绿化", "name": "清理河道垃圾",
                                                                "points": 4}, code="rule_retired", id=rule["id"])
        step(admin, "POST", "/api/v1/rules/{id}/retire", 200, id=v2["id"])
        step(admin, "POST", "/api/v1/rules/{id}/retire", 409, code="rule_retired", id=v2["id"])

        # reversal
        rev = step(scorer, "POST", "/api/v1/entries/{id}/reversal", 201, {"reason": "记错了户"},
                   headers={"Idempotency-Key": "rev-1"}, id=entry).json
        eq((rev["entries"][0]["kind"], rev["entries"][0]["reverses_id"], rev["total_points"]),
           ("reversal", entry, -2), "the reversal")
        step(scorer, "POST", "/api/v1/entries/{id}/reversal", 409, {"reason": "记错了户"}, code="already_reversed",
             id=entry)
        step(scorer, "POST", "/api/v1/entries/{id}/reversal", 404, {"reason": "记错了户"}, id=99999999)

        # claims: filed by the villager, decided by the scorer
        claims = "/api/v1/villages/{id}/claims"
        claim = step(villager, "POST", claims, 201, {"rule_id": claimable, "deed_date": day(-1),
                                                     "description": "拾到钱包一个，已交还失主",
                                                     "photos": [photo["hash"]]},
                     headers={"Idempotency-Key": "claim-1"}, id=vid).json
        eq((claim["status"], claim["household_id"], claim["photos"]), ("pending", own_hid, [photo["hash"]]), "claim")
        step(villager, "POST", claims, 422, {"rule_id": tree, "deed_date": day(), "description": "植树"},
             code="rule_not_claimable", id=vid)
        step(villager, "POST", "/api/v1/claims/{id}/approve", 403, code="not_reviewer", id=claim["id"])
        done = step(scorer, "POST", "/api/v1/claims/{id}/approve", 200, id=claim["id"]).json
        eq((done["status"], done["points"] is not None, done["entry_id"] is not None), ("approved", True, True),
           "approved")
        step(scorer, "POST", "/api/v1/claims/{id}/approve", 409, code="claim_decided", id=claim["id"])
        claim = step(villager, "POST", claims, 201, {"rule_id": claimable, "deed_date": day(-2),
                                                     "description": "拾到手机一部"}, id=vid).json
        done = step(scorer, "POST", "/api/v1/claims/{id}/reject", 200, {"reason": "失主未确认"},
                    headers={"Idempotency-Key": "reject-1"}, id=claim["id"]).json
        eq((done["status"], done["reject_reason"]), ("rejected", "失主未确认"), "rejected")
        step(scorer, "POST", "/api/v1/claims/{id}/reject", 409, {"reason": "失主未确认"}, code="claim_decided",
             id=claim["id"])

        # an activity: sign-ups, attendance, the award
        act = step(scorer, "POST", "/api/v1/villages/{id}/activities", 201,
                   {"name": "河堤植树", "rule_id": tree, "activity_date": day()}, id=vid).json
        step(scorer, "POST", "/api/v1/villages/{id}/activities", 422,
             {"name": "河堤植树", "rule_id": tree, "activity_date": "2026-02-30"}, code="invalid_date", id=vid)
        signup = step(villager, "POST", "/api/v1/activities/{id}/signups", 201, {"household_id": own_hid},
                      id=act["id"]).json
        step(villager, "POST", "/api/v1/activities/{id}/signups", 409, {"household_id": own_hid},
             code="already_signed_up", id=act["id"])
        step(villager, "POST", "/api/v1/activities/{id}/signups", 403, {"household_id": other_hid}, id=act["id"])
        marked = step(scorer, "POST", "/api/v1/activities/{id}/attendance", 200, {"attended": [signup["id"]]},
                      id=act["id"]).json
        eq([x["attended"] for x in marked["signups"]], [True], "attended")
        award = step(scorer, "POST", "/api/v1/activities/{id}/award", 201, headers={"Idempotency-Key": "tree-1"},
                     id=act["id"]).json
        eq((award["count"], award["entries"][0]["activity_id"]), (1, act["id"]), "the award")
        step(scorer, "POST", "/api/v1/activities/{id}/award", 409, code="activity_awarded", id=act["id"])
        step(scorer, "POST", "/api/v1/activities/{id}/attendance", 409, {"absent": [signup["id"]]},
             code="activity_awarded", id=act["id"])

        # an inspection round
        rnd = step(scorer, "POST", "/api/v1/villages/{id}/inspections", 201,
                   {"group_id": group3, "inspection_date": day()}, id=vid).json
        eq(rnd["household_count"], len(rnd["households"]), "household_count")
        score = step(scorer, "POST", "/api/v1/inspections/{id}/scores", 201,
                     {"household_id": other_hid, "items": [{"rule_id": tidy}]},
                     headers={"Idempotency-Key": "insp-1"}, id=rnd["id"]).json
        eq((score["entries"][0]["inspection_id"], score["total_points"]), (rnd["id"], -3), "the score")
        step(scorer, "POST", "/api/v1/inspections/{id}/scores", 409, {"household_id": other_hid,
                                                                     "items": [{"rule_id": tidy}]},
             code="already_scored", id=rnd["id"])
        step(scorer, "POST", "/api/v1/inspections/{id}/scores", 422, {"household_id": own_hid,
                                                                     "items": [{"rule_id": tidy}]},
             code="household_not_in_group", id=rnd["id"])
        step(scorer, "POST", "/api/v1/inspections/{id}/close", 200, id=rnd["id"])
        step(scorer, "POST", "/api/v1/inspections/{id}/close", 409, code="inspection_closed", id=rnd["id"])

        # a staff account's home household, and null clears it
        sid = scorer.user["id"]
        r = step(admin, "PATCH", "/api/v1/users/{id}", 200, {"home_household_id": other_hid}, id=sid)
        eq(r.json["home_household_id"], other_hid, "home household set")
        r = step(admin, "PATCH", "/api/v1/users/{id}", 200, {"home_household_id": None}, id=sid)
        eq(r.json["home_household_id"], None, "null clears it")
        step(admin, "PATCH", "/api/v1/users/{id}", 422, {"home_household_id": other_hid},
             code="invalid_home_household", id=villager.user["id"])
        step(scorer, "PATCH", "/api/v1/users/{id}", 403, {"home_household_id": own_hid}, id=sid)

        # the village's year: its settings
        village = "/api/v1/villages/{id}"
        r = step(admin, "PATCH", village, 200, {"notice_days": 5, "window_days": 7, "balance_policy": "clear",
                                                 "second_review_points": 30}, id=vid)
        eq((r.json["notice_days"], r.json["window_days"], r.json["balance_policy"], r.json["second_review_points"]),
           (5, 7, "clear", 30), "the settings")
        step(admin, "PATCH", village, 422, {}, code="nothing_to_change", id=vid)
        step(admin, "PATCH", village, 422, {"balance_policy": "keep"}, code="invalid_balance_policy", id=vid)
        step(admin, "PATCH", village, 200, {"notice_days": 7, "window_days": 10, "balance_policy": "carry_over",
                                           "second_review_points": 20}, id=vid)

        # the open notice (last month's): an objection by the villager, settled by the admin
        clerk, county = s.login("clerk"), s.login("county")
        notice, notice_month = s.sql("SELECT id, month FROM notices WHERE village_id = ? AND status = 'open'", vid)[0]
        notices = "/api/v1/villages/{id}/notices"
        step(admin, "POST", notices, 409, {"month": notice_month}, code="notice_exists", id=vid)
        step(admin, "POST", notices, 422, {"month": day()[:7]}, code="month_not_ended", id=vid)
        step(county, "POST", notices, 403, {"month": notice_month}, id=vid)
        objected = s.sql("SELECT e.id FROM entries e WHERE e.household_id = ? AND e.month = ? AND e.kind = 'award' "
                         "AND NOT EXISTS (SELECT 1 FROM entries r WHERE r.reverses_id = e.id) "
                         "AND NOT EXISTS (SELECT 1 FROM objections o WHERE o.entry_id = e.id) ORDER BY e.id LIMIT 1",
                         own_hid, notice_month)[0][0]
        objections = "/api/v1/notices/{id}/objections"
        body = {"entry_id": objected, "reason": "那天我家没人在村里，这条记录可能记错了，请核实"}
        first = step(villager, "POST", objections, 201, body, headers={"Idempotency-Key": "obj-1"}, id=notice)
        eq((first.json["status"], first.json["entry_id"], first.json["mine"]), ("open", objected, True), "the objection")
        replay = step(villager, "POST", objections, 201, body, headers={"Idempotency-Key": "obj-1"}, id=notice)
        eq((replay.header("Idempotent-Replayed"), replay.body), ("true", first.body), "the objection replayed")
        step(villager, "POST", objections, 409, body, code="objection_open", id=notice)
        step(county, "POST", objections, 403, body, id=notice)
        settle = "/api/v1/objections/{id}/settle"
        decision = {"outcome": "upheld", "resolution": "经评分小组入户核实，记录有误，予以冲销"}
        step(villager, "POST", settle, 403, decision, id=first.json["id"])
        done = step(admin, "POST", settle, 200, decision, headers={"Idempotency-Key": "settle-1"}, id=first.json["id"]).json
        eq((done["status"], done["reversal_entry_id"] is not None), ("upheld", True), "upheld: the entry reversed")
        step(admin, "POST", settle, 409, dict(decision, outcome="dismissed"), code="objection_settled",
             id=first.json["id"])
        step(admin, "POST", settle, 422, {"outcome": "maybe", "resolution": "再议"}, code="invalid_outcome",
             id=s.sql("SELECT id FROM objections WHERE status = 'open' LIMIT 1")[0][0])

        # the supermarket: a sponsor, goods, stock, a window, an override, a redemption and its cancel
        sponsor = step(admin, "POST", "/api/v1/villages/{id}/sponsors", 201,
                       {"name": "铁岭农商银行", "contact": "李主任 13941012345", "note": "年度共建"}, id=vid).json
        step(admin, "POST", "/api/v1/villages/{id}/sponsors", 409, {"name": "铁岭农商银行"}, code="sponsor_exists", id=vid)
        step(scorer, "POST", "/api/v1/villages/{id}/sponsors", 403, {"name": "平顶堡镇供销社"}, id=vid)
        goods_body = {"name": "电饭煲", "category": "厨具", "unit": "个", "price_points": 30, "sponsor_id": sponsor["id"],
                      "photo": photo["hash"]}
        goods = step(clerk, "POST", "/api/v1/villages/{id}/goods", 201, goods_body, id=vid).json
        eq((goods["stock"], goods["photo"], goods["photo_url"]), (0, photo["hash"], f"/api/v1/goods/{goods['id']}/photo"),
           "new goods")
        step(clerk, "POST", "/api/v1/villages/{id}/goods", 409, goods_body, code="goods_exists", id=vid)
        step(admin, "PATCH", "/api/v1/goods/{id}", 200, {"price_points": 6, "unit": "台"}, id=goods["id"])
        step(admin, "PATCH", "/api/v1/goods/{id}", 422, {"stock": 5}, code="stock_not_editable", id=goods["id"])
        contributions = "/api/v1/sponsors/{id}/contributions"
        gift = {"kind": "goods", "goods_id": goods["id"], "quantity": 3, "contributed_on": day(), "note": "捐赠电饭煲三台"}
        first = step(clerk, "POST", contributions, 201, gift, headers={"Idempotency-Key": "gift-1"}, id=sponsor["id"])
        replay = step(clerk, "POST", contributions, 201, gift, headers={"Idempotency-Key": "gift-1"}, id=sponsor["id"])
        eq((replay.header("Idempotent-Replayed"), replay.body), ("true", first.body), "the gift replayed")
        money = step(admin, "POST", contributions, 201, {"kind": "money", "amount_yuan": "500.00", "contributed_on": day()},
                     id=sponsor["id"]).json
        eq((money["amount_yuan"], money["quantity"]), ("500.00", None), "money")
        step(admin, "POST", contributions, 422, {"kind": "money", "amount_yuan": "5.005", "contributed_on": day()},
             code="invalid_amount", id=sponsor["id"])
        stock = "/api/v1/goods/{id}/stock"
        moved = step(clerk, "POST", stock, 201, {"kind": "intake", "delta": 2, "reason": "镇供销社进货"},
                     headers={"Idempotency-Key": "stock-1"}, id=goods["id"]).json
        eq((moved["goods"]["stock"], moved["move"]["stock_after"]), (5, 5), "3 given and 2 bought")
        step(clerk, "POST", stock, 422, {"kind": "correction", "delta": -9, "reason": "盘点"}, code="stock_negative",
             id=goods["id"])
        step(county, "POST", stock, 403, {"kind": "intake", "delta": 1, "reason": "进货"}, id=goods["id"])
        step(admin, "POST", "/api/v1/villages/{id}/redemption-windows", 201,
             {"starts_on": day(20), "ends_on": day(25), "note": "年底集中兑换"}, id=vid)
        step(admin, "POST", "/api/v1/villages/{id}/redemption-windows", 422,
             {"starts_on": day(25), "ends_on": day(20)}, code="invalid_window", id=vid)
        redemptions = "/api/v1/villages/{id}/redemptions"
        order = {"passbook_no": "1001", "items": [{"goods_id": goods["id"], "quantity": 1}]}
        if not villager.get(f"/api/v1/villages/{vid}/redemption-windows/current").json["can_redeem"]:
            step(clerk, "POST", redemptions, 403, order, code="redemption_closed", id=vid)
        step(admin, "POST", "/api/v1/villages/{id}/redemption-overrides", 201, {"reason": "年底前临时开放", "hours": 2},
             id=vid)
        first = step(clerk, "POST", redemptions, 201, order, headers={"Idempotency-Key": "redeem-1"}, id=vid)
        eq((first.json["household_id"], first.json["total_points"], first.json["status"]), (own_hid, 6, "done"),
           "the redemption")
        replay = step(clerk, "POST", redemptions, 201, order, headers={"Idempotency-Key": "redeem-1"}, id=vid)
        eq((replay.header("Idempotent-Replayed"), replay.body), ("true", first.body), "the redemption replayed")
        step(clerk, "POST", redemptions, 422, {"passbook_no": "1001", "items": []}, code="no_items", id=vid)
        step(county, "POST", redemptions, 403, order, id=vid)
        cancel = "/api/v1/redemptions/{id}/cancel"
        done = step(clerk, "POST", cancel, 200, {"reason": "拿错了商品，已退回"}, headers={"Idempotency-Key": "cancel-1"},
                    id=first.json["id"]).json
        eq((done["status"], done["cancel_entry_id"] is not None), ("cancelled", True), "cancelled")
        step(clerk, "POST", cancel, 409, {"reason": "拿错了商品"}, code="already_cancelled", id=first.json["id"])

        # honours and the year's close (in a village of its own, whose 2025 is open)
        rules_ = "/api/v1/villages/{id}/honour-rules"
        stars = {"kind": "stars", "title": "美丽庭院星级户", "thresholds": [20, 40, 60, 80, 100]}
        rule_ = step(admin, "POST", rules_, 201, stars, id=vid).json
        step(admin, "POST", rules_, 409, stars, code="title_taken", id=vid)
        step(admin, "POST", rules_, 422, {"kind": "stars", "title": "五好家庭", "thresholds": [10]},
             code="invalid_thresholds", id=vid)
        step(admin, "PATCH", "/api/v1/honour-rules/{id}", 200, {"status": "retired"}, id=rule_["id"])
        step(admin, "PATCH", "/api/v1/honour-rules/{id}", 409, {"status": "retired"}, code="honour_rule_retired",
             id=rule_["id"])
        close = "/api/v1/villages/{id}/years/{year}/close"
        step(admin, "POST", close, 409, code="year_already_closed", id=vid, year=2025)
        step(admin, "POST", close, 422, code="year_not_ended", id=vid, year=int(day()[:4]))
        _, v2, _, _ = second_village(s)
        boss = staff(s, county, "ertaizi_admin", role="village_admin", village_id=v2)
        step(boss, "POST", notices, 201, {"month": day(-40)[:7]}, id=v2)
        first = step(boss, "POST", close, 201, headers={"Idempotency-Key": "close-2025"}, id=v2, year=2025)
        eq((first.json["year"], first.json["policy"]), (2025, "carry_over"), "the close")
        replay = step(boss, "POST", close, 201, headers={"Idempotency-Key": "close-2025"}, id=v2, year=2025)
        eq((replay.header("Idempotent-Replayed"), replay.body), ("true", first.body), "the close replayed")

        writes = {(r["method"], r["pattern"]) for r in routes() if r["method"] in STATE_CHANGING}
        missing = writes - CHECKED_ELSEWHERE - seen
        assert not missing, f"state-changing routes without a successful step here: {sorted(missing)}"
    finally:
        s.close()


if __name__ == "__main__":
    run(globals())
