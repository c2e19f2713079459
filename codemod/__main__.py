try:
    from codemod.cli import main
except KeyboardInterrupt:  # Ctrl-C while the command line loads: nothing was read or written
    raise SystemExit(130) from None

if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # Ctrl-C at main's first instruction, before its own handler is set
        raise SystemExit(130) from None
