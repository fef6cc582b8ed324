"""Sources to projects: a gitignore-aware walk, project boundaries, stack detection, git facts."""
