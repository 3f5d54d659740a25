"""The parameters of a clustering run (stored with the run, as JSON)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Vector = Literal["pair", "obv", "rev"]


class ClusterParams(BaseModel):
    vector: Vector = "pair"
    pca_dims: int | None = Field(None, description="PCA pre-reduction; None = off. Off by measurement: at 100k x 512 "
                                 "PCA-64 saved ~5 s of CPU but split coins of singular types into spurious "
                                 "clusters (ARI 0.84 against 0.998 without it)")
    n_neighbors: int = 30
    min_dist: float = 0.0
    n_components: int = 15
    umap_epochs: int | None = Field(None, description="15-d UMAP epochs; None = 200 below 10k points, else 50 "
                                    "(measured at 100k: ARI unchanged from 100 epochs, half the time)")
    layout_epochs: int | None = Field(None, description="2-D layout epochs (initialised from the 15-d embedding); None = half of umap_epochs")
    init: Literal["spectral", "pca", "random"] = Field(
        "pca", description="15-d UMAP start; spectral is slow on graphs of hundreds of components")
    min_cluster_size: int = 20
    min_samples: int = 10
    reassign_k: int = 5
    reassign_min_votes: int = Field(4, description="a noise point joins a cluster when this many of its k neighbours are in it")
    purity_threshold: float = Field(0.9, description="a cluster is pure when this share of its labelled coins share one period")
    min_labelled: int = Field(10, description="a cluster needs this many coins with a period to be judged pure")
    knn_exact_below: int = 10000
    knn_probe: int = 8
    seed: int = 0

    def fit_to(self, n: int) -> "ClusterParams":
        """The parameters scaled down for a small set (a demo of a few dozen coins): fewer
        neighbours than points, clusters no bigger than a fifth of them. Unchanged from 200 points."""
        if n >= 200:
            return self
        mcs = min(self.min_cluster_size, max(3, n // 5))
        return self.model_copy(update={"n_neighbors": min(self.n_neighbors, max(2, n - 1)),
                                       "min_cluster_size": mcs, "min_samples": min(self.min_samples, mcs),
                                       "min_labelled": min(self.min_labelled, mcs)})

    def epochs(self, n: int) -> tuple[int, int]:
        main = self.umap_epochs or (200 if n < 10000 else 50)
        return main, self.layout_epochs or max(20, main // 2)
