"""Packaging hook: the wheel carries the built web client as `parley/web`.

`pip install .` and `python -m build` copy desktop/dist/web (made by `npm run build:web`
in desktop/) into the package, so an installed Parley serves the web client on a machine
without Node. When the build is missing and npm is there, it is built first; without
either, the build stops and says how to make it. Editable installs (`pip install -e .`,
`make setup`) copy nothing: they serve desktop/dist/web from the source tree.
"""

import os
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

ROOT = Path(__file__).resolve().parent
WEB = ROOT / "desktop" / "dist" / "web"


def built_web_client() -> Path:
    """desktop/dist/web, built with npm if it is missing and npm is installed."""
    if (WEB / "index.html").is_file():
        return WEB
    npm = shutil.which("npm")
    if npm is not None and (ROOT / "desktop" / "package.json").is_file():
        print("parley: building the web client (desktop/dist/web) with npm")
        desktop = ROOT / "desktop"
        if not (desktop / "node_modules").is_dir():
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund"],
                cwd=desktop,
                check=True,
                env={**os.environ, "ELECTRON_SKIP_BINARY_DOWNLOAD": "1"},
            )
        subprocess.run([npm, "run", "build:web"], cwd=desktop, check=True)
    if not (WEB / "index.html").is_file():
        raise SystemExit(
            "parley: the package carries the web client, which is not built: run "
            "`cd desktop && npm ci && npm run build:web` (Node.js 20) first, then build again"
        )
    return WEB


class BuildWithWebClient(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "parley" / "web"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(built_web_client(), target)


class SdistWithWebClient(sdist):
    def run(self) -> None:
        built_web_client()  # MANIFEST.in puts it in the sdist, to build the wheel from
        super().run()


setup(cmdclass={"build_py": BuildWithWebClient, "sdist": SdistWithWebClient})
