package dev.backtrack.agent;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Whether the connector is streaming from the source. A lost connection makes the connector restart
 * its streaming inside the task, which the engine's callbacks do not report; its streaming metrics
 * bean is unregistered meanwhile, so the bean's presence and its {@code Connected} attribute tell.
 * {@link #check} prints each change of state once. Thread-safe.
 */
final class SourceLink {
    private final PrintStream out;
    private final ObjectName streaming;
    private final MBeanServer beans = ManagementFactory.getPlatformMBeanServer();
    /** When the connection was lost (epoch millis), or 0 while streaming or before streaming began. */
    private volatile long lostAtMillis;

    private boolean everStreamed;
    private long lastCheckMillis;
    /** The binlog client's disconnect count at the last check, or -1. */
    private long seenDisconnects = -1;

    private int reconnects;

    /**
     * @param topicPrefix the connector's topic prefix, which names its metrics beans (debezium.postgres, .mariadb,
     * .mysql)
     */
    SourceLink(PrintStream out, String topicPrefix) {
        this.out = out;
        try {
            this.streaming =
                    new ObjectName("debezium.*:type=connector-metrics,context=streaming,server=" + topicPrefix);
        } catch (JMException e) {
            throw new IllegalArgumentException("no metrics bean name for topic prefix " + topicPrefix, e);
        }
    }

    /** Reads the connector's state and prints a line when it changed; call it every second or so. */
    synchronized void check() {
        boolean streamingNow = connected();
        long drops = disconnects();
        // the binlog client can lose and regain its connection between two checks: its counter tells
        boolean droppedMeanwhile = drops > seenDisconnects && seenDisconnects >= 0;
        seenDisconnects = drops;
        long now = System.currentTimeMillis();
        if ((!streamingNow || droppedMeanwhile) && everStreamed && lostAtMillis == 0) {
            lostAtMillis = streamingNow ? lastCheckMillis : now;
            out.println("source connection lost: nothing is acknowledged to the source until it is back; retrying "
                    + "2 s after each failed attempt");
        }
        if (streamingNow && lostAtMillis != 0) {
            reconnects++;
            out.printf(
                    Locale.ROOT,
                    "source connection back after %.1f s (reconnect %d): streaming resumes after the last "
                            + "logged transaction%n",
                    (now - lostAtMillis) / 1000.0,
                    reconnects);
            lostAtMillis = 0;
        }
        if (streamingNow && !everStreamed) {
            everStreamed = true;
            out.println("streaming changes from the source");
        }
        lastCheckMillis = now;
    }

    /**
     * The binlog client's count of lost connections (MariaDB, MySQL); -1 where the connector keeps none (PostgreSQL).
     */
    private long disconnects() {
        return attribute("NumberOfDisconnects") instanceof Long n ? n : -1;
    }

    private boolean connected() {
        return Boolean.TRUE.equals(attribute("Connected"));
    }

    /**
     * An attribute of the connector's streaming metrics bean; null while the bean is not registered (the connector is
     * restarting).
     */
    private Object attribute(String name) {
        for (ObjectName bean : beans.queryNames(streaming, null)) {
            try {
                return beans.getAttribute(bean, name);
            } catch (JMException e) {
                // no such attribute, or unregistered between the two calls
            }
        }
        return null;
    }

    /**
     * ", capture lag 0.4 s": how far behind the source's commit clock the last change the connector
     * handled was (the connector's MilliSecondsBehindSource); "" before the first change or while disconnected.
     */
    String lagPart() {
        if (lostAtMillis != 0) {
            return "";
        }
        if (attribute("MilliSecondsBehindSource") instanceof Long behind && behind >= 0) {
            return String.format(Locale.ROOT, ", capture lag %.1f s", behind / 1000.0);
        }
        return "";
    }

    /** ", source disconnected since 10:31:06 UTC (12 s), reconnecting" while the connection is lost, else "". */
    String statusPart() {
        long lost = lostAtMillis;
        if (lost == 0) {
            return "";
        }
        return ", source disconnected since " + CaptureStatus.since(lost) + ", reconnecting";
    }

    boolean disconnected() {
        return lostAtMillis != 0;
    }
}
