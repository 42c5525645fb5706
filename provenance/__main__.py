import sys

from provenance.cli.main import main

sys.exit(main())
