package io.pgrouter.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;
import io.netty.util.AbstractReferenceCounted;
import java.util.Map;

/** What a client may send before the regular message flow: the untyped startup-phase packets. */
public sealed interface StartupPacket
        permits StartupPacket.SslRequest, StartupPacket.GssEncRequest, StartupPacket.Cancel, StartupPacket.Startup {

    /** The client asks for TLS; answered with one byte, 'S' or 'N'. */
    record SslRequest() implements StartupPacket {
    }

    /** The client asks for GSSAPI encryption; pgrouter answers 'N'. */
    record GssEncRequest() implements StartupPacket {
    }

    /** A CancelRequest, sent on a fresh connection. */
    record Cancel(int processId, int secretKey) implements StartupPacket {
    }

    /**
     * A StartupMessage of protocol 3.x. Holds the raw packet (retained, released with this
     * object) so that a pipeline can relay it to a backend unchanged.
     */
    final class Startup extends AbstractReferenceCounted implements StartupPacket {
        private final int protocol;
        private final Map<String, String> parameters;
        private final ByteBuf raw;

        public Startup(int protocol, Map<String, String> parameters, ByteBuf raw) {
            this.protocol = protocol;
            this.parameters = Map.copyOf(parameters);
            this.raw = raw;
        }

        public int protocol() {
            return protocol;
        }

        public Map<String, String> parameters() {
            return parameters;
        }

        /** The whole packet, length word included. */
        public ByteBuf raw() {
            return raw;
        }

        @Override
        protected void deallocate() {
            raw.release();
        }

        @Override
        public ReferenceCounted touch(Object hint) {
            raw.touch(hint);
            return this;
        }
    }
}
