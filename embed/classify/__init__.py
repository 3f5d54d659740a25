"""Period classifier: identity-aware splits, a head on frozen vectors or a fine-tuned pair
network, temperature calibration, a report against the success criteria, predictions in
PostgreSQL (`period_predictions`). Entry point: `nummus.embed.classify.train.train_period`."""
