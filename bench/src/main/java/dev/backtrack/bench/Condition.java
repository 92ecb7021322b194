package dev.backtrack.bench;

/** What a phase waits for, checked again and again until it holds. */
interface Condition {
    boolean met() throws Exception;
}
