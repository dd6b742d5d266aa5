"""The store writer: ordered writes on one background thread that ends when closed,
writes held until the screen's frame is drawn, and failures that do not stop later ones.
Real threads, no app (a failed write's report has no app to go to and is dropped)."""

from __future__ import annotations

import threading
import time

from textual.dom import DOMNode

from quizapp.ui.writer import IDLE_THREAD_NAME, SerialWriter


def wait_for(condition: object, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.005)
    return False


def test_writes_run_in_order_on_one_thread_that_ends_when_closed() -> None:
    errors: list[Exception] = []
    writer = SerialWriter(DOMNode(), errors.append)
    ran: list[tuple[int, int]] = []
    for n in range(50):
        writer.submit(lambda n=n: ran.append((n, threading.get_ident())))  # type: ignore[misc]
    assert wait_for(lambda: len(ran) == 50)
    assert [n for n, _ in ran] == list(range(50))
    assert len({ident for _, ident in ran}) == 1
    (thread,) = [t for t in threading.enumerate() if t.ident == ran[0][1]]
    assert wait_for(lambda: thread.name == IDLE_THREAD_NAME)  # waits for the next one
    writer.submit(lambda: ran.append((50, threading.get_ident())))
    assert wait_for(lambda: len(ran) == 51) and ran[-1][1] == thread.ident  # same thread
    writer.close()
    thread.join(timeout=10)
    assert not thread.is_alive() and not errors


def test_a_held_write_waits_for_wake_or_close_and_keeps_its_place() -> None:
    writer = SerialWriter(DOMNode(), lambda error: None)
    ran: list[str] = []
    writer.submit(lambda: ran.append("held"), wake=False)
    time.sleep(0.1)
    assert ran == []  # not started yet
    writer.wake()
    assert wait_for(lambda: ran == ["held"])
    writer.submit(lambda: ran.append("held again"), wake=False)
    writer.submit(lambda: ran.append("after it"))  # wakes the writer: both run, in order
    assert wait_for(lambda: ran == ["held", "held again", "after it"])
    threads: list[threading.Thread] = []
    writer.submit(lambda: threads.append(threading.current_thread()))
    assert wait_for(lambda: threads)
    writer.submit(lambda: ran.append("held at close"), wake=False)
    writer.close()  # the screen closed: what is queued still runs
    assert wait_for(lambda: ran[-1] == "held at close")
    threads[0].join(timeout=10)
    assert not threads[0].is_alive()


def test_a_failed_write_does_not_stop_the_next() -> None:
    writer = SerialWriter(DOMNode(), lambda error: None)
    ran: list[str] = []

    def fails() -> None:
        raise OSError("disk full")

    writer.submit(fails)
    writer.submit(lambda: ran.append("next"))
    assert wait_for(lambda: ran == ["next"])
    writer.close()
