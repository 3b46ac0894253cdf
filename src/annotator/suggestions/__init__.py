"""Model in the loop: sentence models trained on the project's own annotations, their suggestions."""
