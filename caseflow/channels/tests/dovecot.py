"""A real IMAP server for tests and benchmarks: Debian's Dovecot on loopback ports.

`Dovecot.start()` writes a private configuration, a passwd-file and a mail directory under a
fresh temporary directory, starts `dovecot -F` in its own process group on two free loopback
ports (plain/STARTTLS and implicit TLS) and waits until it answers; `stop()` ends that process
group and removes the directory. A self-signed certificate for 127.0.0.1 is made with the
`openssl` command when it is there (else `ssl_port` and `ca_file` are None and the TLS tests
skip).

Fixtures: `dovecot` (one server per test session, skipped cleanly without /usr/sbin/dovecot)
and `imap_user` (a fresh account, so each test starts with an empty INBOX). Helpers append
messages with IMAP APPEND and read flags back, as a mail client would.
"""

from __future__ import annotations

import base64
import imaplib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

DOVECOT_BINARY = Path("/usr/sbin/dovecot")
NOBODY = 65534  # mail cannot be owned by root: Dovecot refuses uid 0
START_TIMEOUT = 10.0


@dataclass(frozen=True)
class ImapUser:
    name: str
    password: str


def free_port() -> int:
    # Dovecot cannot listen on port 0: ask the OS for a free port and hand that over.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def is_available() -> bool:
    return DOVECOT_BINARY.is_file() and os.access(DOVECOT_BINARY, os.X_OK)


def _make_certificate(root: Path) -> Path | None:
    """A self-signed certificate for 127.0.0.1 (key and cert in one go), or None without openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [
            openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem"),
        ],
        capture_output=True,
        timeout=30,
        check=False,
    )  # fmt: skip
    return root / "cert.pem" if result.returncode == 0 else None


def _config(root: Path, port: int, ssl_port: int, cert: Path | None) -> str:
    chroot = ""
    if os.geteuid() == 0:
        mail_uid = mail_gid = str(NOBODY)
        run_as = ""
    else:
        # Not root: every Dovecot process runs as the current user.
        user = _current_user()
        mail_uid, mail_gid = str(os.getuid()), str(os.getgid())
        run_as = (
            f"default_internal_user = {user}\ndefault_login_user = {user}\n"
            f"default_internal_group = {_current_group()}\n"
            f"first_valid_uid = {os.getuid()}\nfirst_valid_gid = {os.getgid()}\n"
        )
        chroot = "  chroot =\n"  # chroot() needs root
    ssl = (
        f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{root / 'key.pem'}\n" if cert else "ssl = no\n"
    )
    return f"""\
instance_name = caseflow-test-{root.name}
base_dir = {root / "run"}
state_dir = {root / "state"}
log_path = {root / "dovecot.log"}
info_log_path = {root / "dovecot.log"}
protocols = imap
listen = 127.0.0.1
{ssl}disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:{root / "mail"}/%u
mail_uid = {mail_uid}
mail_gid = {mail_gid}
{run_as}passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root / "users"}/%d
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root / "users"}/%d
}}
# no auth penalty: a wrong-password test would slow every later login from 127.0.0.1
service anvil {{
{chroot}  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
{chroot}  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = {ssl_port if cert else 0}
  }}
}}
"""


def _current_user() -> str:
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name


def _current_group() -> str:
    import grp

    return grp.getgrgid(os.getgid()).gr_name


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class Dovecot:
    """One private Dovecot instance (see the module docstring)."""

    host = "127.0.0.1"

    def __init__(self, root: Path, port: int, ssl_port: int | None, ca_file: Path | None) -> None:
        self.root = root
        self.port = port
        self.ssl_port = ssl_port
        self.ca_file = ca_file
        self.process: subprocess.Popen[bytes] | None = None

    @classmethod
    def start(cls) -> Dovecot:
        if not is_available():
            raise RuntimeError(f"{DOVECOT_BINARY} is not installed (apt-get install dovecot-imapd)")
        # mkdtemp is 0700; Dovecot's auth process (user dovecot) must reach the users file.
        root = Path(tempfile.mkdtemp(prefix="cf-dovecot-"))
        root.chmod(0o755)
        cert = _make_certificate(root)
        port = free_port()
        ssl_port = free_port() if cert else None
        for sub in ("mail", "home"):
            (root / sub).mkdir()
            if os.geteuid() == 0:
                os.chown(root / sub, NOBODY, NOBODY)
        (root / "users").mkdir(mode=0o755)
        (root / "dovecot.conf").write_text(_config(root, port, ssl_port or 0, cert))
        server = cls(root, port, ssl_port, cert)
        server._launch()
        return server

    def _launch(self) -> None:
        with open(self.root / "stdout.log", "wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 (fixed arguments)
                [str(DOVECOT_BINARY), "-F", "-c", str(self.root / "dovecot.conf")],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: stop() ends all its children
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if _listening(self.port) and (self.ssl_port is None or _listening(self.ssl_port)):
                return
            time.sleep(0.02)
        log = self.log()
        self.stop()
        raise RuntimeError(f"dovecot did not start:\n{log}")

    def log(self) -> str:
        parts = []
        for name in ("stdout.log", "dovecot.log"):
            path = self.root / name
            if path.exists():
                parts.append(path.read_text(errors="replace"))
        return "\n".join(parts)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            # SIGTERM to the master alone takes ~2.6 s (it waits for its children); ending the
            # whole group at once takes milliseconds and leaves nothing behind.
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.process = None
        shutil.rmtree(self.root, ignore_errors=True)

    # --- accounts and mail ----------------------------------------------------------------

    def add_user(self, password: str | None = None) -> ImapUser:
        """A new account, in a domain of its own: one passwd-file per domain (`users/%d`).

        Dovecot checks a passwd-file for changes at most once a second, so a user appended to
        a file it read this second would be unknown; a new file is read when first needed.
        """
        domain = f"d{secrets.token_hex(6)}.test"
        user = ImapUser(name=f"support@{domain}", password=password or secrets.token_urlsafe(12))
        uid = NOBODY if os.geteuid() == 0 else os.getuid()
        gid = NOBODY if os.geteuid() == 0 else os.getgid()
        home = self.root / "home" / user.name
        path = self.root / "users" / domain
        path.write_text(f"{user.name}:{{PLAIN}}{user.password}:{uid}:{gid}::{home}\n")
        path.chmod(0o644)
        return user

    def connect(self, user: ImapUser) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        try:
            # SASL PLAIN takes UTF-8 (imaplib's LOGIN is ASCII only)
            plain = f"\0{user.name}\0{user.password}".encode()
            client.authenticate("PLAIN", lambda _challenge: plain)
        except BaseException:
            client.shutdown()
            raise
        return client

    def create_folder(self, user: ImapUser, folder: str) -> None:
        with _session(self, user) as client:
            typ, data = client.create(_quote(folder))
            assert typ == "OK", data

    def append(
        self,
        user: ImapUser,
        messages: bytes | Iterable[bytes],
        *,
        folder: str = "INBOX",
        flags: str = "",
    ) -> None:
        """APPEND one message or many (one connection) to `folder`."""
        if isinstance(messages, bytes):
            messages = [messages]
        with _session(self, user) as client:
            for raw in messages:
                flag_list = f"({flags})" if flags else None
                typ, data = client.append(_quote(folder), flag_list, None, raw)
                assert typ == "OK", data

    def flags(self, user: ImapUser, folder: str = "INBOX") -> dict[int, set[str]]:
        """UID → flags of every message in `folder` (read-only: changes nothing)."""
        with _session(self, user) as client:
            typ, data = client.select(_quote(folder), readonly=True)
            assert typ == "OK", data
            typ, data = client.uid("FETCH", "1:*", "(UID FLAGS)")
            assert typ == "OK", data
        result: dict[int, set[str]] = {}
        for item in data:
            if not isinstance(item, bytes):
                continue
            parsed = imaplib.ParseFlags(item)
            uid = item.split(b"UID ", 1)[1].split(b" ", 1)[0].rstrip(b")")
            result[int(uid)] = {flag.decode() for flag in parsed}
        return result

    def bodies(self, user: ImapUser, folder: str = "INBOX") -> list[bytes]:
        """The raw messages in `folder`, in UID order (BODY.PEEK: changes no flag)."""
        with _session(self, user) as client:
            typ, data = client.select(_quote(folder), readonly=True)
            assert typ == "OK", data
            typ, data = client.uid("FETCH", "1:*", "(BODY.PEEK[])")
        return [item[1] for item in data if isinstance(item, tuple)]


class _session:
    def __init__(self, server: Dovecot, user: ImapUser) -> None:
        self.server, self.user = server, user

    def __enter__(self) -> imaplib.IMAP4:
        self.client = self.server.connect(self.user)
        return self.client

    def __exit__(self, *exc: object) -> None:
        try:
            self.client.logout()
        except (imaplib.IMAP4.error, OSError):
            self.client.shutdown()


def _quote(folder: str) -> str:
    """A folder name as an IMAP argument: modified UTF-7 (RFC 3501 5.1.3), quoted."""
    parts = []
    for part in re.split(r"([\x20-\x7e]+)", folder):
        if part and "\x20" <= part[0] <= "\x7e":
            parts.append(part.replace("&", "&-"))
        elif part:
            utf16 = base64.b64encode(part.encode("utf-16-be")).decode().rstrip("=")
            parts.append("&" + utf16.replace("/", ",") + "-")
    encoded = "".join(parts)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """One Dovecot per test session (per xdist worker); skipped when Dovecot isn't installed."""
    if not is_available():
        pytest.skip(f"{DOVECOT_BINARY} not installed (apt-get install dovecot-imapd)")
    server = Dovecot.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def imap_user(dovecot: Dovecot) -> ImapUser:
    """A fresh IMAP account: an empty INBOX of its own."""
    return dovecot.add_user()
