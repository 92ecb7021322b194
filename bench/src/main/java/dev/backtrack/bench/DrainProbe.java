package dev.backtrack.bench;

import static dev.backtrack.bench.Figures.round;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/** CPU of the machine, of this JVM and of its threads over a drain; with {@code jfr}, a flight recording too. */
final class DrainProbe {
    /**
     * One recording for the whole run, started before any engine code is compiled: starting a
     * recording mid-run retransforms the JDK's I/O classes, which throws compiled code away and had
     * the JIT busy for most of the drain it meant to profile.
     */
    private static volatile Recording recording;

    private final double[] machine = Cpu.machine();
    private final double[] processes = Cpu.processes();
    private final long jvmCpu = Jvm.processCpuNanos();
    private final Map<Long, Long> threads = Jvm.threadCpu();
    private final Map<String, Long> gc = Jvm.gc();
    private final long jit = Jvm.jitMillis();
    private final Map<String, Double> nativeThreads = Jvm.nativeThreadCpu();
    private final Path jfrFile;
    private final Instant started = Instant.now();

    private DrainProbe(Path jfrFile) {
        this.jfrFile = recording == null ? null : jfrFile;
    }

    static void startRecording() throws Exception {
        recording = new Recording(Configuration.getConfiguration("profile"));
        recording.start();
    }

    static DrainProbe start(Path jfrFile) {
        return new DrainProbe(jfrFile);
    }

    Map<String, Object> stop(String label) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("machine_cpu_busy_percent", Cpu.busyPercent(machine, Cpu.machine()));
        double[] p = Cpu.processes();
        m.put("cluster_cpu_seconds", round(p[1] - processes[1], 2));
        m.put("other_processes_cpu_seconds", round(p[2] - processes[2], 2));
        m.put("jvm_cpu_seconds", round((Jvm.processCpuNanos() - jvmCpu) / 1e9, 2));
        m.put("jvm_threads_cpu_seconds", Jvm.topThreads(threads, 6));
        Map<String, Long> g = Jvm.gc();
        m.put("gc_count", g.get("count") - gc.get("count"));
        m.put("gc_millis", g.get("millis") - gc.get("millis"));
        Map<String, Double> now = Jvm.nativeThreadCpu();
        m.put("gc_threads_cpu_seconds", round(now.get("gc") - nativeThreads.get("gc"), 2));
        m.put("jit_threads_cpu_seconds", round(now.get("jit") - nativeThreads.get("jit"), 2));
        m.put("jit_compile_seconds", round((Jvm.jitMillis() - jit) / 1e3, 2));
        if (jfrFile != null) {
            Instant ended = Instant.now();
            recording.dump(jfrFile);
            m.put("jfr", Jfr.summarize(jfrFile, started, ended));
        }
        return m;
    }
}
