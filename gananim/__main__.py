"""python -m gananim"""
from gananim.cli import main

raise SystemExit(main())
