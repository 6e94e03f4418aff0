package io.pgrouter.core;

import picocli.CommandLine.IVersionProvider;

/** The version of the running pgrouter, from its module descriptor or jar manifest. */
final class Version implements IVersionProvider {
    static String current() {
        return Version.class.getModule().getDescriptor() != null
                ? Version.class.getModule().getDescriptor().rawVersion().orElse("dev")
                : String.valueOf(Version.class.getPackage().getImplementationVersion());
    }

    @Override
    public String[] getVersion() {
        return new String[] {"pgrouter " + current(), "Java " + Runtime.version()};
    }
}
