"""What a grading run found: per check, per exercise, and for the whole run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from grader import messages


@dataclass
class CheckResult:
    """The grader's own record of one check."""

    name: str
    task: int
    status: str  # messages.PASSED / FAILED / ERROR / TIMEOUT / NOT_RUN
    score: float
    max_score: float
    message: str = ""
    hidden: bool = False
    duration: float = 0.0
    spans: list = field(default_factory=list)  # the learner's run, for a failed check

    @property
    def passed(self) -> bool:
        return self.status == messages.PASSED


class _Totals:
    """score and max_score as sums over the parts: an exercise's checks, a run's exercises."""

    def _parts(self) -> list:
        raise NotImplementedError

    @property
    def score(self) -> float:
        return sum(part.score for part in self._parts())

    @property
    def max_score(self) -> float:
        return sum(part.max_score for part in self._parts())


@dataclass
class ExerciseResult(_Totals):
    """All checks of one exercise against one target."""

    slug: str
    title: str
    order: int
    checks: list[CheckResult]
    output: str = ""  # what the learner's code printed, cut to a bounded size
    duration: float = 0.0
    hidden_included: bool = False
    sandbox: str = ""  # the backend that contained the run (grader/engine/sandbox.py)
    internal_error: bool = False  # the grader itself failed, not the learner's code
    flags: list[str] = field(default_factory=list)  # reasons to review this by hand

    def _parts(self) -> list:
        return self.checks

    @property
    def status(self) -> str:
        return messages.PASSED if all(c.passed for c in self.checks) else messages.FAILED

    @property
    def first_failure(self) -> CheckResult | None:
        return next((c for c in self.checks if not c.passed), None)

    def to_dict(self) -> dict:
        return {
            "slug": self.slug,
            "title": self.title,
            "score": self.score,
            "max_score": self.max_score,
            "status": self.status,
            "duration": round(self.duration, 3),
            "hidden_included": self.hidden_included,
            "sandbox": self.sandbox,
            "internal_error": self.internal_error,
            "flagged_for_review": list(self.flags),
            "checks": [asdict(c) for c in self.checks],
        }


@dataclass
class RunResult(_Totals):
    """One grading run: several exercises against one target."""

    target: str
    exercises: list[ExerciseResult] = field(default_factory=list)
    interrupted: bool = False  # Ctrl-C: what was graded until then, the rest left out
    manifest_errors: list[str] = field(default_factory=list)  # exercises not graded
    hidden_declared: bool = False  # whether the graded exercises' manifests have hidden checks

    def _parts(self) -> list:
        return self.exercises

    @property
    def passed(self) -> bool:
        return bool(self.exercises) and all(e.status == messages.PASSED for e in self.exercises)

    def summary(self) -> str:
        done = sum(e.status == messages.PASSED for e in self.exercises)
        return messages.SUMMARY.format(
            done=done, total=len(self.exercises), score=self.score, max_score=self.max_score
        )

    def to_dict(self) -> dict:
        return {
            "target": self.target,
            "score": self.score,
            "max_score": self.max_score,
            "passed": self.passed,
            "interrupted": self.interrupted,
            "manifest_errors": list(self.manifest_errors),
            "exercises": [e.to_dict() for e in self.exercises],
        }
