"""Identity-aware, stratified train / validation / test splits, stored in DuckDB
(`meta.period_splits`) per index version and reused, so that every model of an index is
tested on the same coins. Coins added later (a delta) join their duplicate group's split,
or are assigned like the first time; stored rows never change."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from nummus import warehouse
from nummus.settings import Settings

SPLITS = ("train", "val", "test")
FRACTIONS = (0.70, 0.15, 0.15)


def assign_splits(groups: np.ndarray, labels: list[str], fixed: dict[int, str] | None = None, *,
                  fractions: tuple[float, ...] = FRACTIONS, seed: int = 0) -> list[str]:
    """A split per item such that every group lies in one split and each label is spread over
    the splits in `fractions` (greedy, largest groups first). `fixed` maps item index -> split
    already stored; a group with a stored member follows it."""
    fixed = fixed or {}
    members: dict[int, list[int]] = defaultdict(list)
    for i, g in enumerate(groups.tolist()):
        members[g].append(i)
    counts = {s: Counter() for s in SPLITS}
    totals: Counter = Counter()
    out: list[str | None] = [None] * len(labels)
    for i, s in fixed.items():
        out[i] = s
        counts[s][labels[i]] += 1
    rng = np.random.default_rng(seed)
    order = list(members)
    rng.shuffle(order)
    order.sort(key=lambda g: -len(members[g]))  # stable: ties keep the shuffled order
    for g in order:
        idx = members[g]
        stored = [out[i] for i in idx if out[i] is not None]
        if stored:
            split = Counter(stored).most_common(1)[0][0]
        else:
            label = Counter(labels[i] for i in idx).most_common(1)[0][0]
            totals[label] += len(idx)
            done = sum(counts[s][label] for s in SPLITS) + len(idx)
            deficit = [f * done - counts[s][label] for s, f in zip(SPLITS, fractions)]
            split = SPLITS[int(np.argmax(deficit))]
        for i in idx:
            if out[i] is None:
                out[i] = split
                counts[split][labels[i]] += 1
    return out  # type: ignore[return-value]


def load_splits(settings: Settings, version: int) -> dict[int, tuple[str, int]]:
    """coin_id -> (split, group) stored for an index version (empty when none)."""
    with warehouse.session(settings) as con:
        rows = con.execute("SELECT coin_id, split, grp FROM meta.period_splits WHERE index_version = ?",
                           [version]).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def save_new_splits(settings: Settings, version: int, rows: list[tuple[int, int, str, str]]) -> int:
    """Insert (coin_id, grp, split, period) rows not stored yet; returns the rows added."""
    if not rows:
        return 0
    with warehouse.session(settings) as con:
        before = con.execute("SELECT count(*) FROM meta.period_splits").fetchone()[0]
        con.executemany("INSERT INTO meta.period_splits (index_version, coin_id, grp, split, period) "
                        "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", [(version, *r) for r in rows])
        return con.execute("SELECT count(*) FROM meta.period_splits").fetchone()[0] - before


def split_index(settings: Settings, data, *, use_phash: bool = True, seed: int = 0) -> tuple[np.ndarray, dict]:
    """The split of every coin of `data` ('' for unlabelled coins), stored splits reused and new
    coins stored; plus facts for the report (groups, links, reused, added)."""
    from nummus.embed.classify.groups import crop_hashes, duplicate_groups

    lab = np.nonzero(data.labelled())[0]
    stored = load_splits(settings, data.version)
    obv_h = rev_h = None
    missing = 0
    if use_phash:
        from nummus.objectstore import get_store

        read = get_store(settings).get
        obv_h, m1 = crop_hashes([data.obv_keys[i] for i in lab], read)
        rev_h, m2 = crop_hashes([data.rev_keys[i] for i in lab], read)
        missing = max(m1, m2)
    groups, links = duplicate_groups(data.pair[lab], obv_h, rev_h)
    ids = data.coin_ids[lab]
    labels = [data.periods[i] for i in lab]
    fixed = {k: stored[int(c)][0] for k, c in enumerate(ids.tolist()) if int(c) in stored}
    assigned = assign_splits(groups, labels, fixed, seed=seed)
    grp_coin = {int(g): int(ids[g]) for g in set(groups.tolist())}  # group index -> smallest coin_id
    new = [(int(ids[k]), grp_coin[int(groups[k])], assigned[k], labels[k])
           for k in range(len(lab)) if k not in fixed]
    added = save_new_splits(settings, data.version, new)
    out = np.full(len(data), "", dtype=object)
    out[lab] = assigned
    sizes = Counter(groups.tolist())
    facts = {"labelled": int(len(lab)), "groups": len(sizes), "duplicate_groups": sum(1 for v in sizes.values() if v > 1),
             "coins_in_duplicate_groups": sum(v for v in sizes.values() if v > 1), "links": links,
             "phash_missing": missing, "reused": len(fixed), "added": added,
             "counts": {s: int(sum(1 for a in assigned if a == s)) for s in SPLITS}}
    return out, facts
