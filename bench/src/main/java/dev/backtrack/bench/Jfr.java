package dev.backtrack.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/** Where the execution samples of a recording fall: top frames, and the first Backtrack frame of each stack. */
final class Jfr {
    private Jfr() {}

    static Map<String, Object> summarize(Path file, Instant from, Instant to) throws IOException {
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> backtrack = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        int samples = 0;
        for (var e : RecordingFile.readAllEvents(file)) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample")
                    || e.getStackTrace() == null
                    || e.getStartTime().isBefore(from)
                    || e.getStartTime().isAfter(to)) {
                continue;
            }
            samples++;
            var thread = e.getThread("sampledThread");
            threads.merge(
                    thread == null ? "?" : String.valueOf(thread.getJavaName()).replaceAll("\\d+", "N"),
                    1,
                    Integer::sum);
            var frames = e.getStackTrace().getFrames();
            if (!frames.isEmpty()) {
                self.merge(frame(frames.get(0)), 1, Integer::sum);
            }
            String own = "(no Backtrack frame)";
            for (var f : frames) {
                String name = f.getMethod().getType().getName();
                if (name.startsWith("dev.backtrack.")) {
                    own = frame(f);
                    break;
                }
            }
            backtrack.merge(own, 1, Integer::sum);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file.toString());
        m.put("execution_samples", samples);
        m.put("threads", top(threads, 6));
        m.put("top_frames", top(self, 15));
        m.put("innermost_backtrack_frames", top(backtrack, 12));
        return m;
    }

    /** Prints a summary {@link #summarize} made of the {@code who} drain. */
    @SuppressWarnings("unchecked")
    static void print(String who, Map<?, ?> jfr) {
        System.out.println(
                "JFR, " + who + " drain (" + jfr.get("execution_samples") + " samples; " + jfr.get("file") + "):");
        System.out.println("  samples per thread: " + jfr.get("threads"));
        System.out.println("  top frames:");
        ((Map<String, Integer>) jfr.get("top_frames"))
                .forEach((k, v) -> System.out.printf(Locale.ROOT, "    %6d  %s%n", v, k));
        System.out.println("  innermost Backtrack frame of each sample:");
        ((Map<String, Integer>) jfr.get("innermost_backtrack_frames"))
                .forEach((k, v) -> System.out.printf(Locale.ROOT, "    %6d  %s%n", v, k));
    }

    private static String frame(RecordedFrame f) {
        String type = f.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
    }

    private static Map<String, Integer> top(Map<String, Integer> counts, int n) {
        Map<String, Integer> m = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(n)
                .forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }
}
