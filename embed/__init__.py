"""embed/: encoders, the batch embedding job, vector loading, clustering, the period classifier."""
