package io.pgrouter.health.patroni;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Several HTTP endpoints of one service (Patroni's members, etcd's), tried in turn within one
 * deadline, starting with the one that answered last: a dead member costs one failed attempt per
 * round only until another answers.
 */
final class Endpoints {
    /** Below this, an attempt is not worth starting. */
    private static final Duration MIN_ATTEMPT = Duration.ofMillis(100);

    private final String service;
    private final List<URI> bases;
    private final HttpClient http;
    private final AtomicInteger preferred = new AtomicInteger();

    Endpoints(String service, List<URI> bases, HttpClient http) {
        this.service = service;
        this.bases = List.copyOf(bases);
        this.http = http;
    }

    List<URI> bases() {
        return bases;
    }

    /**
     * The body of the first 200 answer to {@code request(base)}; each attempt gets a fair share of
     * what is left of {@code timeout}.
     *
     * @throws IOException naming every endpoint tried and why it failed
     */
    String fetch(java.util.function.Function<URI, HttpRequest.Builder> request, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> failures = new ArrayList<>();
        int first = preferred.get();
        for (int i = 0; i < bases.size(); i++) {
            int index = (first + i) % bases.size();
            URI base = bases.get(index);
            long left = deadline - System.nanoTime();
            Duration share = Duration.ofNanos(Math.max(MIN_ATTEMPT.toNanos(), left / (bases.size() - i)));
            try {
                HttpResponse<String> response = http.send(request.apply(base).timeout(share).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    preferred.set(index);
                    return response.body();
                }
                failures.add(base + " answered HTTP " + response.statusCode());
            } catch (IOException e) {
                failures.add(base + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
            if (System.nanoTime() >= deadline) {
                break;
            }
        }
        throw new IOException(service + " unreachable: " + String.join("; ", failures));
    }
}
