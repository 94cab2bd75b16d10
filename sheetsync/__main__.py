from sheetsync.cli.commands import main

main()
