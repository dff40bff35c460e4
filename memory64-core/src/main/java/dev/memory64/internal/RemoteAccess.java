package dev.memory64.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * How the GGUF reader reaches a remote object (identity pinned, ranged GETs with retries) without
 * the remote classes becoming API (the JDK's "shared secrets" pattern, as {@link StoreAccess}). The
 * store package installs the opener when its remote class initialises.
 */
public final class RemoteAccess {

    /** A remote object opened for positional reads; its identity is pinned at open. */
    public interface Source extends AutoCloseable {
        /**
         * Returns the object's size in bytes.
         *
         * @return the size
         */
        long size();

        /**
         * Reads bytes at a position into {@code dst} until it is full or the object ends.
         *
         * @param dst where the bytes go, from its position
         * @param position the object offset of the first byte
         * @return the bytes read, -1 at or past the end
         * @throws IOException if the range cannot be fetched
         */
        int read(ByteBuffer dst, long position) throws IOException;

        /**
         * Returns the pinned identity (a {@code dev.memory64.RemoteIdentity}).
         *
         * @return the identity
         */
        Object identity();

        @Override
        void close();
    }

    /** Opens a remote object. */
    public interface Opener {
        /**
         * Opens and pins a remote object.
         *
         * @param uri the object
         * @param options a {@code dev.memory64.RemoteOptions}
         * @return the source
         * @throws IOException if the object cannot be opened
         */
        Source open(URI uri, Object options) throws IOException;
    }

    private static final String INSTALLER = "dev.memory64.RemoteObject";

    private static volatile Opener opener;

    private RemoteAccess() {}

    /**
     * Installs the opener; called once, by the remote class's static initialiser.
     *
     * @param remoteOpener the opener
     * @throws IllegalStateException if an opener is installed already
     */
    public static synchronized void install(Opener remoteOpener) {
        if (opener != null) {
            throw new IllegalStateException("remote opener is installed already");
        }
        opener = Objects.requireNonNull(remoteOpener, "remoteOpener");
    }

    /**
     * Opens and pins a remote object through the installed opener.
     *
     * @param uri the object
     * @param options a {@code dev.memory64.RemoteOptions}
     * @return the source
     * @throws IOException if the object cannot be opened
     */
    public static Source open(URI uri, Object options) throws IOException {
        Opener installed = opener;
        if (installed == null) {
            try {
                Class.forName(INSTALLER, true, RemoteAccess.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("cannot initialise " + INSTALLER, e);
            }
            installed = opener;
            if (installed == null) {
                throw new IllegalStateException(INSTALLER + " installed no opener");
            }
        }
        return installed.open(uri, options);
    }
}
