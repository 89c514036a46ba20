from heroweb.cli import main

raise SystemExit(main())
