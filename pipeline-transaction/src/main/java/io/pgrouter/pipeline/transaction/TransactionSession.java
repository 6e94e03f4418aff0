package io.pgrouter.pipeline.transaction;

import io.netty.buffer.ByteBuf;
import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.pipeline.Routed;
import io.pgrouter.spi.pipeline.Session;
import io.pgrouter.spi.pipeline.SessionPipeline;
import io.pgrouter.spi.protocol.MessageType;
import io.pgrouter.spi.protocol.Messages;
import io.pgrouter.spi.protocol.SqlState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client of the transaction pipeline. The client gets a primary connection when it sends
 * something and gives it back when the primary's ReadyForQuery says idle ('I') with every request
 * it sent answered; the connection then serves other clients of the same event loop with the
 * same user, database and startup parameters.
 *
 * <p>Named prepared statements of the protocol (pgjdbc's, pgbench {@code -M prepared}) follow the
 * client from connection to connection ({@link PreparedStatements}). What a transaction pool
 * cannot carry from one transaction to the next, as with PgBouncer's transaction mode: session
 * state set outside a transaction (SET, LISTEN, temporary tables, advisory locks, SQL PREPARE).
 * Use {@code pipeline session} for clients that need them.
 */
final class TransactionSession implements SessionPipeline {
    private static final Logger log = LoggerFactory.getLogger(TransactionSession.class);

    private final Session session;
    private final PreparedStatements statements;
    private Backend backend;
    private boolean acquiring;
    private boolean stopped;

    TransactionSession(Session session) {
        this.session = session;
        this.statements = new PreparedStatements(session.alloc());
        if (!session.authenticatedByPgrouter()) {
            session.fail(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, "pgrouter: the transaction pipeline needs pgrouter's own authentication"
                    + " (configure hba and authdb): it logs into pooled connections itself");
            return;
        }
        // Greeted from the pool when core knows this login: the client then waits for a
        // connection at its first statement, not at login, as with PgBouncer.
        if (!session.greetClientFromPool()) {
            acquire(true);
        }
    }

    // ---- client -------------------------------------------------------------------------------

    @Override
    public void client(ByteBuf message) {
        byte type = Messages.type(message);
        if (type == MessageType.Frontend.TERMINATE) {
            message.release();
            session.close();
            return;
        }
        if (backend == null && !borrow(message)) {
            return;
        }
        forward(type, message);
    }

    /**
     * Borrows a connection for messages that need one: true when one is at hand (the pool
     * nearly always has one at once); otherwise core holds the messages until it comes (or
     * they are dropped when no primary is to be had, which pgrouter has told the client).
     */
    private boolean borrow(ByteBuf messages) {
        if (!acquiring) {
            acquire(false);
        }
        if (backend != null) {
            return true;
        }
        if (acquiring) {
            session.holdClient(messages);
        } else {
            messages.release();
        }
        return false;
    }

    /**
     * One read's messages: sent whole to the lent connection when none of them is a Terminate or
     * names a prepared statement; otherwise one by one. A read that starts a transaction first
     * borrows a connection, which the pool nearly always has at once: then it goes whole too.
     */
    @Override
    public void clientMessages(ByteBuf messages) {
        boolean terminate = Messages.contains(messages, MessageType.Frontend.TERMINATE);
        if (backend == null && !terminate && !borrow(messages)) {
            return;
        }
        if (terminate || !PreparedStatements.plain(messages)) {
            SessionPipeline.super.clientMessages(messages);
            return;
        }
        statements.notePlain(messages);
        backend.send(messages);
    }

    private void forward(byte type, ByteBuf message) {
        statements.send(type, message);
    }

    /**
     * Takes a primary connection from the pool (or logs in a new one). The first one also
     * introduces the session to the client: the primary's ParameterStatus values, pgrouter's
     * BackendKeyData and ReadyForQuery, as PostgreSQL ends a login.
     */
    private void acquire(boolean greet) {
        acquiring = true;
        session.acquirePrimary().whenComplete((b, error) -> {
            acquiring = false;
            if (error != null) {
                return; // pgrouter has told the client why (57P03, 08006, the primary's error)
            }
            if (stopped) {
                session.release(b);
                return;
            }
            backend = b;
            session.routedAll(b, Routed.WRITE); // everything goes to the primary: core counts what passes
            statements.use(b);
            if (greet) {
                session.greetClient(b);
            }
            // What the client sent meanwhile; when taken at once for the read at hand, nothing
            // is held and that read is sent by the caller.
            if (session.resumeClient() || greet) {
                releaseIfIdle();
            }
        });
    }

    // ---- backend ------------------------------------------------------------------------------

    /**
     * One read's answers: passed on whole unless one of them answers something pgrouter added
     * (a Parse or Close), which the client must not see.
     */
    @Override
    public void serverMessages(Backend from, ByteBuf messages) {
        if (statements.awaitsAddedAnswer()) {
            SessionPipeline.super.serverMessages(from, messages);
            return;
        }
        boolean ready = false;
        for (int at = messages.readerIndex(); at < messages.writerIndex(); at = Messages.next(messages, at)) {
            ready |= messages.getByte(at) == MessageType.Backend.READY_FOR_QUERY;
            statements.answer(messages, at);
        }
        session.toClient(messages);
        if (ready) {
            releaseIfIdle();
        }
    }

    @Override
    public void server(Backend from, ByteBuf message) {
        boolean ready = Messages.type(message) == MessageType.Backend.READY_FOR_QUERY;
        if (statements.answer(message)) {
            session.toClient(message);
        } else {
            message.release(); // answers a Parse or Close pgrouter added
        }
        if (ready) {
            releaseIfIdle();
        }
    }

    /** Gives the backend back once the transaction is over and nothing sent is unanswered. */
    private void releaseIfIdle() {
        if (backend != null && backend.isIdle()) {
            Backend b = backend;
            backend = null;
            giveBack(b);
        }
    }

    private void giveBack(Backend b) {
        boolean clean = statements.reusable();
        statements.done();
        if (clean) {
            session.release(b);
        } else {
            b.close();
        }
    }

    @Override
    public void cancel() {
        if (backend != null) {
            session.sendCancel(backend.address(), backend.processId(), backend.secretKey());
        }
    }

    @Override
    public void backendClosed(Backend closed, Throwable cause) {
        if (stopped || closed != backend) {
            return;
        }
        backend = null;
        log.warn("session {}: lost the primary {}{}", session.id(), closed.address(), cause == null ? "" : ": " + cause);
        session.fail(SqlState.CONNECTION_FAILURE, "pgrouter: lost the connection to the primary " + closed.address());
    }

    @Override
    public void stop() {
        stopped = true;
        if (backend != null) {
            Backend b = backend;
            backend = null;
            // In the middle of something: the connection's state is unknown, so it is not reused.
            if (b.isIdle()) { // core's view: every request answered, no transaction, no open group
                giveBack(b);
            } else {
                statements.done();
                b.close();
            }
        }
    }
}
