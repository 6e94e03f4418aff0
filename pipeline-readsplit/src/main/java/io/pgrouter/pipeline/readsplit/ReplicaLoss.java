package io.pgrouter.pipeline.readsplit;

import io.netty.buffer.ByteBuf;
import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.pipeline.Session;
import io.pgrouter.spi.protocol.BackendMessages;
import io.pgrouter.spi.protocol.SqlState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the client hears when a {@link ReplicaLink} loses its replica with something of the
 * client's there: a read-only transaction that ran there ends the session, as the death of a
 * PostgreSQL backend would; a statement whose answer was partly forwarded fails with an
 * ErrorResponse and a ReadyForQuery, and the session goes on. Either says why with the FATAL the
 * replica sent before it closed (its SQLSTATE and message) when it sent one, else as a connection
 * failure with its cause.
 */
final class ReplicaLoss {
    /** The link's logger: a replica's story reads in one place, whichever class tells it. */
    private static final Logger log = LoggerFactory.getLogger(ReplicaLink.class);

    private final Session session;
    private final PrimaryLink primary;
    /** A FATAL the replica sent in the middle of a forwarded answer, reported when it closes. */
    private String lastWords;
    private String lastWordsCode;

    ReplicaLoss(Session session, PrimaryLink primary) {
        this.session = session;
        this.primary = primary;
    }

    /** A FATAL in the middle of a forwarded answer: the client hears of it when the replica closes. */
    void heard(ByteBuf fatal) {
        lastWordsCode = BackendMessages.sqlState(fatal);
        lastWords = BackendMessages.message(fatal);
    }

    /** The client's transaction ran on the replica: it is gone, and so is the session. */
    void duringTransaction(Endpoint address, Throwable cause) {
        String why = reason(cause);
        log.warn("session {}: lost the replica {} during a transaction that ran there ({})", session.id(), address, why);
        session.fail(code(),
                "pgrouter: lost the replica " + address + " during a read-only transaction that ran there (" + why + ")");
    }

    /** Part of the answer reached the client: the statement fails, the session goes on. */
    void midAnswer(Endpoint address, Throwable cause) {
        log.warn("session {}: lost the replica {} in the middle of an answer{}", session.id(), address,
                cause == null ? "" : ": " + cause);
        String why = reason(cause);
        session.toClient(BackendMessages.errorResponse(session.alloc(), "ERROR", code(),
                "pgrouter: lost the replica " + address + " in the middle of an answer (" + why
                        + "); the statement did not complete"));
        session.toClient(BackendMessages.readyForQuery(session.alloc(), primary.transactionStatus()));
        lastWords = null;
        lastWordsCode = null;
    }

    /** Why the replica went away, for the client: its FATAL's message when it sent one, else the cause. */
    private String reason(Throwable cause) {
        return lastWords != null ? lastWords : cause != null ? cause.toString() : "the connection closed";
    }

    /** The SQLSTATE a loss of the replica reaches the client with: its FATAL's, else connection failure. */
    private String code() {
        return lastWordsCode != null && !lastWordsCode.isEmpty() ? lastWordsCode : SqlState.CONNECTION_FAILURE;
    }
}
