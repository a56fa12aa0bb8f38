"""Checks that the release binary is hardened and the test binary is sanitized.

Release (JIFEN_RELEASE_BIN): position-independent executable (ELF type DYN with an
interpreter), full RELRO (a GNU_RELRO segment and BIND_NOW), the stack protector
(__stack_chk_fail imported) and FORTIFY_SOURCE (fortified *_chk functions imported),
and a non-executable stack. Test build (JIFEN_BIN): linked with AddressSanitizer and
UndefinedBehaviorSanitizer. Prints "N passed, N failed".
"""
import os
import subprocess
import sys


def readelf(flag, path):
    return subprocess.run(["readelf", flag, "-W", path], capture_output=True, text=True,
                          check=True).stdout


def main():
    release = os.environ.get("JIFEN_RELEASE_BIN")
    test_bin = os.environ.get("JIFEN_BIN")
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail), flush=True)

    check("release binary given", bool(release) and os.path.exists(release or ""),
          "set JIFEN_RELEASE_BIN (scripts/test.sh does)")
    if release and os.path.exists(release):
        header = readelf("-h", release)
        segments = readelf("-l", release)
        dynamic = readelf("-d", release)
        symbols = readelf("--dyn-syms", release)
        check("PIE (ELF type DYN)", "DYN (" in header, header)
        check("PIE has an interpreter (an executable, not a library)", "INTERP" in segments)
        check("RELRO segment", "GNU_RELRO" in segments)
        check("full RELRO (BIND_NOW)", "BIND_NOW" in dynamic or "FLAGS_1" in dynamic and "NOW" in dynamic,
              dynamic)
        check("stack protector", "__stack_chk_fail" in symbols)
        fortified = sorted({tok.split("@")[0] for l in symbols.splitlines() for tok in l.split()
                            if tok.endswith("_chk") or "_chk@" in tok} - {"__stack_chk_fail"})
        check("FORTIFY_SOURCE (fortified calls: %s)" % ", ".join(fortified[:6]), len(fortified) > 0)
        stack = [l for l in segments.splitlines() if "GNU_STACK" in l]
        check("non-executable stack", bool(stack) and "RWE" not in stack[0], str(stack))
    if test_bin and os.path.exists(test_bin):
        syms = subprocess.run(["nm", "-D", test_bin], capture_output=True, text=True).stdout
        syms += subprocess.run(["nm", test_bin], capture_output=True, text=True).stdout
        check("test build has AddressSanitizer", "__asan_init" in syms or "__asan_" in syms)
        check("test build has UndefinedBehaviorSanitizer", "__ubsan_" in syms)
    passed = sum(results)
    failed = len(results) - passed
    print(f"hardening: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
