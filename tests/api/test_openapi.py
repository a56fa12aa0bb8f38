"""docs/api/openapi.yaml against the server it describes.

Static checks, from the source tree:
  - every (method, pattern) row of src/api/routes.c is a documented operation, and every
    documented operation is a route; path parameters, operationId (the handler's name) and
    security (public or not) agree with the row;
  - every JSON request body lists exactly the fields of the handler's api_field table
    (src/api/*.c), with their types and which are required, and refuses others
    (additionalProperties: false); every operation documents exactly the query
    parameters its handler reads;
  - every operation lists the statuses the server's common paths produce (400/413/422 for
    bodies, 401 for signed-in routes, 403 for state-changing ones, 404 for ids).
Live checks, against a real `jifen serve` with the demo village:
  - GET /api/v1/openapi.yaml serves the file byte for byte as application/yaml;
  - every GET route, as the users of a table, answers with a documented status and a body
    whose shape is the documented schema (keys, types, enums, nested items);
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


def handlers():
    """handler name -> {"fields": [(name, type, required)] or None, "query": set of names}."""
    out = {}
    for fn in sorted(os.listdir(API_DIR)):
        if not fn.endswith(".c"):
            continue
        with open(os.path.join(API_DIR, fn), encoding="utf-8") as f:
            text = f.read()
        for m in re.finditer(r"^void (api_\w+)\(http_req \*req\)\n\{\n(.*?)^\}", text, re.S | re.M):
            body = m.group(2)
            fields = None
            t = re.search(r"api_field fields\[\] = \{(.*?)\};", body, re.S)
            if t:
                fields = [(n, FTYPE[ty], req == "true") for n, ty, req in FIELD_RE.findall(t.group(1))]
                assert fields, f"{m.group(1)}: empty or unreadable field table"
            query = set(QUERY_RE.findall(body))
            if "api_paging(" in body:
                query |= {"page", "per_page"}
            out[m.group(1)] = {"fields": fields, "query": query}
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


def fill(pattern, **ids):
    """The pattern with its one {id} replaced (every route has at most one)."""
    return pattern.replace("{id}", str(ids.get("id", 1)))


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
            if p["in"] == "path" and (not p.get("required") or resolve(d, p["schema"]).get("type") != "integer"):
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
        else:
            if not op.get("requestBody", {}).get("required"):
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
    # the import takes the CSV itself
    imp = operation(d, "POST", "/api/v1/villages/{id}/households/import")
    if list(imp["requestBody"]["content"]) != ["text/csv"]:
        problems.append("POST …/households/import: the body must be documented as text/csv only")
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
        need = set()
        ok = {"GET": "200", "DELETE": "200", "PATCH": "200"}.get(r["method"], "201")
        if r["handler"] == "api_households_import":
            ok = "200"  # a report, not a created resource
        need.add(ok)
        if not r["public"]:
            need.add("401")
        if "{" in r["pattern"]:
            need.add("404")
        if r["method"] in STATE_CHANGING and not r["public"]:
            need.add("403")  # csrf
        h = hs[r["handler"]]
        if h["fields"] is not None or r["handler"] == "api_households_import":
            need |= {"400", "413"}
        if h["fields"] is not None:
            need.add("422")
        if h["query"]:
            need.add("400")
        missing = need - codes
        if missing:
            problems.append(f"{where}: responses lack {sorted(missing)}")
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
    if isinstance(value, dict):
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
    media = next(iter(resp["content"]))
    ctype = (r.header("Content-Type") or "").split(";")[0]
    eq(ctype, media, f"{what}: Content-Type")
    if media == "application/json":
        assert r.json is not None, f"{what}: not JSON: {r}"
        probs = check_shape(d, r.json, resp["content"][media]["schema"], what)
        assert not probs, f"{what} ({r.status}) does not match openapi.yaml:\n  " + "\n  ".join(probs[:20])


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
        status(admin.patch(f"/api/v1/households/{other_hid}", {"address": "高箭沟村三组17号", "head_name": "于洪军"}),
               200, "PATCH household")
        anon = s.anon()
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


if __name__ == "__main__":
    run(globals())
