package io.pgrouter.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The {@code pidfile}: created if missing, locked ({@link FileChannel#tryLock()}, a POSIX record
 * lock) for as long as pgrouter runs, and holding its process id. A second pgrouter on the same
 * pidfile finds it locked and refuses to start, naming the pid written in it. A pidfile left by a
 * process that died without removing it is not locked (the kernel drops the lock with the
 * process), so it is simply taken over. {@link #close()} removes it.
 */
final class PidFile implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;

    private PidFile(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /** Thrown when another process holds the pidfile's lock. */
    static final class AlreadyRunning extends IOException {
        private static final long serialVersionUID = 1L;

        AlreadyRunning(String message) {
            super(message);
        }
    }

    /**
     * Locks {@code path} and writes this process's id into it.
     *
     * @throws AlreadyRunning if another pgrouter holds it; the message names its pid
     * @throws IOException if the file cannot be created or written
     */
    static PidFile acquire(Path path) throws IOException {
        return acquire(path, ProcessHandle.current().pid());
    }

    static PidFile acquire(Path path, long pid) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            // AccessDeniedException's message is the bare path: say what was tried, and why not.
            throw new IOException("cannot open pidfile " + path + " (" + e.getClass().getSimpleName() + ")", e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException sameProcess) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = readPid(channel);
            // Closing this second channel would drop the first's lock too if both were in this
            // JVM (POSIX locks belong to the process); that happens only when pgrouter is
            // started twice in one JVM, i.e. in tests, which keep the holder open regardless.
            channel.close();
            throw new AlreadyRunning("pgrouter is already running" + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                    + ": pidfile " + path + " is locked");
        }
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((pid + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(false);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return new PidFile(path, channel, lock);
    }

    /** The pid written in a pidfile, or "" if there is none or it is unreadable. */
    static String readPid(Path path) {
        try {
            return Files.readString(path, StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String readPid(FileChannel channel) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(32);
            channel.read(buf, 0);
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
            return text.matches("[0-9]+") ? text : "";
        } catch (IOException e) {
            return "";
        }
    }

    Path path() {
        return path;
    }

    /**
     * Removes the pidfile, then lets the lock go. If the directory does not let this process
     * remove it (pgrouter switched to an unprivileged {@code user}), it is emptied instead.
     */
    @Override
    public void close() throws IOException {
        try {
            try {
                Files.deleteIfExists(path);
            } catch (IOException cannotRemove) {
                channel.truncate(0);
                throw new IOException("cannot remove pidfile " + path + " (" + cannotRemove.getMessage()
                        + "); emptied it instead", cannotRemove);
            }
        } finally {
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        }
    }
}
