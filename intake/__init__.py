"""The intake service: receives fingerprints, serves the platforms' hash list. Imports nothing of ours."""
