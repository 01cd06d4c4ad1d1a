package io.mintline.http.health;

import java.util.Map;

/**
 * Body of {@code GET /health}: {@code status} is {@code healthy} when every check passes,
 * {@code degraded} when the node serves but something needs attention (e.g. unreachable cluster
 * members), {@code down} when it cannot do its work (the database is unreachable).
 */
public record HealthReport(String status, Map<String, Object> checks, String version) {}
