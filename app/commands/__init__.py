"""CLI subcommands, one module each; output goes through `app.commands.output`."""
