"""``python -m optimus`` runs the command line."""

from optimus.cli.app import main

main()
