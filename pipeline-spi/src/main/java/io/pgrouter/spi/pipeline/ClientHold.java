package io.pgrouter.spi.pipeline;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The client messages of one session that its pipeline could not take yet ({@link
 * Session#holdClient}), kept in order until it can ({@link Session#resumeClient}). Core keeps one
 * per session and stops reading the client while it holds, so at most what one read brought
 * waits here besides what the pipeline gave back; the pipeline test double keeps one the same way.
 *
 * <p>Order is the point: what the pipeline gives back while a run is delivered comes before
 * anything held earlier that the run was taken from, and every read the client sends while held
 * goes after. One per session, on its event loop; not thread-safe.
 */
public final class ClientHold {
    private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();
    /** Given back during the delivery under way: goes before {@link #held}. */
    private final ArrayDeque<ByteBuf> heldDuringDelivery = new ArrayDeque<>();
    private final Consumer<ByteBuf> pipeline;
    private boolean holding;
    private int delivering;

    /** @param pipeline where runs of client messages go ({@link SessionPipeline#clientMessages}) */
    public ClientHold(Consumer<ByteBuf> pipeline) {
        this.pipeline = pipeline;
    }

    /** Whether the pipeline holds the client: core reads no more from it meanwhile. */
    public boolean holding() {
        return holding;
    }

    /** A run of messages from the client: to the pipeline, or kept behind what is held. Takes the reference. */
    public void fromClient(ByteBuf messages) {
        if (holding) {
            held.add(messages);
        } else {
            deliver(messages);
        }
    }

    /** The pipeline gives messages back (and holds everything after them). Takes the reference. */
    public void hold(ByteBuf messages) {
        holding = true;
        (delivering > 0 ? heldDuringDelivery : held).add(messages);
    }

    /** Delivers what is held, in order, until the pipeline holds again; whether anything was delivered. */
    public boolean resume() {
        holding = false;
        keepGivenBack();
        boolean delivered = false;
        while (!holding && !held.isEmpty()) {
            delivered = true;
            deliver(held.poll());
        }
        return delivered;
    }

    /** The session ended: what is held is dropped. */
    public void clear() {
        holding = false;
        keepGivenBack();
        while (!held.isEmpty()) {
            held.poll().release();
        }
    }

    private void deliver(ByteBuf messages) {
        delivering++;
        try {
            pipeline.accept(messages);
        } finally {
            delivering--;
            keepGivenBack();
        }
    }

    private void keepGivenBack() {
        while (!heldDuringDelivery.isEmpty()) {
            held.addFirst(heldDuringDelivery.pollLast());
        }
    }
}
