/**
 * Real PostgreSQL clusters for tests: a primary with streaming replicas from local server
 * binaries, on free loopback ports, in temporary directories; or a Patroni cluster with its etcd.
 */
module io.pgrouter.testkit {
    requires transitive java.sql;
    requires org.postgresql.jdbc;
    requires org.slf4j;
    requires java.net.http;

    exports io.pgrouter.testkit;
}
