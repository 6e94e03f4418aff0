package io.pgrouter.spi.cluster;

/** A backend's health, as the original pgrouter defines it. */
public enum Status {
    /** No health probe has answered yet (startup, or added by a reload). */
    STARTING,
    /** The last probe answered. */
    OK,
    /** The last probe failed or timed out. */
    FAILED
}
