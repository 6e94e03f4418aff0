package io.pgrouter.core.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.pgrouter.core.auth.AuthenticationException;
import io.pgrouter.core.protocol.ProtocolException;
import io.pgrouter.core.protocol.SqlState;
import io.pgrouter.core.protocol.StartupPacket;
import io.pgrouter.spi.pipeline.Messages;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client connection from its accept until its session's pipeline starts: the startup packet
 * (SSLRequest and GSSENCRequest answered, a CancelRequest passed on, the StartupMessage kept),
 * pgrouter's own login of the client when it authenticates clients, the startup timeout, and the
 * constant delay of a failed login. Afterwards it keeps what the session is asked about its start
 * (the startup packet, the login, the cancel key) until the connection closes.
 *
 * <p>Runs on the client channel's event loop, like its {@link ClientConnection}.
 */
final class StartupPhase {
    private static final Logger log = LoggerFactory.getLogger(StartupPhase.class);
    /** How long a failed login waits before its error is sent, whatever the reason. */
    static final Duration AUTH_FAILURE_DELAY = Duration.ofMillis(500);

    private final ClientConnection session;
    private final ServerContext server;
    private final Channel channel;
    /** Read once at connect: a reload does not change the rules for a connection under way. */
    private final Security security;
    private final ScheduledFuture<?> timer;
    private StartupPacket.Startup startup;
    /** pgrouter's own login of this client; null when the primary authenticates it (relayed login). */
    private ClientLogin login;
    /** pgrouter's cancel key for this session; 0 until the startup packet arrives. */
    private long cancelKey;

    /** Starts the startup timeout of a connection just accepted. */
    StartupPhase(ClientConnection session, ServerContext server, Channel channel) {
        this.session = session;
        this.server = server;
        this.channel = channel;
        this.security = server.security().get();
        Duration timeout = server.settings().startupTimeout();
        this.timer = channel.eventLoop().schedule(this::timedOut, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void timedOut() {
        if (!session.hasPipeline() && !session.isClosing()) {
            if (login != null) {
                server.stats().authFailed("timeout");
            }
            log.info("session {}: {} did not complete startup within {}", session.id(), channel.remoteAddress(),
                    server.settings().startupTimeout());
            session.fail(SqlState.PROTOCOL_VIOLATION, login == null
                    ? "pgrouter: timeout expired waiting for the startup packet" : "canceling authentication due to timeout");
        }
    }

    /** What the client sent before its pipeline started (released here). */
    void onRead(Object msg) {
        try {
            if (msg instanceof StartupPacket packet) {
                onStartupPacket(packet);
            } else if (login != null && msg instanceof ByteBuf messages) {
                onLoginMessages(messages);
            } else {
                throw new ProtocolException(SqlState.PROTOCOL_VIOLATION, "unexpected message before startup");
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onStartupPacket(StartupPacket packet) {
        if (packet instanceof StartupPacket.Startup s) {
            startup = s;
            s.retain();
            cancelKey = server.cancelKeys().register(session);
            log.debug("session {}: startup from {} user={} database={}", session.id(), channel.remoteAddress(),
                    s.parameters().get("user"), s.parameters().get("database"));
            if (!security.authenticatesClients()) {
                startPipeline();
                return;
            }
            try {
                login = ClientLogin.start(session.id(), channel, security, s.parameters(), server.stats());
            } catch (AuthenticationException e) {
                failAfterDelay(e);
                return;
            }
            loginStepWritten(login.succeeded());
        } else if (packet instanceof StartupPacket.Cancel cancel) {
            ClientConnection target = server.cancelKeys().find(cancel.processId(), cancel.secretKey());
            if (target != null) {
                target.eventLoop().execute(target::cancelRequested);
            } else {
                log.debug("cancel request from {} matches no session", channel.remoteAddress());
            }
            channel.close(); // PostgreSQL answers a CancelRequest with nothing, match or not
        } else if (packet instanceof StartupPacket.SslRequest && security.clientTls().isPresent()
                && channel.pipeline().get(SslHandler.class) == null) {
            // 'S' must leave in clear, before the TLS handler is in place; both happen on this loop.
            channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'S'}));
            channel.pipeline().addFirst("tls", security.clientTls().get().context().newHandler(channel.alloc()));
        } else {
            // GSSENCRequest, or SSLRequest without TLS configured: the client goes on in plain text.
            channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'N'}));
        }
    }

    /**
     * One read's messages during the login, one step each; what a client sent on without waiting
     * for the end of the login goes to the pipeline, and after a failed login nothing is read.
     */
    private void onLoginMessages(ByteBuf messages) {
        int end = messages.writerIndex();
        for (int at = messages.readerIndex(); at < end; ) {
            if (session.hasPipeline()) {
                session.toPipeline(messages.retainedSlice(at, end - at));
                return;
            }
            if (login == null) {
                return;
            }
            int next = Messages.next(messages, at);
            onLoginMessage(messages.slice(at, next - at));
            at = next;
        }
    }

    private void onLoginMessage(ByteBuf frame) {
        boolean done;
        try {
            done = login.onMessage(frame);
        } catch (AuthenticationException e) {
            failAfterDelay(e);
            return;
        }
        loginStepWritten(done);
    }

    /**
     * The login wrote its next message. A challenge goes out at once; AuthenticationOk waits for
     * the rest of the greeting, which the pipeline usually writes at once from a pooled
     * connection: one packet, one send, instead of two.
     */
    private void loginStepWritten(boolean succeeded) {
        if (!succeeded) {
            channel.flush();
            return;
        }
        session.clientWritten();
        startPipeline();
    }

    private void startPipeline() {
        timer.cancel(false);
        session.startPipeline();
    }

    /**
     * Reports a failed login after {@link #AUTH_FAILURE_DELAY}, the same for every reason, so that
     * timing tells a client nothing and password guessing is slowed down; reads nothing meanwhile.
     */
    private void failAfterDelay(AuthenticationException e) {
        login = null;
        timer.cancel(false);
        channel.config().setAutoRead(false);
        channel.eventLoop().schedule(() -> session.fail(e.sqlState(), e.getMessage()), AUTH_FAILURE_DELAY.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** The connection closed: the timer, the startup packet and the cancel key go. */
    void closed() {
        timer.cancel(false);
        if (startup != null) {
            startup.release();
            startup = null;
        }
        if (cancelKey != 0) {
            server.cancelKeys().remove(cancelKey);
        }
    }

    Security security() {
        return security;
    }

    StartupPacket.Startup startup() {
        return startup;
    }

    /** pgrouter's login of the client, or null when the primary authenticates it. */
    ClientLogin login() {
        return login;
    }

    long cancelKey() {
        return cancelKey;
    }
}
