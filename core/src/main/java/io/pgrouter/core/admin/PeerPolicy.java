package io.pgrouter.core.admin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Who may use the admin channel, judged on the peer's credentials as the kernel reports them
 * (SO_PEERCRED: they cannot be forged): root, the user pgrouter runs as, the users listed in
 * the {@code admin} block, and members of the groups listed there (the peer's primary group, or
 * a local group file listing the user).
 */
public final class PeerPolicy {
    private final String self;
    private final List<String> users;
    private final List<String> groups;
    /** The members a group file lists for a group name. */
    private final Function<String, List<String>> groupMembers;

    PeerPolicy(String self, List<String> users, List<String> groups, Function<String, List<String>> groupMembers) {
        this.self = self;
        this.users = List.copyOf(users);
        this.groups = List.copyOf(groups);
        this.groupMembers = groupMembers;
    }

    /** The policy of the settings, for pgrouter running as the JVM's user, with /etc/group. */
    public static PeerPolicy of(AdminSettings settings) {
        return new PeerPolicy(System.getProperty("user.name"), settings.users(), settings.groups(),
                name -> groupFileMembers(Path.of("/etc/group"), name));
    }

    /**
     * Empty when the peer is allowed, else why not.
     *
     * @param user the peer's user name (or its uid, when it has no name)
     * @param primaryGroup the peer's group name (or gid)
     */
    public Optional<String> refusal(String user, String primaryGroup) {
        if (user.equals("root") || user.equals(self) || users.contains(user)) {
            return Optional.empty();
        }
        for (String g : groups) {
            if (g.equals(primaryGroup) || groupMembers.apply(g).contains(user)) {
                return Optional.empty();
            }
        }
        return Optional.of("permission denied: user '" + user + "' may not use the admin channel (allowed: root, "
                + self + (users.isEmpty() ? "" : ", users " + String.join(" ", users))
                + (groups.isEmpty() ? "" : ", members of " + String.join(" ", groups)) + ")");
    }

    /** The member list of a group in a group(5) file: {@code name:password:gid:member,member}. */
    static List<String> groupFileMembers(Path file, String group) {
        try {
            for (String line : Files.readAllLines(file)) {
                String[] fields = line.split(":", -1);
                if (fields.length >= 4 && fields[0].equals(group)) {
                    return fields[3].isEmpty() ? List.of() : List.of(fields[3].split(","));
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return List.of();
    }
}
