"""The combinations of answers every generated project must survive.

Derived from cookiecutter.json, so a new prompt joins the matrix by itself: all on, all
off, each feature off alone (each non-default choice alone), and a pairwise covering set
of every boolean and choice prompt.
"""

from allpairspy import AllPairs

from .template import cookiecutter_json

OFF_CHOICES = ("none",)


def prompt_space():
    """Feature prompts and their values, the default first."""
    space = {}
    for name, value in cookiecutter_json().items():
        if name.startswith("_"):
            continue
        if isinstance(value, bool):
            space[name] = [value, not value]
        elif isinstance(value, list):
            space[name] = list(value)
    return space


def all_on(space):
    return {name: True if values[0] in (True, False) else values[0] for name, values in space.items()}


def all_off(space):
    answers = {}
    for name, values in space.items():
        if isinstance(values[0], bool):
            answers[name] = False
        else:
            answers[name] = next((v for v in values if v in OFF_CHOICES), values[0])
    return answers


def cases():
    """[(id, answers)] without duplicates."""
    space = prompt_space()
    found = [("all-on", all_on(space)), ("all-off", all_off(space))]
    for name, values in space.items():
        if isinstance(values[0], bool):
            found.append((f"{name}-off", {**all_on(space), name: False}))
        else:
            found.extend((f"{name}-{v}", {**all_on(space), name: v}) for v in values[1:])
    # Long, unusual free-text answers catch formatting that only holds for short defaults.
    found.append(
        (
            "unusual-answers",
            {
                **all_on(space),
                "project_name": "Acme Payments Platform Internal API",
                "domain_name": "payments-platform.internal-services.acme-corporation.example.org",
                "timezone": "Asia/Kolkata",
                "author_name": "Acme Payments Platform Engineering Team",
            },
        )
    )
    names = list(space)
    if len(names) >= 2:
        for index, row in enumerate(AllPairs([space[name] for name in names])):
            found.append((f"pairwise-{index:02d}", dict(zip(names, row, strict=True))))
    unique, seen = [], set()
    for case_id, answers in found:
        key = tuple(sorted(answers.items()))
        if key not in seen:
            seen.add(key)
            unique.append((case_id, answers))
    return unique
