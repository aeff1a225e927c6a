"""wasp installs from its wheel alone: catalogs, rules, templates and the demo come with the package.

The wheel is built from a copy of the tree and installed into a fresh virtual environment that reuses the
dependencies already installed (a .pth file pointing at this interpreter's site-packages), so no network
is needed and only wasp itself comes from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

from wasp.checks import all_checks

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _run(cmd: list[str], env: dict[str, str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout)


def _build_wheel(tmp: Path) -> Path:
    """`pip wheel` on a copy of the sources, so that the build leaves nothing in the working tree."""
    tree = tmp / "tree"
    tree.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tree / name)
    shutil.copytree(ROOT / "src", tree / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    out = tmp / "dist"
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-cache-dir", "-w", str(out), str(tree)]
    if int(version("setuptools").split(".")[0]) >= 77:  # the backend pyproject asks for is already here
        cmd.insert(cmd.index("--no-deps"), "--no-build-isolation")
    proc = _run(cmd, env=dict(os.environ), cwd=tmp)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (wheel,) = out.glob("wasp-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("package")
    wheel = _build_wheel(tmp)
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                     env={}, cwd=tmp).stdout.strip())
    (site / "wasp-test-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    # --ignore-installed: the wasp the .pth exposes (an editable install beside the dependencies) is not this one
    proc = _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                 "--ignore-installed", str(wheel)], env=env, cwd=tmp)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (venv / "bin" / "wasp").is_file(), proc.stdout[-2000:]
    env.update(XDG_DATA_HOME=str(tmp / "data"), PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    return wheel, venv, env


def test_wheel_holds_every_data_file_of_the_package(installed: tuple[Path, Path, dict[str, str]]):
    """Every non-Python file under src/wasp (catalogs, rules, templates, static files) is in the wheel."""
    wheel, _, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    data = [p.relative_to(ROOT / "src").as_posix() for p in (ROOT / "src" / "wasp").rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    assert data, "no data file found under src/wasp"
    assert [name for name in data if name not in names] == []


def test_wasp_is_imported_from_the_new_environment(installed: tuple[Path, Path, dict[str, str]]):
    """The installed package, not src/, is what runs."""
    _, venv, env = installed
    proc = _run([str(venv / "bin" / "python"), "-c", "import wasp; print(wasp.__file__)"], env=env, cwd=venv)
    assert Path(proc.stdout.strip()).resolve().is_relative_to(venv.resolve()), proc.stdout + proc.stderr


def test_installed_wasp_lists_checks_and_rules(installed: tuple[Path, Path, dict[str, str]]):
    """`wasp checks` lists every check (catalog ids resolve) and `wasp trail rules` the built-in pack."""
    _, venv, env = installed
    checks = _run([str(venv / "bin" / "wasp"), "checks"], env=env, cwd=venv)
    assert checks.returncode == 0, checks.stderr
    assert f"{len(all_checks())} checks" in checks.stdout
    rules = _run([str(venv / "bin" / "wasp"), "trail", "rules", "--output", "json"], env=env, cwd=venv)
    assert rules.returncode == 0, rules.stderr
    builtin = sorted((ROOT / "src" / "wasp" / "trail" / "rules").rglob("*.yml"))
    listed = json.loads(rules.stdout)
    assert listed["problems"] == []
    assert len(listed["rules"]) == len(builtin)


def test_installed_wasp_assesses_an_example_template(installed: tuple[Path, Path, dict[str, str]]):
    """`wasp iac` on examples/cloudformation finds the open security group, from the installed package."""
    _, venv, env = installed
    proc = _run([str(venv / "bin" / "wasp"), "iac", str(ROOT / "examples" / "cloudformation"), "--no-store",
                 "--output", "json"], env=env, cwd=venv)
    assert proc.returncode == 0, proc.stderr
    failing = {(f["check_id"], f["resource"]["id"]) for f in json.loads(proc.stdout)["findings"]
               if f["status"] == "FAIL"}
    assert ("ec2_sg_open_all_traffic", "WebSecurityGroup") in failing


def test_installed_wasp_runs_the_demo_and_renders_html(installed: tuple[Path, Path, dict[str, str]], tmp_path: Path):
    """`wasp demo` seeds and scans the embedded account; the HTML report template comes with the package."""
    _, venv, env = installed
    report = tmp_path / "demo.html"
    proc = _run([str(venv / "bin" / "wasp"), "demo", "--regions", "us-east-1", "--output", "html", "--out",
                 str(report)], env=env, cwd=venv, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    html = report.read_text(encoding="utf-8")
    assert "iam_root_mfa_enabled" in html and "<html" in html
