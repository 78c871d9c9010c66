package dev.retina.streams.dashboard;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where one Server-Sent Events client's frames go: the response body of its HTTP exchange. Writes may block while
 * the client does not read; the broadcaster's writer thread is the only one that writes, and it is interrupted to
 * give up on a stalled client.
 */
public interface SseSink extends AutoCloseable {

    /** The stream frames are written to, UTF-8 text; flushed after each frame. */
    OutputStream body() throws IOException;

    /** Ends the response; must not throw. */
    @Override
    void close();
}
