package io.pgrouter.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgrouter.core.config.SyslogTarget;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** {@code syslog FACILITY@HOST:PORT} builds logback's SyslogAppender, which sends each line as a datagram. */
class LoggingSyslogTest {
    @Test
    void aLogLineReachesTheSyslogDaemonWithItsFacilityAndLevel() throws Exception {
        try (DatagramSocket daemon = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            daemon.setSoTimeout(10_000);
            Logging.output(Optional.empty(), Optional.of(new SyslogTarget("local3", "127.0.0.1", daemon.getLocalPort())),
                    true);
            try {
                LoggerFactory.getLogger(LoggingSyslogTest.class).warn("syslog works");
                DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
                daemon.receive(packet);
                String line = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
                // local3 is facility 19, WARN is severity 4: priority 19 * 8 + 4.
                assertTrue(line.startsWith("<156>"), line);
                assertTrue(line.contains(" pgrouter[" + ProcessHandle.current().pid() + "]: WARN "), line);
                assertTrue(line.endsWith("LoggingSyslogTest: syslog works"), line);
            } finally {
                Logging.output(Optional.empty(), Optional.empty(), true);
            }
        }
    }
}
