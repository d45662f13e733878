"""The commands' work without the CLI framework: ``check`` (its options in, its exit code out), and a plain
``check`` command line read without typer."""
