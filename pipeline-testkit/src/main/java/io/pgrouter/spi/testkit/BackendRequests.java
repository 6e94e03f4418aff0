package io.pgrouter.spi.testkit;

import io.pgrouter.spi.cluster.Endpoint;
import io.pgrouter.spi.pipeline.Backend;
import io.pgrouter.spi.pipeline.BackendLoginException;
import io.pgrouter.spi.pipeline.Session;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Core's side of a {@link FakeSession}'s backends: what the pipeline asked for and the test has
 * not answered yet, oldest first; the test's answers to it, a backend or a refusal, delivered as
 * core delivers them; and the backends given back, kept as the pool keeps them until a grant lends
 * one again.
 */
final class BackendRequests {
    private final FakeSession session;
    private final ArrayDeque<FakeSession.Request> waiting = new ArrayDeque<>();
    private final List<Backend> released = new ArrayList<>();
    private int nextProcessId = 1001;

    BackendRequests(FakeSession session) {
        this.session = session;
    }

    CompletionStage<Backend> add(FakeSession.Kind kind, Endpoint target) {
        CompletableFuture<Backend> stage = new CompletableFuture<>();
        waiting.add(new FakeSession.Request(kind, target, stage));
        return stage;
    }

    List<FakeSession.Request> waiting() {
        return List.copyOf(waiting);
    }

    FakeSession.Request oldest() {
        FakeSession.Request r = waiting.peek();
        if (r == null) {
            throw new AssertionError("the pipeline asked for no backend");
        }
        return r;
    }

    FakeBackend newBackend(Endpoint address) {
        return new FakeBackend(session, address, nextProcessId++);
    }

    /** The oldest request gets this backend, taken out of the pool if it was there and reset as core would. */
    FakeBackend grant(FakeBackend backend) {
        FakeSession.Request r = oldest();
        waiting.poll();
        released.remove(backend);
        backend.lendTo(session);
        backend.sent().clear();
        backend.resetIfUsed();
        session.deliver(() -> r.stage().complete(backend));
        return backend;
    }

    /** The oldest request fails; core fails the session itself when it wanted the primary. */
    void refuse(String sqlState, String message) {
        FakeSession.Request r = oldest();
        waiting.poll();
        session.deliver(() -> {
            if (r.kind() == FakeSession.Kind.ACQUIRE_PRIMARY || r.kind() == FakeSession.Kind.RELAY_TO_PRIMARY) {
                session.fail(sqlState, message);
            }
            r.stage().completeExceptionally(new BackendLoginException(sqlState, message, Map.of()));
        });
    }

    /** A backend given back, with what its session said it left on it. */
    void release(Backend backend, Session.Leftover leftover) {
        if (released.contains(backend)) {
            throw new AssertionError(backend + " released twice");
        }
        if (backend instanceof FakeBackend fake) {
            fake.givenBack(leftover);
        }
        released.add(backend);
    }

    List<Backend> released() {
        return released;
    }
}
