package io.pgrouter.cli;

/** The monitor answered with something that is not the monitor format. */
final class MonitorFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    MonitorFormatException(int line, String problem) {
        super("monitor output line " + line + ": " + problem);
    }

    MonitorFormatException(String problem) {
        super("monitor output: " + problem);
    }
}
