"""APScheduler wiring only: one job per enabled source at its interval."""
from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import Callable

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
from apscheduler.schedulers.background import BackgroundScheduler

from .clock import VN
from .sources import Source

log = logging.getLogger(__name__)


def build_scheduler(sources: list[Source], job: Callable[[Source], None], *,
                    first_run_in_s: float = 1.0) -> BackgroundScheduler:
    """Jobs never overlap for one source (max_instances=1), missed runs coalesce into one,
    and each interval gets jitter so the papers are not hit on the same second."""
    sched = BackgroundScheduler(timezone=VN, job_defaults={"coalesce": True, "max_instances": 1,
                                                           "misfire_grace_time": 600})
    start = datetime.now(VN)
    for i, source in enumerate(s for s in sources if s.enabled):
        interval = timedelta(minutes=source.interval_minutes)
        sched.add_job(job, "interval", args=[source], id=f"crawl:{source.id}", name=source.name,
                      seconds=interval.total_seconds(), jitter=min(60, interval.total_seconds() / 10),
                      next_run_time=start + timedelta(seconds=first_run_in_s + i * 5 + random.random()))

    def listener(event) -> None:
        if event.code == EVENT_JOB_MAX_INSTANCES:
            log.info("%s still running; this tick is skipped", event.job_id)
        elif event.code == EVENT_JOB_MISSED:
            log.info("%s missed its time; it runs at the next one", event.job_id)
        else:
            log.error("%s raised %r", event.job_id, event.exception)

    sched.add_listener(listener, EVENT_JOB_ERROR | EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
    return sched
