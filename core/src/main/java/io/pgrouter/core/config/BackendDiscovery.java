package io.pgrouter.core.config;

import io.pgrouter.spi.cluster.Endpoint;
import java.util.List;
import java.util.Objects;

/**
 * {@code backends NAME}: the backends are the members the topology source {@code NAME} lists (its
 * {@code health { topology NAME }}), as they come and go, instead of {@code backend} lines. A
 * {@code backend} line still written names one member's own settings; it adds no backend the
 * source does not list.
 *
 * @param source the topology source's name ({@code patroni})
 * @param defaults the settings of a member no {@code backend} line names: the
 *     {@code backend default} in force at the end of the file ({@code [backend_defaults]} in TOML)
 * @param location {@code file:line:column} of the directive's value
 */
public record BackendDiscovery(String source, BackendDefaults defaults, String location) {
    public BackendDiscovery {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(defaults, "defaults");
        Objects.requireNonNull(location, "location");
    }

    /**
     * The backends for these members, in their order: a {@code backend} line's settings for the
     * member at its address, the defaults for the others.
     */
    public List<BackendConfig> backends(List<Endpoint> members, List<BackendConfig> lines) {
        return members.stream().distinct()
                .map(m -> lines.stream().filter(b -> b.address().equals(m)).findFirst()
                        .orElseGet(() -> defaults.backend(m, location + " (" + source + " member)")))
                .toList();
    }
}
