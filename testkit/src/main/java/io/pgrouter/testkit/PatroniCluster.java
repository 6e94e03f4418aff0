package io.pgrouter.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Patroni cluster for integration tests: a one-node etcd and three Patroni members ({@code n1},
 * {@code n2}, {@code n3}) on free loopback ports in a temporary directory, with the PostgreSQL
 * binaries {@link PgTools} finds. {@code n1} bootstraps the cluster and leads first; {@code n3} is
 * tagged {@code noloadbalance} and {@code nofailover} (it never leads and serves no reads through
 * a router that follows Patroni). Short {@code loop_wait}, {@code ttl} and {@code retry_timeout}
 * keep changes quick; {@code failsafe_mode} keeps the leader primary while etcd is down (all
 * members still reach each other), and {@code master_start_timeout 0} makes Patroni fail over at
 * once when the leader's PostgreSQL stops.
 *
 * <p>Needs the {@code patroni} and {@code etcd} commands (Debian: {@code patroni}, {@code etcd-server}).
 */
public final class PatroniCluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PatroniCluster.class);
    public static final String SCOPE = "pgrtest";
    public static final String NAMESPACE = "/service";
    private static final String SUPERUSER = "postgres";
    private static final Duration BOOTSTRAP = Duration.ofSeconds(120);
    private static final Pattern MEMBER = Pattern.compile(
            "\\{[^{}]*?\"name\": \"(n\\d)\", \"role\": \"([a-z_]+)\", \"state\": \"([a-z ]+)\"");

    private final Path base;
    private final Map<String, Member> members = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private EtcdServer etcd;

    private record Member(String name, PgNode node, int restPort, Path config, Process[] process) {
    }

    private PatroniCluster(Path base) {
        this.base = base;
    }

    /** Starts etcd and the three members and waits until one leads and two stream from it. */
    public static PatroniCluster start() {
        PatroniCluster c = new PatroniCluster(OsUser.newDirectory("pgrouter-patroni-"));
        try {
            c.etcd = EtcdServer.start(c.base);
            for (String name : List.of("n1", "n2", "n3")) {
                c.addMember(name, name.equals("n3"));
            }
            c.startMember("n1");
            c.awaitLeader("n1", BOOTSTRAP);
            c.startMember("n2");
            c.startMember("n3");
            c.awaitRunning(3, BOOTSTRAP);
            return c;
        } catch (RuntimeException e) {
            log.error("Patroni cluster failed to start; logs:\n{}", c.logs());
            c.close();
            throw e;
        }
    }

    public List<String> restUrls() {
        return members.values().stream().map(m -> "http://127.0.0.1:" + m.restPort()).toList();
    }

    public String etcdUrl() {
        return etcd.url();
    }

    /** The PostgreSQL server of a member. */
    public PgNode node(String member) {
        return members.get(member).node();
    }

    /** Every member's PostgreSQL server, n1 to n3. */
    public List<PgNode> nodes() {
        return members.values().stream().map(Member::node).toList();
    }

    /** The member's name whose PostgreSQL listens on this port. */
    public String memberAt(int port) {
        return members.values().stream().filter(m -> m.node().port() == port).findFirst().orElseThrow().name();
    }

    /** The leader key's holder as etcd has it now, empty when none holds it or etcd does not answer. */
    public Optional<String> leader() {
        return etcd.get(NAMESPACE + "/" + SCOPE + "/leader");
    }

    /** Patroni's {@code GET /cluster} answer from the first member that gives one. */
    public String clusterJson() {
        for (String url : restUrls()) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/cluster"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return r.body();
                }
            } catch (IOException e) {
                // the next member may answer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("no Patroni member answers GET /cluster");
    }

    /** {@code patronictl switchover} from the current leader to {@code candidate}. */
    public void switchover(String candidate) {
        String leader = leader().orElseThrow(() -> new IllegalStateException("no leader to switch over from"));
        patronictl("switchover", "--leader", leader, "--candidate", candidate, "--force");
    }

    /** {@code patronictl failover} to {@code candidate}. */
    public void failover(String candidate) {
        patronictl("failover", "--candidate", candidate, "--force");
    }

    /** {@code patronictl pause --wait}: Patroni stops acting on its own (no automatic failover) until {@link #resume}. */
    public void pause() {
        patronictl("pause", "--wait");
    }

    /** {@code patronictl resume --wait}. */
    public void resume() {
        patronictl("resume", "--wait");
    }

    /**
     * Stops Patroni on a member as a service manager would (SIGTERM): it stops its PostgreSQL and
     * exits. Its member key stays in etcd until its lease runs out ({@code ttl}).
     */
    public void stopMember(String name) {
        Process patroni = members.get(name).process()[0];
        patroni.descendants().filter(h -> h.info().command().map(c -> c.contains("python")).orElse(false))
                .forEach(ProcessHandle::destroy);
        patroni.destroy();
        PgCluster.await(Duration.ofSeconds(30), () -> !patroni.isAlive() && !node(name).isRunning(),
                "Patroni on " + name + " did not stop");
    }

    /**
     * Deletes a stopped member's key from etcd, as the end of its lease would within {@code ttl}
     * (10 s here): Patroni's {@code /cluster} no longer lists it.
     */
    public void expireMember(String name) throws IOException {
        etcd.delete(NAMESPACE + "/" + SCOPE + "/members/" + name);
    }

    /** Starts Patroni on a member (again): it starts its PostgreSQL and joins the cluster. */
    public void startMember(String name) {
        Member m = members.get(name);
        m.process()[0] = Processes.spawn(m.config().getParent().resolve("patroni.log"), "patroni", m.config().toString());
    }

    /** Stops a member's PostgreSQL under Patroni's feet ({@code pg_ctl stop -m fast}). */
    public void stopPostgres(String member) {
        members.get(member).node().stop();
    }

    /** Kills etcd, as an outage would. */
    public void stopEtcd() {
        etcd.stop();
    }

    /** Starts etcd again, with its data. */
    public void startEtcd() {
        etcd.start();
    }

    /** Waits until {@code member} holds the leader key and Patroni reports it running. */
    public void awaitLeader(String member, Duration timeout) {
        PgCluster.await(timeout, () -> leader().equals(Optional.of(member))
                && memberStates().getOrDefault(member, "").equals("leader running"),
                member + " did not become the running leader");
    }

    /** Waits until {@code count} members run (leader) or stream (replicas). */
    public void awaitRunning(int count, Duration timeout) {
        PgCluster.await(timeout, () -> memberStates().values().stream()
                .filter(s -> s.endsWith("running") || s.endsWith("streaming")).count() == count,
                count + " Patroni members did not come up");
    }

    /** Each member's {@code "ROLE STATE"} from {@code GET /cluster}. */
    public Map<String, String> memberStates() {
        Map<String, String> states = new LinkedHashMap<>();
        Matcher m = MEMBER.matcher(clusterJson());
        while (m.find()) {
            states.put(m.group(1), m.group(2) + " " + m.group(3));
        }
        return states;
    }

    /** Every log file of the cluster, for a failure message. */
    public String logs() {
        StringBuilder out = new StringBuilder();
        try (var files = Files.walk(base, 2)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                String text = Files.readString(p);
                out.append("==> ").append(p).append(" <==\n")
                        .append(text.length() > 6000 ? text.substring(text.length() - 6000) : text).append('\n');
            }
        } catch (IOException | UncheckedIOException e) {
            out.append("(logs unreadable: ").append(e.getMessage()).append(")\n");
        }
        return out.toString();
    }

    private void addMember(String name, boolean noLoadBalance) {
        Path dir = OsUser.subdirectory(base, name);
        PgNode node = new PgNode(name, dir, LoopbackPorts.free(), SUPERUSER);
        int rest = LoopbackPorts.free();
        Path config = dir.resolve("patroni.yml");
        OsUser.append(config, yaml(name, dir, node.port(), rest, noLoadBalance));
        members.put(name, new Member(name, node, rest, config, new Process[1]));
    }

    private String yaml(String name, Path dir, int pgPort, int restPort, boolean noLoadBalance) {
        return """
                scope: %s
                namespace: %s/
                name: %s
                log:
                  level: INFO
                restapi:
                  listen: 127.0.0.1:%d
                  connect_address: 127.0.0.1:%d
                etcd3:
                  host: %s
                bootstrap:
                  dcs:
                    ttl: 10
                    loop_wait: 1
                    retry_timeout: 3
                    master_start_timeout: 0
                    failsafe_mode: true
                    maximum_lag_on_failover: 104857600
                    postgresql:
                      use_pg_rewind: false
                      use_slots: false
                      parameters:
                        wal_level: replica
                        hot_standby: "on"
                        max_wal_senders: 10
                        wal_keep_size: 128MB
                        fsync: "off"
                        synchronous_commit: "off"
                        full_page_writes: "off"
                  initdb:
                  - encoding: UTF8
                  - locale: C
                postgresql:
                  listen: 127.0.0.1:%d
                  connect_address: 127.0.0.1:%d
                  data_dir: %s
                  bin_dir: %s
                  pgpass: %s
                  pg_hba:
                  - local all all trust
                  - host all all 127.0.0.1/32 trust
                  - host replication all 127.0.0.1/32 trust
                  authentication:
                    superuser:
                      username: %s
                    replication:
                      username: replicator
                  parameters:
                    unix_socket_directories: %s
                    max_connections: 100
                    shared_buffers: 16MB
                tags:
                  noloadbalance: %s
                  nofailover: %s
                """.formatted(SCOPE, NAMESPACE, name, restPort, restPort, etcd.url().substring("http://".length()),
                pgPort, pgPort, dir.resolve("data"), PgTools.binDirectory(), dir.resolve("pgpass"), SUPERUSER, dir,
                noLoadBalance, noLoadBalance);
    }

    private void patronictl(String... args) {
        List<String> command = new ArrayList<>(List.of("patronictl", "-c", members.get("n1").config().toString()));
        command.addAll(List.of(args));
        ProcessResult r = OsUser.runServerTool(Duration.ofSeconds(60), command.toArray(String[]::new));
        log.info("{}: {}", String.join(" ", command), r.output().strip());
    }

    /** Stops Patroni first (so that it restarts nothing), then PostgreSQL and etcd, and removes the files. */
    @Override
    public void close() {
        for (Member m : members.values()) {
            Process patroni = m.process()[0];
            if (patroni != null) {
                // Patroni alone: its PostgreSQL is stopped cleanly below, not killed with it.
                patroni.descendants().filter(h -> h.info().command().map(c -> c.contains("python")).orElse(false))
                        .forEach(ProcessHandle::destroyForcibly);
                patroni.destroyForcibly();
            }
        }
        for (Member m : members.values()) {
            if (m.node().isRunning()) {
                try {
                    m.node().kill();
                } catch (RuntimeException e) {
                    log.warn("could not stop {}: {}", m.node(), e.getMessage());
                }
            }
            Processes.kill(m.process()[0]);
        }
        if (etcd != null) {
            etcd.close();
        }
        OsUser.delete(base);
    }

}
