package io.pgrouter.core.auth;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.pgrouter.core.protocol.ProtocolException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Byte mutations of valid authentication traffic, with a fixed seed: whatever arrives, the only
 * outcomes are a ProtocolException or a failed login, never another exception, never a success.
 */
class AuthFuzzTest {
    /** The same message but for a proof that decodes to the same bytes. */
    private static boolean sameProof(byte[] mutated, byte[] original) {
        String a = new String(mutated, US_ASCII);
        String b = new String(original, US_ASCII);
        int pa = a.lastIndexOf(",p=");
        int pb = b.lastIndexOf(",p=");
        if (pa < 0 || pb < 0 || !a.substring(0, pa).equals(b.substring(0, pb))) {
            return false;
        }
        try {
            return Arrays.equals(java.util.Base64.getDecoder().decode(a.substring(pa + 3)),
                    java.util.Base64.getDecoder().decode(b.substring(pb + 3)));
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
    }

    private static final int ROUNDS = 3000;
    private final Random random = new Random(20261122);

    private byte[] mutate(byte[] valid) {
        byte[] b = Arrays.copyOf(valid, valid.length);
        switch (random.nextInt(4)) {
            case 0 -> b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            case 1 -> b = Arrays.copyOf(b, random.nextInt(b.length));
            case 2 -> b[random.nextInt(b.length)] = (byte) ",=\0".charAt(random.nextInt(3));
            default -> {
                int at = random.nextInt(b.length);
                b = Arrays.copyOf(b, b.length + 1);
                System.arraycopy(b, at, b, at + 1, b.length - at - 1);
                b[at] = (byte) random.nextInt(256);
            }
        }
        return b;
    }

    private static void expectOnlyProtocolErrors(Runnable r) {
        try {
            r.run();
        } catch (ProtocolException expected) {
            // the connection would end with 08P01
        }
    }

    @Test
    void mutatedScramMessagesNeverSucceedOrCrash() throws Exception {
        ScramVerifier verifier = ScramExchangeTest.alice();
        ScramClientSession client = ScramClientSession.withPassword("alice", "correct horse");
        ScramServerSession server = ScramServerSession.forVerifier(verifier, null);
        byte[] first = client.clientFirst(server.mechanisms(), null).clientFirstMessage();
        byte[] serverFirst = server.handleClientFirst("SCRAM-SHA-256", first);
        byte[] clientFinal = client.clientFinal(serverFirst);
        String clientNonce = new String(first, US_ASCII).split("r=")[1];
        String suffix = new String(serverFirst, US_ASCII).split(",")[0].substring(2 + clientNonce.length());

        ScramServerSession genuine = new ScramServerSession(verifier, null, false, () -> suffix);
        genuine.handleClientFirst("SCRAM-SHA-256", first);
        assertTrue(genuine.handleClientFinal(clientFinal), "the unmutated exchange must succeed, or the loop proves nothing");

        for (int i = 0; i < ROUNDS; i++) {
            byte[] mutatedFirst = mutate(first);
            expectOnlyProtocolErrors(() -> ScramServerSession.forVerifier(verifier, null)
                    .handleClientFirst("SCRAM-SHA-256", mutatedFirst));

            // Replay the genuine first message with the same server nonce, then a mutated final.
            ScramServerSession s = new ScramServerSession(verifier, null, false, () -> suffix);
            s.handleClientFirst("SCRAM-SHA-256", first);
            byte[] mutatedFinal = mutate(clientFinal);
            if (Arrays.equals(mutatedFinal, clientFinal) || sameProof(mutatedFinal, clientFinal)) {
                continue; // base64's unused trailing bits can change without changing the proof
            }
            expectOnlyProtocolErrors(() -> assertFalse(s.handleClientFinal(mutatedFinal),
                    "a mutated proof must not log in: " + new String(mutatedFinal, US_ASCII)));
        }
    }

    @Test
    void mutatedFramesAreDecodedOrRejectedWithoutLeaks() {
        ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
        List<ByteBuf> samples = List.of(AuthMessages.passwordMessage(alloc, "secret"),
                AuthMessages.saslInitialResponse(alloc, "SCRAM-SHA-256", "n,,n=,r=abc".getBytes(US_ASCII)),
                AuthMessages.authenticationSasl(alloc, List.of("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256")),
                AuthMessages.authenticationMd5Password(alloc, new byte[] {1, 2, 3, 4}));
        List<Consumer<ByteBuf>> decoders = List.of(AuthMessages::decodePasswordMessage,
                AuthMessages::decodeSaslInitialResponse, AuthMessages::decodeSaslResponse,
                AuthMessages::decodeAuthentication);
        try {
            for (int i = 0; i < ROUNDS; i++) {
                ByteBuf sample = samples.get(random.nextInt(samples.size()));
                byte[] bytes = new byte[sample.readableBytes()];
                sample.getBytes(sample.readerIndex(), bytes);
                ByteBuf frame = Unpooled.wrappedBuffer(mutate(bytes));
                try {
                    for (Consumer<ByteBuf> decoder : decoders) {
                        expectOnlyProtocolErrors(() -> decoder.accept(frame));
                    }
                } finally {
                    frame.release();
                }
            }
        } finally {
            samples.forEach(ByteBuf::release);
        }
    }
}
