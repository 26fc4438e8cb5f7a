"""`python -m plangen` runs the command line."""

from plangen.cli import main

if __name__ == "__main__":
    main()
