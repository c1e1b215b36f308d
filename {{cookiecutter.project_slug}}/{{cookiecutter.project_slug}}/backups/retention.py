"""Which backups to keep: the newest of each of the last N days, N weeks and N months.

A pure function of names and dates, so the policy is easy to read and to test. The
newest backup is always kept, whatever the settings say.
"""


def backups_to_keep(backups, *, daily, weekly, monthly):
    """``backups``: iterable of (name, datetime). Returns the set of names to keep."""
    ordered = sorted(backups, key=lambda item: item[1], reverse=True)
    keep = {ordered[0][0]} if ordered else set()
    periods = [
        (daily, lambda when: when.date()),
        (weekly, lambda when: when.isocalendar()[:2]),
        (monthly, lambda when: (when.year, when.month)),
    ]
    for count, period_of in periods:
        seen: set[object] = set()
        for name, when in ordered:
            period = period_of(when)
            if period in seen:
                continue
            if len(seen) >= count:
                break
            seen.add(period)
            keep.add(name)
    return keep
