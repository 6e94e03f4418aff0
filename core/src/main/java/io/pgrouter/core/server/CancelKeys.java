package io.pgrouter.core.server;

import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * pgrouter's own cancel keys: each session gets a random process id and secret, and a
 * CancelRequest finds its session only when both match. A wrong key finds nothing and the
 * requester learns nothing (PostgreSQL answers a CancelRequest with silence either way).
 */
final class CancelKeys {
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<Long, ClientConnection> sessions = new ConcurrentHashMap<>();

    /** Issues a fresh key for a session and remembers it until {@link #remove}. */
    long register(ClientConnection session) {
        while (true) {
            int processId = random.nextInt(Integer.MAX_VALUE - 1) + 1; // positive, as a real pid
            long key = key(processId, random.nextInt());
            if (sessions.putIfAbsent(key, session) == null) {
                return key;
            }
        }
    }

    void remove(long key) {
        sessions.remove(key);
    }

    ClientConnection find(int processId, int secretKey) {
        return sessions.get(key(processId, secretKey));
    }

    static long key(int processId, int secretKey) {
        return ((long) processId << 32) | (secretKey & 0xFFFFFFFFL);
    }

    static int processId(long key) {
        return (int) (key >>> 32);
    }

    static int secretKey(long key) {
        return (int) key;
    }
}
