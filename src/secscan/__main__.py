from secscan.cli import main

raise SystemExit(main())
