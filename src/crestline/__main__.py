"""``python -m crestline``."""

from crestline.cli.main import main

main()
