"""Scene -> trace: objectives' tricks, one training iteration for every run, the recording loop,
and replay, which makes a keyframe trace's steps from its keyframes."""
