"""`python -m azlocal.daemon --port N`: the long-lived process of one AZLOCAL_HOME."""

import argparse

from azlocal.daemon.server import serve


def main():
    parser = argparse.ArgumentParser(prog="azlocal-daemon")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    serve(args.port)


if __name__ == "__main__":
    main()
