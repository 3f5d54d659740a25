"""Synthetic inputs: a small static auction site (`site`), drawn lot photos (`photos`), packed
search vectors (`vectors`) and clustered point clouds (`clusters`)."""
