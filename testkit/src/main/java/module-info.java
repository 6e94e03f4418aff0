/**
 * Real PostgreSQL clusters for tests: a primary with streaming replicas from local server
 * binaries, on free loopback ports, in temporary directories.
 */
module io.pgrouter.testkit {
    requires transitive java.sql;
    requires org.postgresql.jdbc;
    requires org.slf4j;

    exports io.pgrouter.testkit;
}
