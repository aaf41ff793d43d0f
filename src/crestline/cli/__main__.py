"""``python -m crestline.cli``."""

from crestline.cli.main import main

main()
