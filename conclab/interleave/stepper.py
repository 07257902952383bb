"""An ipywidgets stepper: you are the scheduler. Choose the thread that runs the next step;
each thread's code is shown with its next line highlighted, and the shared state live.

    Stepper(scenario)                      # choose every step yourself
    Stepper(scenario, schedule="A*4 B*9")  # 'next in schedule' replays a found interleaving
"""

from __future__ import annotations

import html
import inspect
import linecache

from .run import ScheduleError
from .search import Interleaving, parse_schedule


def _source_html(worker) -> str:
    """The code of the function the worker is in, its next line highlighted."""
    frame = worker.frame
    if frame is None or worker.status == "done":
        return "<i>finished</i>" if worker.status == "done" else "<i>not started</i>"
    current = worker.blocked.line if worker.blocked else frame.f_lineno
    try:
        lines, first = inspect.getsourcelines(frame.f_code)
    except (OSError, TypeError):
        first = current
        lines = [linecache.getline(frame.f_code.co_filename, current)]
    out = []
    for number, text in enumerate(lines, first):
        text = html.escape(text.rstrip())
        if number == current:
            out.append(f'<span class="interleave-current" style="background:#ffe680">{text}</span>')
        else:
            out.append(text)
    return "<pre style='margin:0;font-size:12px'>" + "\n".join(out) + "</pre>"


class Stepper:
    """Buttons 'run A', 'run B', ...; with a schedule also 'next in schedule' and
    'replay all'; 'reset' starts over from setup()."""

    def __init__(self, scenario, schedule=None, granularity="bytecode"):
        import ipywidgets as w

        self.scenario, self.granularity = scenario, granularity
        self.schedule = parse_schedule(schedule) if schedule is not None else None
        names = list(scenario.threads)
        self.buttons = {
            n: w.Button(description=f"run {n}", tooltip=f"let thread {n} run one step")
            for n in names
        }
        for name, button in self.buttons.items():
            button.on_click(lambda _b, name=name: self.step(name))
        self.next_button = w.Button(description="next in schedule", button_style="info")
        self.next_button.on_click(lambda _b: self.next())
        self.all_button = w.Button(description="replay all")
        self.all_button.on_click(lambda _b: self.replay_all())
        self.reset_button = w.Button(description="reset", button_style="warning")
        self.reset_button.on_click(lambda _b: self.reset())
        self.code = w.HTML()
        self.state = w.HTML()
        self.log = w.HTML()
        controls = list(self.buttons.values())
        if self.schedule is not None:
            controls += [self.next_button, self.all_button]
        controls.append(self.reset_button)
        self.widget = w.VBox(
            [w.HBox(controls), self.code, self.state, self.log],
            layout=w.Layout(border="1px solid #ccc", padding="6px"),
        )
        self.widget.add_class("interleave-stepper")
        self.run = None
        self.reset()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def reset(self):
        if self.run is not None:
            self.run.abort()
        self.run = self.scenario.start(self.granularity)
        self.message = ""
        self.render()

    def step(self, name):
        try:
            with self.scenario.patched():
                self.run.step(name)
            self.message = ""
        except ScheduleError as exc:
            self.message = str(exc)
        self.render()

    def next(self):
        done = len(self.run.steps)
        if self.schedule is None or done >= len(self.schedule):
            self.message = "the schedule is over"
            self.render()
            return
        self.step(self.schedule[done])

    def replay_all(self):
        with self.scenario.patched():
            while self.schedule and len(self.steps) < len(self.schedule) and self.run.runnable():
                self.run.step(self.schedule[len(self.steps)])
        self.render()

    @property
    def steps(self):
        return self.run.steps

    def verdict(self):
        if self.run.deadlocked() or self.run.finished():
            return self.scenario.verdict(self.run) or "finished: no invariant broken"
        return None

    def render(self):
        run = self.run
        cells = []
        for name, worker in run.workers.items():
            self.buttons[name].disabled = not worker.runnable()
            line, _code, ins = worker.where()
            status = worker.status if worker.status != "ready" else f"next: {ins}"
            if worker.status == "blocked":
                status = f"blocked: {ins}"
            cells.append(
                f"<td style='vertical-align:top;padding:4px 12px'><b>thread {name}</b> "
                f"<span class='interleave-status'>{html.escape(status)}</span>"
                f"{_source_html(worker)}</td>"
            )
        self.code.value = f"<table><tr>{''.join(cells)}</tr></table>"
        shown = self.scenario.show(run.state) if self.scenario.show else {}
        state = ", ".join(f"{k} = {v}" for k, v in shown.items())
        verdict = self.verdict()
        self.state.value = (
            f"<div class='interleave-state'><b>shared state:</b> {html.escape(state)}</div>"
            + (
                f"<div class='interleave-verdict'><b>{html.escape(verdict)}</b></div>"
                if verdict
                else ""
            )
            + (f"<div style='color:#a00'>{html.escape(self.message)}</div>" if self.message else "")
        )
        shown_steps = Interleaving([s.thread for s in run.steps], run.steps[-12:], None)
        rows = "".join(
            f"<tr><td>{s.index}</td><td>{s.thread}</td><td>{s.line}</td>"
            f"<td><code>{html.escape(s.code)}</code></td><td>{html.escape(s.instruction)}</td>"
            f"<td>{html.escape(', '.join(f'{k}={v}' for k, v in s.state.items()))}</td></tr>"
            for s in shown_steps.steps
        )
        self.log.value = (
            f"<div class='interleave-count'>{len(run.steps)} steps</div>"
            f"<table><tr><th>step</th><th>thread</th><th>line</th><th>source</th>"
            f"<th>instruction</th><th>state after</th></tr>{rows}</table>"
        )
