package io.pgrouter.core.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerPolicyTest {
    private final Map<String, List<String>> groupFile = Map.of("pgadmin", List.of("carol"), "wheel", List.of());
    private final PeerPolicy policy = new PeerPolicy("pgrouter", List.of("alice"), List.of("pgadmin", "ops"),
            g -> groupFile.getOrDefault(g, List.of()));

    @Test
    void rootItselfListedUsersAndGroupMembersMayUseTheChannel() {
        assertEquals(Optional.empty(), policy.refusal("root", "root"));
        assertEquals(Optional.empty(), policy.refusal("pgrouter", "pgrouter"));
        assertEquals(Optional.empty(), policy.refusal("alice", "alice"));
        assertEquals(Optional.empty(), policy.refusal("carol", "carol"), "a member listed in the group file");
        assertEquals(Optional.empty(), policy.refusal("dave", "ops"), "the peer's own group");
    }

    @Test
    void anyoneElseIsToldWhoMay() {
        assertEquals(Optional.of("permission denied: user 'postgres' may not use the admin channel (allowed: root, "
                + "pgrouter, users alice, members of pgadmin ops)"), policy.refusal("postgres", "postgres"));
        PeerPolicy strict = new PeerPolicy("pgrouter", List.of(), List.of(), g -> List.of());
        assertEquals(Optional.of("permission denied: user '1234' may not use the admin channel (allowed: root, pgrouter)"),
                strict.refusal("1234", "1234"));
    }

    @Test
    void readsMembersFromAGroupFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("group");
        Files.writeString(file, "root:x:0:\npgadmin:x:1001:carol,erin\nempty:x:1002:\n");
        assertEquals(List.of("carol", "erin"), PeerPolicy.groupFileMembers(file, "pgadmin"));
        assertEquals(List.of(), PeerPolicy.groupFileMembers(file, "empty"));
        assertEquals(List.of(), PeerPolicy.groupFileMembers(file, "missing"));
        assertTrue(PeerPolicy.groupFileMembers(dir.resolve("nope"), "pgadmin").isEmpty());
    }
}
