package io.pgrouter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidFileTest {
    @TempDir
    Path dir;

    @Test
    void writesThisPidAndRemovesItOnClose() throws Exception {
        Path path = dir.resolve("pgrouter.pid");
        try (PidFile pid = PidFile.acquire(path)) {
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(path));
            assertEquals(path, pid.path());
        }
        assertFalse(Files.exists(path), "removed on close");
    }

    @Test
    void aStaleUnlockedPidfileIsTakenOverAndOverwritten() throws Exception {
        Path path = dir.resolve("pgrouter.pid");
        Files.writeString(path, "999999999 and some longer leftover text\n");
        try (PidFile pid = PidFile.acquire(path, 42)) {
            assertEquals("42\n", Files.readString(path), "truncated, not just overwritten at the start");
        }
    }

    @Test
    void aSecondAcquireInThisProcessIsRefusedNamingThePid() throws Exception {
        Path path = dir.resolve("pgrouter.pid");
        try (PidFile first = PidFile.acquire(path, 4242)) {
            PidFile.AlreadyRunning e = assertThrows(PidFile.AlreadyRunning.class, () -> PidFile.acquire(path, 1));
            assertTrue(e.getMessage().contains("pid 4242"), e.getMessage());
            assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
            assertEquals("4242\n", Files.readString(path), "the holder's pid is left alone");
        }
    }

    /** The case that matters: another process (here a small Java program) holds the lock. */
    @Test
    void aPidfileLockedByAnotherProcessIsRefusedNamingItsPid() throws Exception {
        Path path = dir.resolve("pgrouter.pid");
        Path holder = dir.resolve("Holder.java");
        Files.writeString(holder, """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                public class Holder {
                    public static void main(String[] a) throws Exception {
                        FileChannel c = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE,
                                StandardOpenOption.READ, StandardOpenOption.WRITE);
                        if (c.tryLock() == null) throw new IllegalStateException("not locked");
                        // Through the locked channel: closing any other descriptor of the file
                        // would drop this process's POSIX lock.
                        c.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\\n").getBytes()));
                        System.out.println("locked");
                        System.in.read();
                    }
                }
                """);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), holder.toString(), path.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            PidFile.AlreadyRunning e = assertThrows(PidFile.AlreadyRunning.class, () -> PidFile.acquire(path));
            assertTrue(e.getMessage().contains("pid " + p.pid()), e.getMessage());
            assertTrue(Files.exists(path), "the holder's pidfile stays");
        } finally {
            p.getOutputStream().close(); // the holder exits, and the kernel drops its lock
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
        try (PidFile pid = PidFile.acquire(path)) {
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(path),
                    "a lock that died with its process is free");
        }
    }
}
