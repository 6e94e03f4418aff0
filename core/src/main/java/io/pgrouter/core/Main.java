package io.pgrouter.core;

import picocli.CommandLine;

/** Entry point of the {@code pgrouter} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        int exit = new CommandLine(new PgrouterCommand()).execute(args);
        if (exit != 0) {
            System.exit(exit);
        }
        // A running router returns here only after a clean shutdown: let non-daemon threads end.
    }
}
