package dev.backtrack.bench;

import static dev.backtrack.bench.Figures.round;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** This JVM as the figures describe it: its options and heap, its CPU by thread, its JIT compiler and GC time. */
final class Jvm {
    private Jvm() {}

    static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        var rt = ManagementFactory.getRuntimeMXBean();
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("jvm_arguments", String.join(" ", rt.getInputArguments()));
        m.put(
                "jvm_heap",
                "initial " + heap.getInit() / (1 << 20) + " MiB, max "
                        + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB, GC "
                        + ManagementFactory.getGarbageCollectorMXBeans().stream()
                                .map(GarbageCollectorMXBean::getName)
                                .collect(Collectors.joining(" + ")));
        return m;
    }

    static long jitMillis() {
        var c = ManagementFactory.getCompilationMXBean();
        return c != null && c.isCompilationTimeMonitoringSupported() ? c.getTotalCompilationTime() : 0;
    }

    /** CPU seconds so far of the JVM's own threads, from /proc: JIT compiler threads and GC threads. */
    static Map<String, Double> nativeThreadCpu() {
        double jit = 0, gc = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
                    if (comm.startsWith("C1 ") || comm.startsWith("C2 ")) {
                        jit += cpu;
                    } else if (comm.startsWith("GC ") || comm.startsWith("G1 ")) {
                        gc += cpu;
                    }
                } catch (IOException | RuntimeException gone) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return Map.of("jit", jit, "gc", gc);
    }

    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os
                ? os.getProcessCpuTime()
                : 0;
    }

    static Map<Long, Long> threadCpu() {
        ThreadMXBean t = ManagementFactory.getThreadMXBean();
        Map<Long, Long> m = new HashMap<>();
        for (long id : t.getAllThreadIds()) {
            long cpu = t.getThreadCpuTime(id);
            if (cpu >= 0) {
                m.put(id, cpu);
            }
        }
        return m;
    }

    /** The threads that used the most CPU since {@code before} (threads that ended meanwhile are not seen). */
    static Map<String, Double> topThreads(Map<Long, Long> before, int n) {
        ThreadMXBean t = ManagementFactory.getThreadMXBean();
        Map<String, Double> used = new HashMap<>();
        for (Map.Entry<Long, Long> e : threadCpu().entrySet()) {
            ThreadInfo info = t.getThreadInfo(e.getKey());
            if (info == null) {
                continue;
            }
            double s = (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / 1e9;
            used.merge(info.getThreadName().replaceAll("\\d+", "N"), s, Double::sum);
        }
        Map<String, Double> top = new LinkedHashMap<>();
        used.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(n)
                .forEach(e -> top.put(e.getKey(), round(e.getValue(), 2)));
        return top;
    }

    static Map<String, Long> gc() {
        long count = 0, millis = 0;
        for (GarbageCollectorMXBean g : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, g.getCollectionCount());
            millis += Math.max(0, g.getCollectionTime());
        }
        return Map.of("count", count, "millis", millis);
    }
}
