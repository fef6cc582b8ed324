"""The command line: a Typer app; each module parses flags, calls the library, prints."""
