package io.pgrouter.core.server;

import io.netty.buffer.ByteBuf;
import io.pgrouter.core.protocol.SqlState;
import io.pgrouter.spi.pipeline.ClientHold;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where one session's client requests meet a pause or a smart shutdown of pgrouter ({@link
 * Sessions}): a session with nothing open holds them (and stops reading its client) until the
 * resume, or ends instead during a smart shutdown. A session with a transaction open or a request
 * in flight goes on: the pause waits for it to become quiet. Held requests wait in the session's
 * {@link ClientHold} like those a pipeline gives back, since one queue keeps their order; but
 * unlike the pipeline's hold, this one does not make the session busy. Runs on the session's
 * event loop.
 */
final class PauseGate {
    private static final Logger log = LoggerFactory.getLogger(PauseGate.class);

    private final ClientConnection session;
    private final Sessions sessions;
    private final ClientHold hold;
    /** Only to say, while paused, why a session goes on. */
    private final SessionBackends backends;
    private boolean holding;

    PauseGate(ClientConnection session, Sessions sessions, ClientHold hold, SessionBackends backends) {
        this.session = session;
        this.sessions = sessions;
        this.hold = hold;
        this.backends = backends;
    }

    /**
     * Takes the requests on their way to the pipeline when pgrouter is paused or ending and the
     * session is quiet: holds them, or releases them and ends the session. Returns whether it took
     * them; false leaves them to the pipeline.
     */
    boolean intercept(ByteBuf messages) {
        if (!holding && (sessions.paused() || sessions.endAtBoundary()) && !session.isBusy()) {
            if (sessions.endAtBoundary()) {
                messages.release();
                session.fail(SqlState.ADMIN_SHUTDOWN, Sessions.TERMINATING);
                return true;
            }
            holding = true;
            hold.hold(messages);
            session.channel().config().setAutoRead(false);
            sessions.holding(session);
            return true;
        }
        if (sessions.paused() && log.isDebugEnabled()) {
            log.debug("session {}: busy while paused ({}): its request goes on", session.id(), backends);
        }
        return false;
    }

    /** Whether it holds the session's requests until the resume. */
    boolean holding() {
        return holding;
    }

    /** The pause is over: what was held goes to the pipeline in order, and the client is read again. */
    void release() {
        if (!holding || session.isClosing()) {
            return;
        }
        if (sessions.paused()) {
            sessions.holding(session); // paused again before this ran: hold on
            return;
        }
        holding = false;
        sessions.unheld(session);
        hold.resume();
        session.flushAll();
        session.backendWritabilityChanged();
    }
}
