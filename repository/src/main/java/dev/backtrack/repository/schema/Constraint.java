package dev.backtrack.repository.schema;

/**
 * A table constraint other than the primary key: kind u(nique), c(heck), f(oreign key) or x (exclusion), and its
 * definition.
 */
public record Constraint(String name, String kind, String definition) {}
