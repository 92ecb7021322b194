package dev.backtrack.bench;

import static dev.backtrack.bench.Figures.round;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time read from /proc: of the whole machine, of this JVM vs the bench cluster vs the rest, of one process tree.
 */
final class Cpu {
    /** The cluster's postmaster; its children are the cluster's processes. */
    static volatile long postmaster = -1;

    private Cpu() {}

    /**
     * CPU seconds so far of every process, with the children it has reaped: {this JVM and its
     * children, the bench cluster, everything else}. A process whose parent is gone is counted under
     * init, so "everything else" covers it too; only a process that ends unreaped is missed.
     */
    static double[] processes() {
        long self = ProcessHandle.current().pid();
        Map<Long, long[]> all = stats();
        if (all.isEmpty()) {
            return new double[] {0, 0, 0};
        }
        double[] r = new double[3];
        for (Map.Entry<Long, long[]> e : all.entrySet()) {
            long pid = e.getKey(), parent = e.getValue()[0];
            long grand = all.containsKey(parent) ? all.get(parent)[0] : -1;
            long great = all.containsKey(grand) ? all.get(grand)[0] : -1;
            int who = pid == self || parent == self || grand == self || great == self
                    ? 0
                    : pid == postmaster || parent == postmaster ? 1 : 2;
            r[who] += e.getValue()[1] / 100.0;
        }
        return r;
    }

    /** {busy, total} jiffies of all CPUs from /proc/stat; zeros when unreadable. */
    static double[] machine() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            double total = 0, idle = Double.parseDouble(f[4]) + Double.parseDouble(f[5]);
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                total += Double.parseDouble(f[i]);
            }
            return new double[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new double[] {0, 0};
        }
    }

    static Double busyPercent(double[] before, double[] after) {
        double total = after[1] - before[1];
        return total <= 0 ? null : round(100 * (after[0] - before[0]) / total, 1);
    }

    /** CPU seconds so far of a process and its direct children (with what they reaped); 0 when unknown. */
    static double tree(long root) {
        if (root <= 0) {
            return 0;
        }
        double sum = 0;
        for (Map.Entry<Long, long[]> e : stats().entrySet()) {
            if (e.getKey() == root || e.getValue()[0] == root) {
                sum += e.getValue()[1] / 100.0;
            }
        }
        return sum;
    }

    /**
     * Every process in /proc: its parent and its CPU ticks with the children it has reaped (so a process
     * that ends between two readings is not lost); empty when /proc cannot be listed.
     */
    private static Map<Long, long[]> stats() {
        Map<Long, long[]> all = new HashMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.toList()) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    all.put(Long.parseLong(name), new long[] {
                        Long.parseLong(f[1]),
                        Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14])
                    });
                } catch (IOException | RuntimeException gone) {
                    // ended meanwhile
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return all;
    }

    /** CPU seconds of the children this JVM has reaped (the mariadb client, mariadb-dump). */
    static double selfChildren() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[13]) + Long.parseLong(f[14])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
