/**
 * {@code pgrouter-cli}: operator commands against a running pgrouter. {@code status} reads the
 * monitor port and doubles as a Nagios-style check; {@code pools} shows the server connection
 * pools from the same port; reload, pause, resume, drain and shutdown go over the admin socket.
 */
module io.pgrouter.cli {
    requires info.picocli;

    opens io.pgrouter.cli to info.picocli;
}
