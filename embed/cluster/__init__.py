"""Clustering of index vectors (UMAP + HDBSCAN), an asynchronous quality layer: browseable
groups of coins and an audit queue of coins whose period looks wrong. Entry point:
`nummus.embed.cluster.run.cluster_index`."""
