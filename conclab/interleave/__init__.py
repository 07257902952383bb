"""A controlled-interleaving explorer: real threads, one at a time, switched where you say.

    Scenario(setup, threads, invariant)            what to run: 2-4 functions of the state
        |
        v
    explore() / replay() / random_search()         the scheduler: which thread runs next
        |   Run.step(name)   (search.py)
        v
    Run  --- worker.go.release() --->  worker thread runs scenario code under sys.settrace
     ^                                  (sys.monitoring on 3.12+, _monitor.py) until the
     |                                  next instruction that may touch shared state (or
     +---- run.back.release() ---------  the next line), a blocking primitive, or its end;
                                         then it pauses.                (run.py, _code.py)
        |
        v
    Step(thread, line, instruction, state after)   -> Interleaving -> StepTable, timeline,
                                                      Stepper (ipywidgets)  (show.py, stepper.py)

Only one thread runs at a time, so between two steps the controller reads the shared
state, decides, and nothing moves. Locks, conditions, semaphores, events, barriers and
queues are this package's own (primitives.py): a thread that would block is marked
blocked (not runnable) instead of blocking for real; with no runnable thread left and
not all finished, the run is a deadlock, reported with each thread's blocking line. A
wait with a timeout can time out whenever the scheduler picks it while it still waits.

    from conclab import interleave as il
    def setup(): return types.SimpleNamespace(counter=0)
    def bump(s): s.counter += 1
    result = il.explore(il.Scenario(setup, [bump, bump], lambda s: s.counter == 2))
    result.shortest.table(); il.Stepper(scenario, schedule=result.shortest.schedule)
"""

from .primitives import (
    Barrier,
    BoundedSemaphore,
    Condition,
    Event,
    Lock,
    Queue,
    RLock,
    Semaphore,
    SimpleQueue,
    WouldBlock,
)
from .run import Run, ScheduleError, Step, StuckError
from .search import (
    Interleaving,
    Result,
    Scenario,
    explore,
    fingerprint,
    parse_schedule,
    random_search,
    replay,
)
from .show import StepTable, timeline
from .stepper import Stepper

__all__ = [
    "Barrier",
    "BoundedSemaphore",
    "Condition",
    "Event",
    "Interleaving",
    "Lock",
    "Queue",
    "RLock",
    "Result",
    "Run",
    "Scenario",
    "ScheduleError",
    "Semaphore",
    "SimpleQueue",
    "Step",
    "StepTable",
    "Stepper",
    "StuckError",
    "WouldBlock",
    "explore",
    "fingerprint",
    "parse_schedule",
    "random_search",
    "replay",
    "timeline",
]
