"""What an experiment is: the Scene and its parts, network specs, dotted settings, scene files.

The lowest layer above the trace: it names and checks every setting and imports no other
part of gananim except errors.
"""
