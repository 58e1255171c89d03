"""The push process: a child of each node that does all the work of pushing.

A message to a group of 200 is 200 subscriptions and settings read, 200 payloads
encrypted and posted, 200 log lines written. On the node's loop (and under its
interpreter lock, even from a thread) that work sat between the steps of every send
answered meanwhile: bench/push_bench.py measured a send's p99 at 2.6x its figure
without push. So the node only finds who is offline (presence lives with the node) and
hands the job to this process, which has its own engine, HTTP client and CPU, and runs
at a lower priority than the node: pushes can wait a few milliseconds, sends should not.

The two talk over the child's stdin and stdout in JSON lines: the node's settings first,
then jobs ``{"id", "job"}``; the child answers each with ``{"id", "outcomes"}`` (how many
pushes ended how) once its delivery log is written, or ``{"id", "error"}``. The child
ends when its stdin closes (the node stopped, or died); a node whose child died starts
another on the next job.
"""

import asyncio
import contextlib
import itertools
import json
import logging
import logging.config
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import IO, Any

from parley.config import Settings
from parley.notifications.worker import PushJob

log = logging.getLogger("parley.push")
NICENESS = 10  # the push process's CPU priority below its node's (Linux and macOS)
STOP_SECONDS = 5.0  # a child that has not ended this long after its stdin closed is killed
LINE_LIMIT = 1 << 24  # bytes in a job: its recipients, up to a very large group


class PushProcessGone(Exception):
    """The push process ended before answering."""


@dataclass
class _Child:
    process: asyncio.subprocess.Process
    waiting: dict[int, asyncio.Future[dict[str, int]]] = field(default_factory=dict)
    reader: asyncio.Task[None] | None = None


class PushProcess:
    """The node's end: starts the push process on first use, hands it jobs, hears back."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._child: _Child | None = None
        self._starting = asyncio.Lock()
        self._ids = itertools.count(1)
        self.started = 0  # processes started so far (tests)
        self.jobs = 0  # jobs handed over so far (tests)

    async def deliver(self, job: PushJob) -> dict[str, int]:
        """Have ``job`` pushed; how many pushes ended how (accepted, refused, gone, failed)."""
        child = await self._running()
        assert child.process.stdin is not None
        number = next(self._ids)
        self.jobs += 1
        answer: asyncio.Future[dict[str, int]] = asyncio.get_running_loop().create_future()
        child.waiting[number] = answer
        child.process.stdin.write(_line({"id": number, "job": _job_out(job)}))
        try:
            await child.process.stdin.drain()
        except ConnectionError as exc:
            child.waiting.pop(number, None)
            raise PushProcessGone("the push process ended") from exc
        return await answer

    async def close(self) -> None:
        """Stop the process: pushes under way are dropped (a push is best-effort)."""
        async with self._starting:
            child, self._child = self._child, None
        if child is None:
            return
        process = child.process
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), STOP_SECONDS)
        except TimeoutError:
            log.warning("the push process did not stop in %s s: killed", STOP_SECONDS)
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        if child.reader is not None:
            await child.reader

    async def _running(self) -> _Child:
        async with self._starting:
            child = self._child
            if child is not None and child.process.returncode is None:
                return child
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "parley.notifications.process",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
            assert process.stdin is not None
            process.stdin.write(_line(self._settings.model_dump(mode="json")))
            child = _Child(process)
            child.reader = asyncio.create_task(self._answers(child), name="push-process-reader")
            self._child = child
            self.started += 1
            return child

    async def _answers(self, child: _Child) -> None:
        """Hand each answer to whoever waits for it, until the process ends."""
        assert child.process.stdout is not None
        try:
            async for line in child.process.stdout:
                answer = json.loads(line)
                waiting = child.waiting.pop(answer["id"], None)
                if waiting is None or waiting.done():
                    continue
                if "error" in answer:
                    waiting.set_exception(RuntimeError(answer["error"]))
                else:
                    waiting.set_result(answer["outcomes"])
        except Exception:
            log.warning("an unreadable answer from the push process: stopping it", exc_info=True)
            with contextlib.suppress(ProcessLookupError):
                child.process.kill()
        finally:
            code = await child.process.wait()
            if child.waiting:
                log.warning(
                    "the push process ended (exit %s) with %d jobs unanswered",
                    code,
                    len(child.waiting),
                )
            for waiting in child.waiting.values():
                if not waiting.done():
                    waiting.set_exception(PushProcessGone(f"the push process ended ({code})"))
            child.waiting.clear()


def _line(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode() + b"\n"


def _job_out(job: PushJob) -> dict[str, Any]:
    return {
        "chat_id": job.chat_id,
        "message_id": job.message_id,
        "sender_id": job.sender_id,
        "recipients": sorted(job.recipients),
        "mentioned": sorted(job.mentioned),
        "replied_to": job.replied_to,
    }


def _job_in(data: dict[str, Any]) -> PushJob:
    return PushJob(
        chat_id=data["chat_id"],
        message_id=data["message_id"],
        sender_id=data["sender_id"],
        recipients=frozenset(data["recipients"]),
        mentioned=frozenset(data["mentioned"]),
        replied_to=data["replied_to"],
    )


# --- the child's end ----------------------------------------------------------------------


async def _serve(answers: IO[str]) -> None:
    # Imported here: the node's end needs none of the database or HTTP machinery.
    from parley.db.database import create_engine, create_sessionmaker
    from parley.notifications.delivery import Delivery
    from parley.notifications.sender import Policy, Poster
    from parley.notifications.webpush import Vapid
    from parley.observability.logs import logging_config

    loop = asyncio.get_running_loop()
    requests = asyncio.StreamReader(limit=LINE_LIMIT)
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(requests), os.fdopen(0, "rb", buffering=0)
    )
    first = await requests.readline()
    if not first:
        return
    settings = Settings.model_validate(json.loads(first))
    logging.config.dictConfig(logging_config(settings.log_format, settings.log_level))
    engine = create_engine(settings.effective_database_url, timeout=settings.database_timeout)
    delivery = Delivery(
        create_sessionmaker(engine),
        Vapid.from_private(settings.vapid_private_key, settings.push_contact),
        Poster(
            Policy(
                timeout_seconds=settings.push_timeout_seconds,
                attempts=settings.push_attempts,
                backoff_seconds=settings.push_backoff_seconds,
                allow_http_loopback=settings.push_unsafe_allow_http_loopback_for_tests,
            )
        ),
    )

    def answer(data: dict[str, Any]) -> None:
        answers.write(json.dumps(data, separators=(",", ":")) + "\n")
        answers.flush()

    async def handle(number: int, job: PushJob) -> None:
        try:
            outcomes: Counter[str] = await delivery.deliver(job)
        except Exception as exc:  # one failed job must not end the others
            log.warning("push for message %s failed", job.message_id, exc_info=True)
            answer({"id": number, "error": f"{type(exc).__name__}: {exc}"})
        else:
            answer({"id": number, "outcomes": dict(outcomes)})

    jobs: set[asyncio.Task[None]] = set()
    try:
        async for line in requests:
            request = json.loads(line)
            task = asyncio.create_task(handle(request["id"], _job_in(request["job"])))
            jobs.add(task)
            task.add_done_callback(jobs.discard)
    finally:
        # Stdin closed: the node is stopping (or gone). What is under way is dropped.
        for task in jobs:
            task.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)
        await delivery.close()
        await engine.dispose()


def main() -> None:
    # Only answers may reach the node through stdout: keep a private copy of it for them
    # and send anything else printed to stderr, with the node's own log.
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    if hasattr(os, "nice"):
        os.nice(NICENESS)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(answers))


if __name__ == "__main__":
    main()
