"""Front ends of the engine's results: the command line, terminal text, notebook panels,
the watch mode, remembered progress and the formats course platforms read."""
