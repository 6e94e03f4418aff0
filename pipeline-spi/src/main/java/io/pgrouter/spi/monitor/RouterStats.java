package io.pgrouter.spi.monitor;

/** Live counters of the router, read without locks from any thread. */
public interface RouterStats {
    /** The number of worker (event loop) threads. */
    int workers();

    /** Client connections open now. */
    long clients();

    /** Backend connections open now. */
    long connections();
}
