"""What a typed answer means: the canonical answer to a question, or why it cannot be one.

Pure functions of the question and the typed value; the reader places a problem at its cell.
"""

from __future__ import annotations

import datetime as dt
import difflib
from decimal import Decimal

from ..questionnaire import Question
from ..submission import AnswerValue
from .cells import parse_date, parse_number, short

CLOSE_ENOUGH = 0.75
"""How alike a typed item and a choice must be for "did you mean ...?" (difflib's ratio, as for countries)."""


def parse_answer(question: Question, raw: object) -> tuple[AnswerValue, str | None]:
    """The canonical answer to `question` typed as `raw` (not blank), or None and the message saying why not."""
    if question.type in ("yes_no", "choice"):
        return _one_choice(question, raw)
    if question.type == "multi":
        return _several_choices(question, raw)
    if question.type == "number":
        value = parse_number(raw)
        if value is None:
            return None, f'"{short(str(raw))}" is not a number; "{question.text}" needs a number.'
        if (question.min is not None and value < Decimal(str(question.min))) or (
            question.max is not None and value > Decimal(str(question.max))
        ):
            return None, f"{value} is out of range; \"{question.text}\" must be {question.range_text}."
        return value, None
    if question.type == "date":
        day = parse_date(raw)
        if day is None:
            return None, f'"{short(str(raw))}" is not a date; write it as YYYY-MM-DD (for example 2027-03-31).'
        return day, None
    text = raw.isoformat() if isinstance(raw, dt.date | dt.datetime) else str(raw)
    return text.strip(), None


def _one_choice(question: Question, raw: object) -> tuple[AnswerValue, str | None]:
    if isinstance(raw, bool) and question.type == "yes_no":
        return ("Yes" if raw else "No"), None
    text = str(raw).strip()
    for option in question.options:
        if text.casefold() == option.casefold():
            return option, None
    return None, (f'"{short(text)}" is not one of the choices for "{question.text}": '
                  + " / ".join(question.options) + ".")


def _several_choices(question: Question, raw: object) -> tuple[AnswerValue, str | None]:
    """A comma- (or semicolon-) separated list of choices; every item that is not one is named at once."""
    picked: list[str] = []
    wrong: list[str] = []
    for part in str(raw).replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        match = next((c for c in question.choices if c.casefold() == part.casefold()), None)
        if match is None:
            wrong.append(part)
        elif match not in picked:
            picked.append(match)
    if wrong:
        return None, _not_choices(question, wrong)
    exclusive = [c for c in picked if c in question.exclusive]
    if exclusive and len(picked) > 1:
        return None, f'"{exclusive[0]}" cannot be combined with other answers for "{question.text}".'
    if not picked:
        return None, f'"{question.text}" needs at least one of: ' + "; ".join(question.choices) + "."
    return picked, None


def _not_choices(question: Question, wrong: list[str]) -> str:
    """'"Annotatoin" is not one of the choices for "Services offered"; did you mean "Data annotation"? ...', or
    for several items each named with its own suggestion; then the choices."""
    choices = "; ".join(question.choices) + "."
    if len(wrong) == 1:
        close = nearest_choice(wrong[0], question.choices)
        head = f'"{short(wrong[0])}" is not one of the choices for "{question.text}"'
        return f'{head}; did you mean "{close}"? The choices are: {choices}' if close else f"{head}: {choices}"
    items = []
    for item in wrong:
        close = nearest_choice(item, question.choices)
        items.append(f'"{short(item)}"' + (f' (did you mean "{close}"?)' if close else ""))
    return (f'{len(wrong)} answers are not among the choices for "{question.text}": ' + ", ".join(items)
            + f". The choices are: {choices}")


def nearest_choice(typed: str, choices: tuple[str, ...]) -> str | None:
    """The choice a misspelt item most likely means, or None when none is close or two are equally close.

    An item is compared with each whole choice and with each run of as many words of it ("Transcripton" with
    "Transcription", of "Transcription or translation"), so a vendor who typed part of a choice is helped too."""
    folded = " ".join(typed.casefold().split())
    if not folded:
        return None
    scores = {choice: _likeness(folded, choice) for choice in choices}
    best = max(scores.values(), default=0.0)
    winners = [choice for choice, score in scores.items() if score == best]
    return winners[0] if best >= CLOSE_ENOUGH and len(winners) == 1 else None


def _likeness(folded: str, choice: str) -> float:
    words = choice.casefold().split()
    size = len(folded.split())
    candidates = [choice.casefold()] + [" ".join(words[i:i + size]) for i in range(len(words) - size + 1)]
    return max(difflib.SequenceMatcher(None, folded, candidate).ratio() for candidate in candidates)
