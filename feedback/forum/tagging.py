"""Tagging and routing of new opinions off the citizen's request.

The request stores the opinion and answers at once; a thread of the same process then
tags the new opinions in small batches (one model call and one commit per batch, far
cheaper than one call per opinion) and announces them (`opinion_submitted`: conduct
cases open, staff get mail). The opinion is committed before it is queued, so a crash
here loses nothing: it stays untagged until `flask classifier backfill` tags it.
"""

import atexit
import logging
import os
import queue
import threading
import time

from flask import g, has_request_context, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from feedback.extensions import db

log = logging.getLogger(__name__)

BATCH_SIZE = 64
BATCH_WINDOW_SECONDS = 0.25
EXIT_WAIT_SECONDS = 10


class TaggingQueue:
    """A queue of new opinion ids and the thread that works it, one per process."""

    def __init__(self, app):
        self.app = app
        self._queue = None
        self._pid = None
        self._lock = threading.Lock()

    def put(self, opinion_id):
        """Queue a stored opinion; mail links use the address of the current request."""
        base_url = request.host_url if has_request_context() else None
        self._running_queue().put((opinion_id, base_url))

    def join(self, timeout=EXIT_WAIT_SECONDS):
        """Wait until every queued opinion is done; False if `timeout` seconds were not enough."""
        work = self._queue
        if work is None or self._pid != os.getpid():
            return True
        deadline = time.monotonic() + timeout
        with work.all_tasks_done:
            while work.unfinished_tasks:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                work.all_tasks_done.wait(left)
        return True

    def _running_queue(self):
        with self._lock:
            # Started on first use in each process: gunicorn forks workers after loading the app.
            if self._pid != os.getpid():
                self._queue, self._pid = queue.Queue(), os.getpid()
                threading.Thread(target=self._work, args=(self._queue,), name="opinion-tagging", daemon=True).start()
                atexit.register(self._finish_at_exit)
            return self._queue

    def _finish_at_exit(self):
        if not self.join():
            log.warning("exiting with opinions still untagged; `flask classifier backfill` will tag them")

    def _work(self, work):
        while True:
            items = [work.get()]
            # Under load, opinions arrive every few milliseconds: waiting a moment for the next
            # ones makes one model call and one commit serve many of them. The thread sleeps
            # through the wait rather than waiting on the queue, so that queueing an opinion
            # wakes nobody: each wake-up would take the interpreter lock from the request.
            time.sleep(BATCH_WINDOW_SECONDS)
            while len(items) < BATCH_SIZE:
                try:
                    items.append(work.get_nowait())
                except queue.Empty:
                    break
            try:
                for base_url in dict.fromkeys(base for _, base in items):
                    self._tag_and_route([opinion_id for opinion_id, base in items if base == base_url], base_url)
            finally:
                for _ in items:
                    work.task_done()

    def _tag_and_route(self, opinion_ids, base_url):
        from feedback.forum.models import Opinion
        from feedback.forum.services import tag_and_route

        with self.app.app_context():
            g.external_base_url = base_url
            # This session lives for one batch: without expiry, a case opened (and committed) for
            # one opinion does not make every other opinion of the batch reload from the database.
            db.session().expire_on_commit = False
            try:
                opinions = db.session.scalars(select(Opinion).where(Opinion.id.in_(opinion_ids))
                                              .options(selectinload(Opinion.topics)).order_by(Opinion.id)).all()
                tag_and_route(opinions)
            except Exception as error:  # the opinions are stored; backfill tags what is left
                db.session.rollback()
                log.error("background tagging of %d opinions failed: %s", len(opinion_ids), type(error).__name__)
