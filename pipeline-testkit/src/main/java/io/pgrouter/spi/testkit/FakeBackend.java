package io.pgrouter.spi.testkit;

import io.netty.buffer.ByteBuf;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.protocol.MessageType;
import io.pgrouter.spi.protocol.FrontendMessages;
import io.pgrouter.spi.protocol.Messages;
import io.pgrouter.spi.protocol.RequestTracker;
import io.pgrouter.spi.pipeline.Session;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A backend connection as core would lend it to a pipeline: it records what the pipeline sends
 * (copied, then released, as core does once written), and lets the test play the server with
 * {@link #serverRead} and {@link #serverMessage}, or lose the connection with {@link #lost}.
 */
public final class FakeBackend implements Backend {
    /** The session it is lent to: the pool may lend it to another ({@link FakeSession#grant(FakeBackend)}). */
    private FakeSession session;
    private final Endpoint address;
    private final Map<String, String> parameters = new HashMap<>();
    private final List<Recorded> sent = new ArrayList<>();
    private final int processId;
    private final int secretKey;
    private Object attachment;
    private boolean open = true;
    private boolean closedByPipeline;
    /** What core would know from the bytes it forwards: for {@link #isIdle()} and internal answers. */
    private RequestTracker activity = new RequestTracker();
    private final List<Recorded> sentInternally = new ArrayList<>();
    /** What the session that gave it back said it left on it (core resets it for the next). */
    private Session.Leftover leftover = Session.Leftover.NOTHING;

    FakeBackend(FakeSession session, Endpoint address, int processId) {
        this.session = session;
        this.address = address;
        this.processId = processId;
        this.secretKey = processId * 7;
    }

    // ---- what the pipeline does -----------------------------------------------------------------

    @Override
    public Endpoint address() {
        return address;
    }

    @Override
    public void send(ByteBuf message) {
        if (!open) {
            message.release();
            throw new AssertionError("sent to " + address + " after it closed");
        }
        activity.sent(message);
        Recorded.record(message, false, sent);
    }

    /** As core does: its answers are kept from the pipeline (all but ParameterStatus, notices, notifications). */
    @Override
    public void sendInternal(ByteBuf requests) {
        if (!open) {
            requests.release();
            throw new AssertionError("sent to " + address + " after it closed");
        }
        activity.sent(requests, true);
        Recorded.record(requests, false, sentInternally);
    }

    /** As core does: the first value of the answer completes the stage; the answers are kept from the pipeline. */
    @Override
    public java.util.concurrent.CompletionStage<String> queryInternal(String sql) {
        if (!open) {
            throw new AssertionError("sent to " + address + " after it closed");
        }
        io.pgrouter.spi.protocol.FirstValue answer = new io.pgrouter.spi.protocol.FirstValue();
        ByteBuf query = FrontendMessages.query(session.alloc(), sql);
        activity.sentInternal(query, answer);
        Recorded.record(query, false, sentInternally);
        return answer.result();
    }

    /** As core judges it: every request answered by ReadyForQuery 'I', no open extended group, no Terminate sent. */
    @Override
    public boolean isIdle() {
        return open && activity.idle();
    }

    @Override
    public Map<String, String> parameters() {
        return parameters;
    }

    @Override
    public int processId() {
        return processId;
    }

    @Override
    public int secretKey() {
        return secretKey;
    }

    @Override
    public Object attachment() {
        return attachment;
    }

    @Override
    public void attachment(Object value) {
        attachment = value;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Closes the connection; as in core, {@code backendClosed} follows once the current callback returns. */
    @Override
    public void close() {
        if (open) {
            open = false;
            closedByPipeline = true;
            session.later(() -> {
                activity.closed(); // as core: internal queries still waiting fail, then backendClosed
                session.pipeline().backendClosed(this, null);
            });
        }
    }

    // ---- what the test looks at -----------------------------------------------------------------

    /** Everything the pipeline sent here, in order. */
    public List<Recorded> sent() {
        return sent;
    }

    /** The type letters of {@link #sent()}, e.g. {@code "PBES"}. */
    public String sentTypes() {
        return Recorded.types(sent);
    }

    /** {@link #sentTypes()}, then forgets what was sent: the next assertion sees only what follows. */
    public String takeSentTypes() {
        String types = sentTypes();
        sent.clear();
        return types;
    }

    /** What the pipeline (or core, resetting it) sent with {@link #sendInternal}, in order. */
    public List<Recorded> sentInternally() {
        return sentInternally;
    }

    /** The type letters of {@link #sentInternally()}. */
    public String sentInternallyTypes() {
        return Recorded.types(sentInternally);
    }

    /** Whether the pipeline closed the connection. */
    public boolean closedByPipeline() {
        return closedByPipeline;
    }

    // ---- what the test plays ----------------------------------------------------------------------

    /** The server's parameters as known after a login ({@link Backend#parameters()}). */
    public FakeBackend parameter(String name, String value) {
        parameters.put(name, value);
        return this;
    }

    /** One read from the server: the messages, in one buffer, to {@code serverMessages}. */
    public void serverRead(ByteBuf... messages) {
        ByteBuf read = session.oneRead(messages);
        if (!activity.internalPending()) {
            activity.received(read);
            session.deliver(() -> session.pipeline().serverMessages(this, read));
            return;
        }
        // As core: the answers to internal requests are kept from the pipeline, each range of
        // the rest delivered as it comes (an internal query's answer completes in between).
        session.deliver(() -> {
            try {
                activity.received(read, (from, to) -> session.pipeline().serverMessages(this,
                        read.retainedSlice(from, to - from)));
            } finally {
                read.release();
            }
        });
    }

    /** One message from the server, to {@code server} (unless it answers an internal request, as in core). */
    public void serverMessage(ByteBuf message) {
        if (activity.internalPending()) {
            session.deliver(() -> {
                try {
                    activity.received(message, (from, to) -> session.pipeline().server(this,
                            message.retainedSlice(from, to - from)));
                } finally {
                    message.release();
                }
            });
            return;
        }
        activity.received(message);
        session.deliver(() -> session.pipeline().server(this, message));
    }

    /** The server went away (closed, or failed with {@code cause}): {@code backendClosed}. */
    public void lost(Throwable cause) {
        open = false;
        session.deliver(() -> {
            activity.closed();
            session.pipeline().backendClosed(this, cause);
        });
    }

    void lendTo(FakeSession to) {
        session = to;
        activity = new RequestTracker();
        sentInternally.clear();
    }

    /** Given back: what its session said it left on it. */
    void givenBack(Session.Leftover what) {
        leftover = what;
    }

    /** As core before lending it again: DISCARD ALL when the last session left its state on it. */
    void resetIfUsed() {
        if (leftover == Session.Leftover.SESSION_STATE) {
            leftover = Session.Leftover.NOTHING;
            sendInternal(FrontendMessages.query(session.alloc(), "DISCARD ALL"));
        }
    }

    @Override
    public String toString() {
        return "FakeBackend(" + address + ")";
    }
}
