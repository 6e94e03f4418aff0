package io.pgrouter.cli;

import java.io.IOException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The client half of the admin channel: sends one command line over pgrouter's Unix domain
 * socket and reads the answer, detail lines ({@code - TEXT}) then a final {@code ok TEXT} or
 * {@code error TEXT}. Nothing but the JDK: {@link UnixDomainSocketAddress}.
 */
final class AdminClient {
    private AdminClient() {
    }

    /** pgrouter's answer. */
    record Reply(boolean ok, String summary, List<String> details) {
    }

    /** The socket cannot be used; the message says why in the operator's terms. */
    static final class Unreachable extends Exception {
        Unreachable(String message) {
            super(message);
        }
    }

    /** The answer was not in the admin channel's format. */
    static final class BadReply extends Exception {
        BadReply(String message) {
            super(message);
        }
    }

    static Reply send(Path socket, String command) throws Unreachable, BadReply {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new Unreachable("cannot open a Unix socket: " + e.getMessage());
        }
        try (channel) {
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw new Unreachable(whyNot(socket, e));
            }
            ByteBuffer out = ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            return decode(readAll(channel));
        } catch (IOException e) {
            throw new Unreachable("the admin socket " + socket + " closed the connection: " + e.getMessage());
        }
    }

    private static String whyNot(Path socket, IOException e) {
        String reason = e.getMessage() == null ? e.toString() : e.getMessage();
        if (!Files.exists(socket)) {
            return "no admin socket at " + socket + " (is pgrouter running, with admin { socket " + socket
                    + " } in its configuration?)";
        }
        if (e instanceof SocketException && reason.contains("Permission denied")) {
            return "permission denied on " + socket + " (use it as root, as pgrouter's user, or as a user allowed in "
                    + "the admin block)";
        }
        if (reason.contains("Connection refused")) {
            return "nothing listens on " + socket + " (pgrouter is not running?)";
        }
        return "cannot connect to " + socket + ": " + reason;
    }

    private static String readAll(SocketChannel channel) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(8192);
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        while (channel.read(in) >= 0) {
            in.flip();
            all.write(in.array(), 0, in.limit());
            in.clear();
        }
        return all.toString(StandardCharsets.UTF_8);
    }

    /** Parses an answer: detail lines, then exactly one final line, which must be the last. */
    static Reply decode(String text) throws BadReply {
        List<String> details = new ArrayList<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            boolean last = i == lines.size() - 1;
            if (line.startsWith("- ") && !last) {
                details.add(line.substring(2));
            } else if (last && (line.equals("ok") || line.startsWith("ok "))) {
                return new Reply(true, line.substring(Math.min(3, line.length())), details);
            } else if (last && (line.equals("error") || line.startsWith("error "))) {
                return new Reply(false, line.substring(Math.min(6, line.length())), details);
            } else {
                throw new BadReply("unexpected line from pgrouter: '" + line + "'");
            }
        }
        throw new BadReply(text.isEmpty() ? "pgrouter closed the connection without an answer"
                : "pgrouter's answer ended without a final 'ok' or 'error' line");
    }
}
