package dev.backtrack.bench;

import static dev.backtrack.bench.Figures.round;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU over a phase of the MariaDB part: the machine, this JVM (with its reaped children), mariadbd and the PostgreSQL
 * cluster.
 */
final class MariaDbProbe {
    private final long mariadbdPid;
    private final long postmasterPid;
    private final double[] machine;
    private final long jvm;
    private final double children;
    private final double mariadbd;
    private final double postgres;
    private final double jit;

    /** Starts the phase: the CPU used so far, read in this order. */
    MariaDbProbe(long mariadbdPid, long postmasterPid) {
        this.mariadbdPid = mariadbdPid;
        this.postmasterPid = postmasterPid;
        machine = Cpu.machine();
        jvm = Jvm.processCpuNanos();
        children = Cpu.selfChildren();
        mariadbd = Cpu.tree(mariadbdPid);
        postgres = Cpu.tree(postmasterPid);
        jit = Jvm.nativeThreadCpu().get("jit");
    }

    Map<String, Object> stop(long rows) {
        Map<String, Object> m = new LinkedHashMap<>();
        double j = (Jvm.processCpuNanos() - jvm) / 1e9;
        double compiler = Jvm.nativeThreadCpu().get("jit") - jit;
        double c = Cpu.selfChildren() - children;
        double d = Cpu.tree(mariadbdPid) - mariadbd;
        double p = Cpu.tree(postmasterPid) - postgres;
        m.put("machine_cpu_busy_percent", Cpu.busyPercent(machine, Cpu.machine()));
        m.put("jvm_cpu_seconds", round(j, 2));
        m.put("jit_threads_cpu_seconds", round(compiler, 2));
        m.put("child_processes_cpu_seconds", round(c, 2));
        m.put("mariadbd_cpu_seconds", round(d, 2));
        m.put("postgresql_cpu_seconds", round(p, 2));
        // without the JIT compiler threads, whose share depends on how warm the JVM is
        m.put("cpu_us_per_row", round((j - compiler + c + d + p) * 1e6 / Math.max(1, rows), 1));
        return m;
    }
}
