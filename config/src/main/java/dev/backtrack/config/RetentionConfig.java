package dev.backtrack.config;

import java.time.Duration;

/**
 * What the repository keeps: at least the newest {@code checkpoints} checkpoints, and every instant
 * of the last {@code window} restorable. Zero turns a rule off; with both off nothing expires.
 */
public record RetentionConfig(int checkpoints, Duration window) {
    public boolean keepsAll() {
        return checkpoints == 0 && window.isZero();
    }
}
