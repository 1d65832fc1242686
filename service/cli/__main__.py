"""``python -m service.cli``: the same as the ``supplygraph`` command."""

from service.cli.main import main

if __name__ == "__main__":
    main()
