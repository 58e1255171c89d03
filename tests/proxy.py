"""nginx as deployed (deploy/nginx.conf), with ports and paths made local for a test run."""

import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NGINX_CONF = ROOT / "deploy" / "nginx.conf"


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found is None:
        raise AssertionError("nginx is not installed: apt-get install nginx-light (.ci/run does)")
    return found


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def local_config(
    conf: str,
    *,
    upstreams: list[int],
    http_port: int,
    https_port: int,
    cert: Path,
    key: Path,
    tmp: Path,
) -> str:
    """deploy/nginx.conf with loopback ports, a throwaway certificate and paths under tmp.

    Everything else (upstream balancing, headers, WebSocket upgrade, body limit, logging,
    /metrics) is kept exactly as shipped, so the test exercises the real file.
    """

    def replace(pattern: str, new: str, text: str, count: int = 1) -> str:
        result, n = re.subn(pattern, new, text, flags=re.MULTILINE)
        assert n == count, f"deploy/nginx.conf changed shape: {pattern!r} matched {n} times"
        return result

    servers = "".join(
        f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n" for p in upstreams
    )
    conf = replace(r"^(\s*server 127\.0\.0\.1:\d+ .*;\n)+", servers, conf)
    # Root starts nginx here; its workers must reach the temp files under tmp.
    conf = replace(r"^user .*;$", "user root;" if os.geteuid() == 0 else "", conf)
    conf = replace(r"^pid .*;$", "", conf)  # given on the command line
    conf = replace(r"^\s*listen \[::\]:\d+.*;$", "", conf, count=2)  # loopback IPv4 only
    conf = replace(r"listen 80;", f"listen 127.0.0.1:{http_port};", conf)
    conf = replace(r"listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;", conf)
    conf = replace(r"ssl_certificate \S+;", f"ssl_certificate {cert};", conf)
    conf = replace(r"ssl_certificate_key \S+;", f"ssl_certificate_key {key};", conf)
    conf = replace(r"/var/log/nginx/", f"{tmp}/", conf, count=3)
    conf = replace(r"root /var/www/acme;", f"root {tmp}/acme;", conf)
    conf = replace(r"worker_connections \d+;", "worker_connections 1024;", conf)
    temp = f"    client_body_temp_path {tmp}/body;\n    proxy_temp_path {tmp}/proxy;\n"
    return replace(r"^http \{\n", "http {\n" + temp, conf)


@dataclass
class Nginx:
    directory: Path
    conf: Path
    http_port: int
    https_port: int
    cert: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def ws_url(self) -> str:
        return f"wss://127.0.0.1:{self.https_port}"

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def command(self, *extra: str) -> list[str]:
        return [
            nginx_binary(), "-p", str(self.directory), "-c", str(self.conf),
            "-e", str(self.directory / "startup-error.log"),
            "-g", f"daemon off; pid {self.directory / 'nginx.pid'};", *extra,
        ]  # fmt: skip

    def check(self) -> None:
        result = subprocess.run(self.command("-t"), capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr

    def start(self) -> None:
        self.check()
        self.process = subprocess.Popen(
            self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"nginx exited: {self.error_log()}")
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("nginx did not start listening")

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGQUIT)  # graceful
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
            self.process = None

    def access_log(self) -> str:
        path = self.directory / "parley-access.log"
        return path.read_text() if path.exists() else ""

    def error_log(self) -> str:
        text = ""
        for name in ("startup-error.log", "parley-error.log"):
            if (self.directory / name).exists():
                text += (self.directory / name).read_text()
        return text


def make_nginx(tmp: Path, upstreams: list[int], http_port: int, https_port: int) -> Nginx:
    tmp.mkdir(parents=True, exist_ok=True)
    cert, key = self_signed_certificate(tmp)
    conf = tmp / "nginx.conf"
    conf.write_text(
        local_config(
            NGINX_CONF.read_text(),
            upstreams=upstreams,
            http_port=http_port,
            https_port=https_port,
            cert=cert,
            key=key,
            tmp=tmp,
        )
    )
    return Nginx(tmp, conf, http_port, https_port, cert)
