"""The artifacts folder of a model version: confusion.csv/png, reliability.png, report.html."""

from __future__ import annotations

import csv
import html
from pathlib import Path

import numpy as np

from nummus.embed.classify.calibration import reliability
from nummus.embed.classify.metrics import Criterion


def write_confusion_csv(path: Path, cm: list[list[int]], classes: list[str]) -> None:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["true \\ predicted", *classes])
        for c, row in zip(classes, cm):
            w.writerow([c, *row])


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_confusion(path: Path, cm: list[list[int]], classes: list[str]) -> None:
    plt = _plt()
    m = np.asarray(cm, dtype=float)
    norm = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
    size = max(5.0, 0.45 * len(classes) + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(classes)), classes, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(classes)), classes, fontsize=8)
    for i in range(len(classes)):
        for j in range(len(classes)):
            if m[i, j]:
                ax.text(j, i, int(m[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if norm[i, j] > 0.5 else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true (parsed period)")
    ax.set_title("test confusion (row-normalised colour, counts)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_reliability(path: Path, before: tuple[np.ndarray, np.ndarray], after: tuple[np.ndarray, np.ndarray],
                     ece_before: float, ece_after: float) -> None:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.plot([0, 1], [0, 1], "k--", lw=1, label="perfect")
    for (conf, correct), label, style in ((before, f"uncalibrated (ECE {ece_before:.3f})", "o-"),
                                          (after, f"temperature-scaled (ECE {ece_after:.3f})", "s-")):
        bins = [b for b in reliability(conf, correct) if b["count"]]
        ax.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], style, label=label, ms=4)
    ax.set_xlabel("confidence (15 bins)")
    ax.set_ylabel("accuracy")
    ax.set_title("reliability on the test set")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{{ version }} — period classifier</title>
<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}.pass{background:#d9f2d9}.fail{background:#f7d4d4}
img{max-width:100%}</style></head><body>
<h1>{{ version }}: period classifier ({{ m.family }}{% if m.head %} / {{ m.head }}{% endif %})</h1>
<p>Index v{{ m.index_version }}; {{ m.n_classes }} classes; features/backbone: {{ m.model_input }};
trained {{ m.train.epochs }} epoch(s) in {{ '%.1f'|format(m.train.seconds) }} s on {{ m.device }}.
Split: {{ m.split.counts.train }} train / {{ m.split.counts.val }} validation / {{ m.split.counts.test }} test coins,
{{ m.split.duplicate_groups }} near-duplicate groups ({{ m.split.coins_in_duplicate_groups }} coins) kept whole.</p>
<h2 class="{{ 'pass' if passed else 'fail' }}">Criteria: {{ 'PASS' if passed else 'FAIL' }}</h2>
<table><tr><th>criterion</th><th>threshold</th><th>value</th><th>result</th></tr>
{% for c in criteria %}<tr class="{{ 'pass' if c.passed else 'fail' }}"><td>{{ c.name }}</td><td>{{ c.threshold }}</td>
<td>{{ c.value }}</td><td>{{ 'pass' if c.passed else 'FAIL' }}</td></tr>{% endfor %}</table>
<p>Accuracy {{ '%.3f'|format(m.test.accuracy) }}; ECE before calibration {{ '%.3f'|format(m.ece_uncalibrated) }},
after temperature scaling (T = {{ '%.3f'|format(m.temperature) }}, fitted on validation) {{ '%.3f'|format(m.test.ece) }}.</p>
<h2>Comparison with the previous model on the same test coins</h2>
{% if comparison %}<p>Previous: {{ comparison.previous_version }} ({{ comparison.n_common }} common test coins).
Verdict: <b>{{ comparison.verdict }}</b></p>
<table><tr><th>metric</th><th>previous</th><th>current</th><th>change</th><th>verdict</th></tr>
{% for r in comparison.rows %}<tr class="{{ 'fail' if r.verdict == 'worse' else 'pass' if r.verdict == 'better' else '' }}">
<td>{{ r.metric }}</td><td>{{ r.previous }}</td><td>{{ r.current }}</td><td>{{ r.delta }}</td><td>{{ r.verdict }}</td></tr>{% endfor %}</table>
{% else %}<p>{{ no_comparison }}</p>{% endif %}
<h2>Per class (test)</h2><table><tr><th>period</th><th>precision</th><th>recall</th><th>F1</th><th>test support</th><th>samples</th></tr>
{% for c in m.test.per_class %}<tr><td>{{ c.period }}</td><td>{{ c.precision }}</td><td>{{ c.recall }}</td><td>{{ c.f1 }}</td>
<td>{{ c.support }}</td><td>{{ c.samples }}</td></tr>{% endfor %}</table>
<h2>Top-5 confused pairs</h2><table><tr><th>a</th><th>b</th><th>a→b</th><th>b→a</th><th>total</th></tr>
{% for p in m.test.top_confused %}<tr><td>{{ p.a }}</td><td>{{ p.b }}</td><td>{{ p.a_as_b }}</td><td>{{ p.b_as_a }}</td>
<td>{{ p.count }}</td></tr>{% endfor %}</table>
{% if m.excluded_classes %}<p>Left out (fewer than {{ m.min_class_size }} labelled coins): {{ m.excluded_classes|join(', ') }}</p>{% endif %}
<h2>Confusion matrix</h2><img src="confusion.png" alt="confusion matrix"> (<a href="confusion.csv">confusion.csv</a>)
<h2>Reliability</h2><img src="reliability.png" alt="reliability diagram">
</body></html>"""


def write_html(path: Path, version: str, metrics: dict, crits: list[Criterion], comparison: dict | None,
               no_comparison: str) -> None:
    import jinja2

    env = jinja2.Environment(autoescape=True)
    page = env.from_string(_PAGE).render(version=html.escape(version), m=metrics, criteria=crits,
                                         passed=all(c.passed for c in crits), comparison=comparison,
                                         no_comparison=no_comparison)
    path.write_text(page)
