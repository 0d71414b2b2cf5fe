"""The built wheel carries assets/, adapters/ and recipes/ and runs from anywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_runs_demo(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-w", str(dist), str(ROOT)], check=True, capture_output=True)
    wheel = next(dist.glob("xfpush-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for required in ("xfpush/_data/assets/fonts/NotoSansSC-Regular.otf",
                     "xfpush/_data/assets/fonts/NotoSansSC-Bold.ttf",
                     "xfpush/_data/assets/icc/ISOcoated_v2_300_bas.icc",
                     "xfpush/_data/assets/icc/ISOcoated_v2_300_bas.txt",
                     "xfpush/_data/assets/fonts/OFL.txt", "xfpush/_data/assets/examples/demo.yaml",
                     "xfpush/_data/adapters/README.md", "xfpush/_data/recipes/README.md"):
        assert required in names
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", f"{wheel}[tts]"], check=True,
                   capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run([str(env_dir / "bin" / "xfpush"), "demo", "-o", "pack"],
                            cwd=elsewhere, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((elsewhere / "pack" / "manifest.json").read_text("utf-8"))
    a3 = next(a for a in manifest["assets"] if a["path"] == "poster/a3.pdf")
    assert all(check["ok"] for check in a3["checks"])  # pdfx: fonts and profile found installed
    where = subprocess.run([str(python), "-c", "import xfpush.resources as r; print(r.data_root())"],
                           cwd=elsewhere, capture_output=True, text=True, env=env, check=True)
    assert "site-packages" in where.stdout and "_data" in where.stdout
