package io.pgrouter.testkit;

/** What a finished command printed, and how it exited. */
public record ProcessResult(int exitCode, String stdout, String stderr) {
    /** Both streams, for assertion messages. */
    public String output() {
        return stdout + stderr;
    }
}
