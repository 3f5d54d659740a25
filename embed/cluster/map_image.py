"""The picture of a run's 2-D layout (`results.Layout`): one colour per period (grey: none),
noise drawn smaller, as PNG bytes. The app serves it as /clusters/map.png, from worker threads:
matplotlib's object API (a Figure of its own, no pyplot state) is safe there."""

from __future__ import annotations

import io

from nummus.embed.cluster.results import Layout


def draw(layout: Layout, *, size: int = 900) -> bytes:
    import numpy as np
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    fig = Figure(figsize=(size / 100, size / 100), dpi=100)
    ax = fig.subplots()
    n = len(layout.periods)
    if n:
        periods = np.array(layout.periods)
        names = sorted(set(layout.periods), key=lambda p: (p == "(none)", p))
        cmap = colormaps["tab20"]
        dot = max(0.5, min(12.0, 4000 / n))
        xy, noise = layout.xy, layout.noise
        for i, name in enumerate(names):
            m = periods == name
            colour = (0.6, 0.6, 0.6, 0.6) if name == "(none)" else cmap(i % 20)
            ax.scatter(xy[m & ~noise, 0], xy[m & ~noise, 1], s=dot, color=colour, label=name, linewidths=0)
            ax.scatter(xy[m & noise, 0], xy[m & noise, 1], s=dot / 3, color=colour, linewidths=0)
        ax.legend(markerscale=max(1.0, 6 / dot), fontsize=8, loc="best", frameon=False)
    ax.set_title(f"cluster run {layout.run_id}: 2-D layout, coloured by period")
    ax.set_xticks([])
    ax.set_yticks([])
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return buf.getvalue()
