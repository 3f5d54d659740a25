from nummus.cli import main

main()
