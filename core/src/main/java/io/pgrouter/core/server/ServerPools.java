package io.pgrouter.core.server;

import io.netty.channel.EventLoop;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The {@link ServerPool} of each event loop, made when a loop first needs one. */
final class ServerPools {
    private final ConcurrentMap<EventLoop, ServerPool> pools = new ConcurrentHashMap<>();

    ServerPool of(EventLoop loop) {
        return pools.computeIfAbsent(loop, ServerPool::new);
    }
}
