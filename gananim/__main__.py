"""python -m gananim"""
from .cli import main

raise SystemExit(main())
