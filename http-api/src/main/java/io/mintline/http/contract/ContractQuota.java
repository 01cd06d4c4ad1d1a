package io.mintline.http.contract;

import akka.http.javadsl.server.Route;
import io.mintline.http.auth.Principal;
import java.util.function.Supplier;

/**
 * Where the per-user daily quotas by tier go (issue 14 builds them): every contract route asks
 * this before it does any work. {@link #ALLOW} lets everything through; a real quota answers
 * {@code 429 quota_exceeded} (with when it resets) instead of running {@code inner}.
 */
@FunctionalInterface
public interface ContractQuota {
  /** The contract operations a quota counts. */
  enum Operation { GENERATE, COMPILE, AUDIT }

  Route check(Principal principal, Operation operation, Supplier<Route> inner);

  ContractQuota ALLOW = (principal, operation, inner) -> inner.get();
}
