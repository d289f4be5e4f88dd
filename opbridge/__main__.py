from opbridge.cli import main

main()
