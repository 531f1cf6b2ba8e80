from order_truth.cli import main

raise SystemExit(main())
