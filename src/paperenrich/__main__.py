from paperenrich.cli import main

main()
