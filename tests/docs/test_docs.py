# SPDX-License-Identifier: MIT
"""The documentation is checked like code (house-style.md §1.7).

* every ```c block in docs/api/*.md is a complete program: it is compiled
  with -Wall -Wextra -Werror against the static library, run, and must exit 0;
* every public function of include/snapdir.h has a page with the six sections,
  and its SYNOPSIS matches the header's declaration;
* every command of `snapdir --help` has a page under docs/cli/ that mentions
  every option (and every env fallback) its `--help` shows;
* every docs/cli page names a command that exists.

Run by ctest with SNAPDIR_BIN set; SNAPDIR_LIB_DIR (default: the directory
of SNAPDIR_BIN) holds libsnapdir.a. SYNOPSIS blocks are fenced without a
language on purpose: only EXAMPLE programs use ```c.
"""
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

REPO = Path(os.environ.get("SNAPDIR_SOURCE_DIR",
                           Path(__file__).resolve().parents[2]))
API_DIR = REPO / "docs" / "api"
CLI_DIR = REPO / "docs" / "cli"
HEADER = REPO / "include" / "snapdir.h"
SECTIONS = ("NAME", "SYNOPSIS", "DESCRIPTION", "RETURN VALUE", "OWNERSHIP",
            "EXAMPLE")
LIBS = ["-lcrypto", "-lsqlite3", "-lcurl", "-ljson-c", "-lpthread"]


def snapdir_bin():
    p = os.environ.get("SNAPDIR_BIN")
    return Path(p) if p else REPO / "build" / "snapdir"


def lib_dir():
    d = os.environ.get("SNAPDIR_LIB_DIR")
    return Path(d) if d else snapdir_bin().parent


def clean_env(tmp):
    """No SNAPDIR_* setting, and HOME/XDG pointing into tmp."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SNAPDIR")}
    for name in ("home", "xdg"):
        (Path(tmp) / name).mkdir(exist_ok=True)
    env["HOME"] = str(Path(tmp) / "home")
    env["XDG_CACHE_HOME"] = str(Path(tmp) / "xdg")
    env["LC_ALL"] = "C"
    return env


# ---- the public header ---------------------------------------------------

DECL_RE = re.compile(
    r"SNAPDIR_EXTERN\(([^)]*)\)\s*(snapdir_\w+)\s*\(([^;]*?)\)\s*;", re.S)


def squeeze(text):
    return re.sub(r"\s+", "", text)


def public_functions():
    """{name: whitespace-free declaration} of every SNAPDIR_EXTERN."""
    text = HEADER.read_text()
    found = {m.group(2): squeeze("%s %s(%s);" % m.groups())
             for m in DECL_RE.finditer(text)}
    assert len(found) == len(re.findall(r"^SNAPDIR_EXTERN\(", text, re.M)), (
        "a SNAPDIR_EXTERN declaration was not recognised")
    return found


FUNCTIONS = public_functions()


# ---- markdown --------------------------------------------------------------

FENCE_RE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.S | re.M)


def fenced_blocks(text, lang):
    return [m.group(2) for m in FENCE_RE.finditer(text)
            if m.group(1).strip() == lang]


def section(text, title):
    m = re.search(r"^## %s[ \t]*\n(.*?)(?=^## |\Z)" % re.escape(title),
                  text, re.S | re.M)
    return m.group(1) if m else None


def api_pages():
    return sorted(p for p in API_DIR.glob("*.md") if p.name != "README.md")


def examples():
    out = []
    for page in api_pages():
        for i, block in enumerate(fenced_blocks(page.read_text(), "c")):
            out.append(pytest.param(page, block, id="%s-%d" % (page.stem, i)))
    return out


# ---- (a) every C example compiles cleanly and runs -------------------------


def link_flags():
    """Library and dependencies, matching how the library was built."""
    lib = lib_dir() / "libsnapdir.a"
    assert lib.is_file(), "static library not found at %s" % lib
    flags = [str(lib)] + LIBS
    cache = lib_dir() / "CMakeCache.txt"
    sanitized = (cache.is_file()
                 and "SNAPDIR_SANITIZE:BOOL=ON" in cache.read_text())
    nm = shutil.which("nm")
    symbols = ""
    if nm:
        symbols = subprocess.run([nm, "-g", str(lib)], capture_output=True,
                                 text=True).stdout
        sanitized = sanitized or "__asan_" in symbols
    if symbols and not re.search(r"\bT blake3_hasher_init\b", symbols):
        flags.append("-lblake3")  # built against a system libblake3
    pre = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all"] \
        if sanitized else []
    return pre, flags


@pytest.fixture(scope="module")
def toolchain():
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    assert cc, "no C compiler"
    pre, flags = link_flags()
    return cc, pre, flags


def test_every_page_has_an_example():
    missing = [p.name for p in api_pages()
               if not fenced_blocks(section(p.read_text(), "EXAMPLE") or "",
                                    "c")]
    assert not missing, "pages without a ```c EXAMPLE: %s" % missing


@pytest.mark.parametrize("page,source", examples())
def test_example_compiles_and_runs(page, source, toolchain):
    cc, pre, flags = toolchain
    assert "int main(" in source, "%s: an example is a whole program" % page
    with tempfile.TemporaryDirectory(prefix="sddoc-") as tmp:
        src = Path(tmp) / "example.c"
        exe = Path(tmp) / "example"
        src.write_text(source)
        cmd = [cc, "-std=c11", "-Wall", "-Wextra", "-Werror", *pre,
               "-I", str(REPO / "include"), str(src), "-o", str(exe), *flags]
        r = subprocess.run(cmd, capture_output=True, text=True)
        assert r.returncode == 0, "%s does not compile:\n%s\n%s" % (
            page.name, " ".join(cmd), r.stderr)
        work = Path(tmp) / "cwd"
        work.mkdir()
        r = subprocess.run([str(exe)], cwd=work, env=clean_env(tmp),
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, "%s: example exited %d\nstdout:\n%s\n" \
            "stderr:\n%s" % (page.name, r.returncode, r.stdout, r.stderr)


# ---- (b) every public function has a complete page -------------------------


def test_every_public_function_has_a_page():
    missing = sorted(f for f in FUNCTIONS
                     if not (API_DIR / ("%s.md" % f)).is_file())
    assert not missing, "public functions without docs/api page: %s" % missing


def test_no_page_for_a_function_that_does_not_exist():
    stray = [p.name for p in api_pages() if p.stem not in FUNCTIONS]
    assert not stray, "pages for unknown functions: %s" % stray


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_page_sections_and_synopsis(name):
    page = API_DIR / ("%s.md" % name)
    if not page.is_file():
        pytest.skip("no page (reported by the test above)")
    text = page.read_text()
    for title in SECTIONS:
        assert section(text, title) is not None, \
            "%s lacks a '## %s' section" % (page.name, title)
    order = [text.index("## " + t) for t in SECTIONS]
    assert order == sorted(order), "%s: sections out of order" % page.name
    synopsis = squeeze("".join(fenced_blocks(section(text, "SYNOPSIS"), "")))
    assert "#include<snapdir.h>" in synopsis, page.name
    assert FUNCTIONS[name] in synopsis, (
        "%s: SYNOPSIS does not match the header's declaration\n  %s"
        % (page.name, FUNCTIONS[name]))


def test_api_index_links_every_page():
    index = (API_DIR / "README.md").read_text()
    unlinked = [p.name for p in api_pages() if "(%s)" % p.name not in index]
    assert not unlinked, "docs/api/README.md does not link %s" % unlinked


# ---- (c, d) CLI pages against --help ----------------------------------------


def run_help(*args):
    with tempfile.TemporaryDirectory(prefix="sddoc-") as tmp:
        r = subprocess.run([str(snapdir_bin()), *args, "--help"],
                           env=clean_env(tmp), capture_output=True,
                           text=True, timeout=60)
    assert r.returncode == 0, (args, r.stderr)
    return r.stdout


def commands():
    text = run_help()
    block = text.split("Commands:", 1)[1].split("\n\n", 1)[0]
    names = [line.split()[0] for line in block.splitlines() if line.strip()]
    return [n for n in names if n != "help"]


def shown_options(help_text):
    """Long and short options and env fallbacks of one --help text."""
    opts, envs = set(), set()
    for line in help_text.splitlines():
        head = line.strip()
        if head.startswith("-"):
            opts.update(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", head))
        envs.update(re.findall(r"\[env: (\w+)", line))
    return opts, envs


COMMANDS = commands() if snapdir_bin().is_file() else []


def test_cli_has_commands():
    assert snapdir_bin().is_file(), "no snapdir binary at %s" % snapdir_bin()
    assert len(COMMANDS) >= 10, COMMANDS


@pytest.mark.parametrize("cmd", COMMANDS)
def test_cli_page_documents_every_option(cmd):
    page = CLI_DIR / ("%s.md" % cmd)
    assert page.is_file(), "docs/cli/%s.md is missing" % cmd
    text = page.read_text()
    opts, envs = shown_options(run_help(cmd))
    assert opts, "no options parsed from `snapdir %s --help`" % cmd
    undocumented = sorted(o for o in opts
                          if not re.search(r"(?<![\w-])%s(?![\w-])"
                                           % re.escape(o), text))
    assert not undocumented, "docs/cli/%s.md does not document %s" % (
        cmd, undocumented)
    missing_env = sorted(e for e in envs if e not in text)
    assert not missing_env, "docs/cli/%s.md does not mention %s" % (
        cmd, missing_env)


def test_every_cli_page_is_a_command():
    pages = [p.stem for p in CLI_DIR.glob("*.md") if p.name != "README.md"]
    stray = sorted(set(pages) - set(COMMANDS))
    assert not stray, "docs/cli pages for unknown commands: %s" % stray
    index = (CLI_DIR / "README.md").read_text()
    unlinked = [c for c in COMMANDS if "(%s.md)" % c not in index]
    assert not unlinked, "docs/cli/README.md does not link %s" % unlinked
