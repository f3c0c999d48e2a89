"""Scene -> trace: objectives' tricks, one training iteration for every run, the recording loop;
and replay, which makes a keyframe trace's steps from its keyframes (importing it registers it
with Trace, so any process that trains can also replay)."""
from gananim.training import replay

__all__ = ["replay"]
