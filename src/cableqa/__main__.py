from cableqa.cli import main

raise SystemExit(main())
