"""``python -m helpers.gtzan``: download and unpack GTZAN (see :mod:`helpers.gtzan.fetch`)."""

import sys

from helpers.gtzan.fetch import main

sys.exit(main())
