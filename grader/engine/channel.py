"""The events channel of a graded run: how records travel from the worker to the runner.

    worker ─┐ JSON lines, each with the run's secret           ┌─▶ runner (_Reader)
    supervisor ─┘  over a pipe fd (POSIX)  or  loopback TCP (every platform)

- ``PipeChannel`` (Linux and macOS): one pipe; the write end is passed to the supervisor
  (`pass_fds`), which hands it to the worker. Fast, and what the zygote passes on.
- ``SocketChannel`` (the portable path: Windows, and `CONCLAB_GRADER_PORTABLE=1`): the
  runner listens on 127.0.0.1; the supervisor and the worker each connect. No `pass_fds`,
  and selectors work on sockets everywhere. Records still need the secret to count.

Both give the runner file objects to register with a selector; the child side opens its
stream with `open_in_child(args)`.
"""

from __future__ import annotations

import os
import selectors
import socket
import sys

EVENTS = "events"


def portable() -> bool:
    """Whether this run uses only what every platform has (see grader/engine/sandbox.py)."""
    return sys.platform == "win32" or os.environ.get("CONCLAB_GRADER_PORTABLE") == "1"


class PipeChannel:
    """One pipe: the runner reads, the run's processes hold the write end."""

    def __init__(self):
        self._read, self._write = os.pipe()  # read: the runner's; write: the supervisor's

    def child_args(self) -> list[str]:
        return ["--events-fd", str(self._write)]

    @property
    def pass_fds(self) -> tuple[int, ...]:
        return (self._write,)

    @property
    def write_fd(self) -> int:
        return self._write

    def started(self) -> None:
        """The supervisor holds the write end now: close ours, so EOF means the run ended."""
        os.close(self._write)
        self._write = -1

    def register(self, selector) -> int:
        selector.register(self._read, selectors.EVENT_READ, EVENTS)
        return 1

    def read(self, key, selector) -> tuple[bytes, int]:
        """(data, change in open streams): b"" with -1 at end of file."""
        data = os.read(key.fd, 65536)
        if not data:
            selector.unregister(key.fileobj)
            return b"", -1
        return data, 0

    def close(self) -> None:
        for fd in (self._read, self._write):
            if fd >= 0:
                os.close(fd)
        self._read = self._write = -1


class SocketChannel:
    """A loopback listener; each process of the run that reports connects once."""

    def __init__(self):
        self._listener = socket.create_server(("127.0.0.1", 0))  # the runner's alone
        self._listener.setblocking(False)
        self._streams: list[socket.socket] = []  # accepted connections, one per process

    def child_args(self) -> list[str]:
        return ["--events-port", str(self._listener.getsockname()[1])]

    pass_fds: tuple[int, ...] = ()
    write_fd = -1

    def started(self) -> None:
        pass

    def register(self, selector) -> int:
        selector.register(self._listener, selectors.EVENT_READ, "accept")
        return 0  # the listener never ends; connections count once accepted

    def read(self, key, selector) -> tuple[bytes, int]:
        if key.data == "accept":
            try:
                conn, _ = self._listener.accept()
            except (BlockingIOError, OSError):
                return b"", 0
            conn.setblocking(False)
            self._streams.append(conn)
            selector.register(conn, selectors.EVENT_READ, EVENTS)
            return b"", 1
        try:
            data = key.fileobj.recv(65536)
        except (BlockingIOError, InterruptedError):
            return b"", 0
        except OSError:
            data = b""
        if not data:
            selector.unregister(key.fileobj)
            key.fileobj.close()
            return b"", -1
        return data, 0

    def close(self) -> None:
        for sock in [self._listener, *self._streams]:
            try:
                sock.close()
            except OSError:
                pass


def make():
    return SocketChannel() if portable() else PipeChannel()


def open_in_child(args):
    """The run's side: a line-buffered text stream to the runner."""
    if getattr(args, "events_port", None):
        sock = socket.create_connection(("127.0.0.1", args.events_port))
        return sock.makefile("w", encoding="utf-8", buffering=1)
    return os.fdopen(args.events_fd, "w", encoding="utf-8", buffering=1, closefd=False)
