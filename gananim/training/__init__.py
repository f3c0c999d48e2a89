"""Scene -> trace: objectives' tricks, one training iteration for every run, the recording loop."""
