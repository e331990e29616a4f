"""Helpers for pandoc's JSON AST: the process-wide garbage collector is shared safely between threads."""

import gc
import threading

from citebrief.ast import no_gc


def test_no_gc_restores_the_collector_only_when_the_last_thread_leaves():
    assert gc.isenabled()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with no_gc():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second():
        first_in.wait(5)
        with no_gc():
            second_in.set()
            first_out.wait(5)
            seen["while second works"] = gc.isenabled()    # the first thread has left: still off
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == {"while second works": False}
    assert gc.isenabled()


def test_no_gc_keeps_a_collector_the_caller_switched_off():
    gc.disable()
    try:
        with no_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
