package io.mintline.engine.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * What a job of one type does with its input. The future completes with the result, or fails
 * with a {@link JobFailure} (which says whether trying again could help); any other failure is
 * taken as retryable. The work must stop by itself within {@code timeout}.
 */
@FunctionalInterface
public interface JobWork {
  CompletionStage<JsonNode> run(String jobId, JsonNode input, Duration timeout);

  /** The work of every job type a node runs, by type name. */
  record Registry(Map<String, JobWork> byType) {
    public Registry {
      byType = Map.copyOf(byType);
    }

    public JobWork get(String type) {
      return byType.get(type);
    }
  }
}
