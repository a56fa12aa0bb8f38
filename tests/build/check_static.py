"""Static analysis of src/: cppcheck and GCC's -fanalyzer report nothing new.

Runs cppcheck (warning, portability and performance checks) over src/ and compiles
every src/**/*.c with `gcc -fanalyzer` (two files at a time). Each finding becomes a
line-independent key, "tool:id:file:function-or-message", and must match an entry of
a reviewed baseline, each entry with its reason after "#":

  tests/build/cppcheck.supp          cppcheck:<id>:<file>            # why it is not a bug
  tests/build/analyzer-baseline.txt  analyzer:<warning>:<file>:<fn>  # why it is not a bug

Any finding not in a baseline fails the test. A baseline entry without a reason fails
too; an entry that matches nothing is reported (to be removed) but does not fail.
Prints "N passed, N failed". Run: python3 tests/build/check_static.py [--tool cppcheck|analyzer]
"""
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC_ROOT = os.environ.get("JIFEN_SRC") or os.path.dirname(os.path.dirname(HERE))
PKGS = ["libmicrohttpd", "jansson", "sqlite3", "libsodium", "xlsxwriter", "pangocairo",
        "cairo-pdf", "libqrencode"]
DEFINES = ["-D_POSIX_C_SOURCE=200809L", "-D_DEFAULT_SOURCE", '-DJIFEN_VERSION="0.1.0"']


def load_baseline(name):
    """{key: reason} from a baseline file; keys may end in '*' (a prefix)."""
    entries = {}
    bad = []
    path = os.path.join(HERE, name)
    if not os.path.exists(path):
        return entries, bad
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            key, _, reason = line.partition("#")
            key, reason = key.strip(), reason.strip()
            if not reason:
                bad.append(f"{name}:{n}: entry without a reason: {key}")
            entries[key] = reason
    return entries, bad


def matches(key, entry):
    return key.startswith(entry[:-1]) if entry.endswith("*") else key == entry


def c_sources():
    out = []
    for root, _, files in os.walk(os.path.join(SRC_ROOT, "src")):
        out += [os.path.relpath(os.path.join(root, f), SRC_ROOT) for f in files if f.endswith(".c")]
    return sorted(out)


def run_cppcheck():
    """cppcheck's findings as (key, text)."""
    cmd = ["cppcheck", "-q", f"-j{os.cpu_count() or 2}", "--std=c11",
           "--enable=warning,portability,performance", "--inline-suppr",
           "--suppress=missingIncludeSystem", "-I", "src", *DEFINES,
           "--template={file}\t{line}\t{id}\t{severity}\t{message}", "src"]
    p = subprocess.run(cmd, cwd=SRC_ROOT, capture_output=True, text=True)
    found = []
    for line in (p.stdout + p.stderr).splitlines():
        parts = line.split("\t")
        if len(parts) != 5:
            if line.strip():
                found.append((f"cppcheck:output:{line.strip()}", line))
            continue
        file, lineno, ident, sev, msg = parts
        found.append((f"cppcheck:{ident}:{file}", f"{file}:{lineno}: {sev}/{ident}: {msg}"))
    return found


DIAG = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<kind>warning|error): "
                  r"(?P<msg>.*?)(?: \[CWE-\d+\])?(?: \[(?P<opt>-W[^\]]+)\])?$")
FUNC = re.compile(r"^(?P<file>[^:]+): In function [‘'](?P<fn>[^’']+)[’']:$")


def analyze_one(src, flags):
    p = subprocess.run(["gcc", *flags, "-c", src, "-o", os.devnull], cwd=SRC_ROOT,
                       capture_output=True, text=True)
    found = []
    fn = "?"
    for line in p.stderr.splitlines():
        m = FUNC.match(line)
        if m:
            fn = m.group("fn")
            continue
        m = DIAG.match(line)
        if m and m.group("file") == src:
            opt = (m.group("opt") or m.group("kind")).lstrip("-W")
            found.append((f"analyzer:{opt}:{src}:{fn}",
                          f"{src}:{m.group('line')}: {m.group('kind')}: {m.group('msg')} [{opt}] in {fn}"))
    if p.returncode != 0 and not found:
        found.append((f"analyzer:compile-failed:{src}", p.stderr.strip()[-2000:]))
    return found


def run_analyzer():
    pc = subprocess.run(["pkg-config", "--cflags", *PKGS], capture_output=True, text=True,
                        check=True).stdout.split()
    # no -Wall: the build checks ordinary warnings; only the analyzer's are wanted here
    flags = ["-std=c17", *DEFINES, "-Isrc", *pc, "-O1", "-fanalyzer",
             "-fdiagnostics-plain-output", "-fno-diagnostics-show-caret"]
    found = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        for r in ex.map(lambda s: analyze_one(s, flags), c_sources()):
            found += r
    return found


def main():
    tools = sys.argv[sys.argv.index("--tool") + 1:] if "--tool" in sys.argv else ["cppcheck", "analyzer"]
    passed = failed = 0

    def check(name, ok, detail=""):
        nonlocal passed, failed
        passed += ok
        failed += not ok
        print(("ok   " if ok else "FAIL ") + name + ("" if ok else "\n" + detail), flush=True)

    for tool, runner, base in (("cppcheck", run_cppcheck, "cppcheck.supp"),
                               ("analyzer", run_analyzer, "analyzer-baseline.txt")):
        if tool not in tools:
            continue
        exe = "cppcheck" if tool == "cppcheck" else "gcc"
        if not shutil.which(exe):
            check(f"{tool}: {exe} installed", False, "install it (scripts/deps.sh does)")
            continue
        baseline, bad = load_baseline(base)
        check(f"{tool}: every baseline entry has a reason", not bad, "\n".join(bad))
        t0 = time.monotonic()
        found = runner()
        secs = time.monotonic() - t0
        new = [text for key, text in found if not any(matches(key, e) for e in baseline)]
        used = {e for e in baseline for key, _ in found if matches(key, e)}
        for e in sorted(set(baseline) - used):
            print(f"note {tool}: baseline entry matches nothing now (remove it): {e}")
        print(f"{tool}: {len(found)} findings, {len(found) - len(new)} in the baseline, "
              f"{len(new)} new ({secs:.1f} s)", flush=True)
        check(f"{tool}: no new findings", not new,
              "\n".join(new) + "\n(fix them in src/, or add a reviewed entry with its reason to "
              f"tests/build/{base}; keys: " + "; ".join(k for k, t in found if t in new) + ")")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
