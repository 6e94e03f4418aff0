package io.pgrouter.test.plugin;

import io.netty.buffer.ByteBuf;
import io.pgrouter.spi.config.PluginConfig;
import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.pipeline.Pipeline;
import io.pgrouter.spi.pipeline.PipelineContext;
import io.pgrouter.spi.pipeline.PipelineFactory;
import io.pgrouter.spi.pipeline.Session;
import io.pgrouter.spi.pipeline.SessionPipeline;
import io.pgrouter.spi.protocol.BackendMessages;
import io.pgrouter.spi.protocol.MessageType;
import io.pgrouter.spi.protocol.Messages;
import io.pgrouter.spi.protocol.SqlState;
import java.util.Set;

/**
 * {@code pipeline notice}: relays a session to the primary, and before every ReadyForQuery sends
 * the client a NoticeResponse saying so, so that a test can see traffic went through it. Its
 * block {@code notice { text "..." }} sets the notice's text.
 */
public final class NoticePipelineFactory implements PipelineFactory {
    @Override
    public String name() {
        return "notice";
    }

    @Override
    public Pipeline create(PluginConfig config, PipelineContext context) {
        config.allowOnly(Set.of("text"));
        String text = config.string("text", "routed by the notice plugin");
        return session -> new Relay(session, text);
    }

    private static final class Relay implements SessionPipeline {
        private final Session session;
        private final String text;
        private Backend primary;

        Relay(Session session, String text) {
            this.session = session;
            this.text = text;
            session.relayToPrimary().thenAccept(backend -> {
                primary = backend;
                session.resumeClient(); // what the client sent meanwhile, held by core
            });
        }

        @Override
        public void client(ByteBuf message) {
            if (primary == null) {
                session.holdClient(message);
            } else {
                primary.send(message);
            }
        }

        @Override
        public void server(Backend backend, ByteBuf message) {
            if (Messages.type(message) == MessageType.Backend.READY_FOR_QUERY) {
                session.toClient(BackendMessages.noticeResponse(session.alloc(), "NOTICE",
                        SqlState.SUCCESSFUL_COMPLETION, text));
            }
            session.toClient(message);
        }

        @Override
        public void backendClosed(Backend backend, Throwable cause) {
            session.close();
        }

        @Override
        public void stop() {
            if (primary != null) {
                primary.close();
            }
        }
    }
}
