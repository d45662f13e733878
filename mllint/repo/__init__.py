"""The repository model: the file inventory, version control and DVC, manifests, CI, serving, ML profile."""
